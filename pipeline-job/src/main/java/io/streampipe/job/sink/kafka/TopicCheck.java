package io.streampipe.job.sink.kafka;

import io.streampipe.api.v1alpha1.KafkaSinkSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Checks, when the job starts, that every topic the job writes exists: {@code spec.sink.kafka.topic} and, when they
 * are topics, {@code spec.deadLetter.topic} and {@code spec.lateData.topic}. Without it a missing topic surfaces late
 * and far from its cause: the producer blocks up to {@code max.block.ms} (60 s) waiting for its metadata and then
 * fails the task ("Topic … not present in metadata"), and the job restarts forever; or, on a broker with
 * {@code auto.create.topics.enable}, the first record creates the topic with the broker's default partitions and
 * settings. The job never creates topics: their partitions, retention and compaction are the owner's to decide.
 * Run by {@code PipelineJob.main} and {@code start} once the graph is built (as {@code createTable}'s table check runs
 * in {@code main}), so a failure ends the job's start with a message naming the field and the topic.
 */
public final class TopicCheck {
    /** How long the check waits for the cluster's answer before saying it could not ask. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TopicCheck() {
    }

    /** The topics the job writes, by the spec field that names each. Empty without {@code spec.sink.kafka}. */
    static Map<String, String> topics(StreamingPipelineSpec spec) {
        Map<String, String> topics = new LinkedHashMap<>();
        if (spec.sink == null || spec.sink.kafka == null) {
            return topics;
        }
        topics.put("spec.sink.kafka.topic", spec.sink.kafka.topic);
        if (spec.deadLetter != null && spec.deadLetter.topic != null) {
            topics.put("spec.deadLetter.topic", spec.deadLetter.topic);
        }
        if (spec.lateData != null && spec.lateData.topic != null) {
            topics.put("spec.lateData.topic", spec.lateData.topic);
        }
        return topics;
    }

    /**
     * @throws IllegalStateException naming each field whose topic does not exist (or may not be described by the
     *                               sink's user), or saying the cluster did not answer in time
     */
    public static void verify(StreamingPipelineSpec spec) {
        Map<String, String> topics = topics(spec);
        if (topics.isEmpty()) {
            return;
        }
        KafkaSinkSpec kafka = spec.sink.kafka;
        List<String> problems = new ArrayList<>();
        try (Admin admin = Admin.create(adminProperties(kafka))) {
            Map<String, KafkaFuture<?>> answers = new LinkedHashMap<>();
            admin.describeTopics(topics.values().stream().distinct().toList(),
                            new DescribeTopicsOptions().timeoutMs((int) TIMEOUT.toMillis()))
                    .topicNameValues().forEach(answers::put);
            for (var entry : topics.entrySet()) {
                String field = entry.getKey();
                String topic = entry.getValue();
                try {
                    answers.get(topic).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        problems.add(field + ": topic " + topic + " does not exist on " + kafka.bootstrapServers
                                + "; create it (the job does not create topics)");
                    } else if (e.getCause() instanceof TopicAuthorizationException) {
                        problems.add(field + ": the sink's user may not describe topic " + topic + " on "
                                + kafka.bootstrapServers + "; grant it Describe and Write on the topic");
                    } else {
                        throw new IllegalStateException(field + ": could not check that topic " + topic + " exists on "
                                + kafka.bootstrapServers + ": " + e.getCause(), e.getCause());
                    }
                } catch (TimeoutException e) {
                    throw new IllegalStateException(field + ": the Kafka cluster at " + kafka.bootstrapServers
                            + " did not answer within " + TIMEOUT.toSeconds() + " s whether topic " + topic + " exists", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while checking the sink topics", e);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException(String.join("; ", problems));
        }
    }

    /** The sink's connection settings ({@link KafkaSinks#connectionProperties}) with the check's timeouts. */
    static Properties adminProperties(KafkaSinkSpec kafka) {
        Properties properties = KafkaSinks.connectionProperties(kafka);
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        return properties;
    }
}
