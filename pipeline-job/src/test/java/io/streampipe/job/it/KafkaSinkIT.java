package io.streampipe.job.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streampipe.api.v1alpha1.KafkaSinkSpec;
import io.streampipe.api.v1alpha1.LateDataSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.TableRef;
import io.streampipe.job.JobOptions;
import io.streampipe.job.it.WindowOracle.Kind;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.streampipe.job.it.Ev.ev;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Kafka sink on a real broker: the rows a {@code read_committed} consumer reads off the result topic (the newest
 * record per key, tombstones removing a key) equal the oracle's rows, through a task failure and a restore from a
 * savepoint. Checkpoints are taken only when the test asks for one (the configured interval is an hour), so the test
 * knows which results are in an open transaction when the task fails: exactly-once, a read_committed consumer sees
 * each result record once, though the aborted transaction had already sent some of them; at-least-once, the records
 * sent since the last checkpoint are in the topic twice.
 */
class KafkaSinkIT {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();
    @RegisterExtension
    static final MiniClusterExtension FLINK = Pipelines.miniCluster();

    private static final long MINUTE = 60_000;
    private static final Predicate<WindowOracle.Row> HAVING = r -> r.mean() >= 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Tumbling 10-minute windows, 10 minutes allowed lateness, mean >= 1; results to the table and the topic. */
    private static StreamingPipelineSpec spec(String topic, KafkaSinkSpec.Delivery delivery) {
        StreamingPipelineSpec spec = Pipelines.windowedSpec(KAFKA, POSTGRES, topic, topic,
                "{type: tumbling, size: 10m, allowedLateness: 10m}", "[{field: mean, op: gte, value: 1}]",
                "{table: " + topic + "_late}");
        spec.sink.kafka = new KafkaSinkSpec();
        spec.sink.kafka.bootstrapServers = KAFKA.bootstrapServers();
        spec.sink.kafka.topic = topic + "-results";
        spec.sink.kafka.delivery = delivery;
        return spec;
    }

    /** The same pipeline writing only to Kafka: results, dead letters and late events on topics. */
    private static StreamingPipelineSpec kafkaOnly(String topic, KafkaSinkSpec.Delivery delivery) {
        StreamingPipelineSpec spec = spec(topic, delivery);
        spec.sink.postgres = null;
        spec.deadLetter = new TableRef();
        spec.deadLetter.topic = topic + "-rejects";
        spec.lateData = new LateDataSpec();
        spec.lateData.topic = topic + "-late";
        return spec;
    }

    /** Checkpoints only when the test triggers one; the pipeline's name gives the transactional ids. */
    private static JobOptions options(String topic) {
        Configuration configuration = Pipelines.jobConfiguration();
        configuration.setString("execution.checkpointing.interval", "1h");
        return Pipelines.options(POSTGRES, 2).withConfiguration(configuration).withPipeline("it/" + topic.replace('_', '-'))
                .withWiring(wiring -> wiring.withEventsTap((DataStream<Row> events) ->
                        events.map(new FailOnceOnUser("boom"), events.getType()).name("fail-once-on-boom")));
    }

    private static Scenario scenario(String topic) {
        KAFKA.createTopic(topic, 4);
        KAFKA.createTopic(topic + "-results", 3);
        return new Scenario(KAFKA, topic, 4, Duration.ofMinutes(1), new WindowOracle(Kind.TUMBLING, 10 * MINUTE, 0, 10 * MINUTE));
    }

    @Test
    void exactlyOnceAReadCommittedConsumerSeesEachResultOnceThroughAFailureAndARestore(
            @InjectMiniCluster MiniCluster cluster, @TempDir Path savepoints) throws Exception {
        String topic = Pipelines.unique("eos");
        String results = topic + "-results";
        Scenario scenario = scenario(topic);
        FailOnceOnUser.FAILED.set(false);
        JobOptions options = options(topic);
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec(topic, KafkaSinkSpec.Delivery.EXACTLY_ONCE), options);
            scenario.runningIn(job, 2);
            scenario.step(ev("alice", 1, 5, 0), ev("bob", 2, 3, 1), ev("carol", 3, 4, 2), ev("dave", 4, 0.5, 3));
            scenario.clock(11);
            // Fired, sent, but not committed: a read_committed consumer sees nothing until the checkpoint completes.
            awaitUncommittedRows(results, expected(scenario));
            assertThat(read(results, "read_committed")).isEmpty();
            checkpoint(cluster, job);
            Pipelines.awaitEqual(() -> committedRows(results), expected(scenario));

            // A late firing (alice, dave now passes having), a new window; sent in the open transaction, then a task fails.
            scenario.step(ev("alice", 5, 2, 0), ev("dave", 6, 9, 3), ev("bob", 12, 3, 1));
            scenario.clock(21);
            awaitUncommittedRows(results, expected(scenario));
            scenario.step(ev("boom", 22, 1, 0));
            scenario.clock(32);
            assertThat(FailOnceOnUser.FAILED).isTrue();
            checkpoint(cluster, job);
            Pipelines.awaitEqual(() -> committedRows(results), expected(scenario));
            assertThat(duplicates(read(results, "read_uncommitted"))).as("records of the aborted transaction, sent again").isNotEmpty();
            assertThat(duplicates(KAFKA.readAll(results))).as("read_committed").isEmpty();

            // Stop with a savepoint (it commits), records arrive while no job runs, the restored job goes on.
            String savepoint = Pipelines.savepoint(job, savepoints);
            scenario.step(ev("carol", 35, 2, 2));
            job = jobs.start(spec(topic, KafkaSinkSpec.Delivery.EXACTLY_ONCE), Pipelines.restoring(options, savepoint));
            scenario.runningIn(job, 2).clock(36);
            scenario.step(ev("alice", 31, 4, 0), ev("dave", 25, 3, 3));
            scenario.clock(45);
            checkpoint(cluster, job);

            List<WindowOracle.Row> expected = expected(scenario);
            assertThat(expected).extracting(WindowOracle.Row::user).contains("alice", "bob", "boom", "carol", "dave");
            Pipelines.awaitEqual(() -> committedRows(results), expected);
            assertThat(duplicates(KAFKA.readAll(results))).as("read_committed").isEmpty();
            // The table, written beside the topic, holds the same rows.
            Pipelines.awaitEqual(() -> Pipelines.windowRows(POSTGRES, topic), expected);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        }
    }

    @Test
    void atLeastOnceToKafkaAloneRepeatsWhatTheFailedAttemptSentAndEndsWithTheOraclesRows(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        String topic = Pipelines.unique("alo");
        String results = topic + "-results";
        Scenario scenario = scenario(topic);
        KAFKA.createTopic(topic + "-rejects", 1);
        KAFKA.createTopic(topic + "-late", 1);
        FailOnceOnUser.FAILED.set(false);
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(kafkaOnly(topic, KafkaSinkSpec.Delivery.AT_LEAST_ONCE), options(topic));
            scenario.runningIn(job, 2);
            scenario.step(ev("alice", 1, 5, 0), ev("bob", 2, 3, 1), Ev.raw("{not json", 2), ev("dave", 4, 0.5, 3));
            scenario.clock(11);
            // At-least-once, records are visible as soon as they are sent.
            Pipelines.awaitEqual(() -> rows(read(results, "read_committed")), expected(scenario));
            checkpoint(cluster, job);

            scenario.step(ev("alice", 5, 2, 0), ev("dave", 6, 9, 3), ev("bob", 12, 3, 1));
            scenario.clock(21);
            Pipelines.awaitEqual(() -> rows(read(results, "read_committed")), expected(scenario));
            scenario.step(ev("boom", 22, 1, 0));
            scenario.clock(32);
            assertThat(FailOnceOnUser.FAILED).isTrue();
            // Too late for its window's allowed lateness: to the late-data topic.
            scenario.step(ev("carol", 1, 9, 2));
            scenario.clock(33);
            checkpoint(cluster, job);

            List<WindowOracle.Row> expected = expected(scenario);
            assertThat(expected).extracting(WindowOracle.Row::user).contains("alice", "bob", "boom", "dave");
            Pipelines.awaitEqual(() -> rows(read(results, "read_committed")), expected);
            assertThat(duplicates(read(results, "read_committed"))).as("sent before the failure, and again after it").isNotEmpty();
            assertThat(scenario.oracle().late()).extracting(Ev::user).containsExactly("carol");
            Pipelines.awaitEqual(() -> read(topic + "-late", "read_committed").stream().map(r -> r.key()).distinct().toList(),
                    List.of("{\"user_id\":\"carol\"}"));
            Pipelines.awaitEqual(() -> read(topic + "-rejects", "read_committed").stream()
                    .map(r -> json(r.value()).get("payload").asText()).distinct().toList(), List.of("{not json"));
        }
    }

    /**
     * A topic the job would write to and that does not exist fails the start, naming the field and the topic (as a
     * table that does not fit does), instead of a producer blocking for max.block.ms on its metadata or a broker
     * creating it with its defaults; once the topics exist, the same spec runs. Failed on the code before the check:
     * the start returned a job.
     */
    @Test
    void aMissingSinkTopicFailsTheStartNamingTheFieldAndTheTopic() throws Exception {
        String topic = Pipelines.unique("missing");
        KAFKA.createTopic(topic, 4);
        KAFKA.createTopic(topic + "-results", 3);
        StreamingPipelineSpec spec = kafkaOnly(topic, KafkaSinkSpec.Delivery.AT_LEAST_ONCE);
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            assertThatThrownBy(() -> jobs.start(spec, options(topic)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("spec.deadLetter.topic: topic " + topic + "-rejects does not exist on " + KAFKA.bootstrapServers()
                            + "; create it (the job does not create topics); spec.lateData.topic: topic " + topic
                            + "-late does not exist on " + KAFKA.bootstrapServers() + "; create it (the job does not create topics)");
            assertThat(KAFKA.admin().listTopics().names().get()).as("the check created nothing")
                    .doesNotContain(topic + "-rejects", topic + "-late");

            KAFKA.createTopic(topic + "-rejects", 1);
            KAFKA.createTopic(topic + "-late", 1);
            JobClient job = jobs.start(spec, options(topic));
            Pipelines.awaitEqual(() -> job.getJobStatus().join(), JobStatus.RUNNING);
        }
    }

    private static List<WindowOracle.Row> expected(Scenario scenario) {
        return Pipelines.rounded(scenario.oracle().rows(scenario.watermark(), HAVING));
    }

    /** Takes a checkpoint now and waits until it completed; the sink commits its transaction when it is notified. */
    private static void checkpoint(MiniCluster cluster, JobClient job) throws Exception {
        cluster.triggerCheckpoint(job.getJobID()).get(60, TimeUnit.SECONDS);
    }

    private static void awaitUncommittedRows(String topic, List<WindowOracle.Row> expected) {
        Pipelines.awaitEqual(() -> rows(read(topic, "read_uncommitted")), expected);
    }

    private static List<WindowOracle.Row> committedRows(String topic) {
        return rows(KAFKA.readAll(topic));
    }

    /**
     * The rows a consumer of the topic holds after reading it in order: per key the newest record, a tombstone
     * removing the key. Keys are compared as their JSON text, as Kafka partitions by the key's bytes.
     */
    static List<WindowOracle.Row> rows(List<ConsumerRecord<String, String>> records) {
        Map<String, WindowOracle.Row> byKey = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            if (record.value() == null) {
                byKey.remove(record.key());
            } else {
                byKey.put(record.key(), row(record.key(), record.value()));
            }
        }
        return Pipelines.rounded(byKey.values().stream()
                .sorted(java.util.Comparator.comparing(WindowOracle.Row::user).thenComparing(WindowOracle.Row::start))
                .toList());
    }

    /** A record's value as the oracle's row; its key must be the value's primary-key columns. */
    private static WindowOracle.Row row(String key, String value) {
        JsonNode row = json(value);
        JsonNode expectedKey = JSON.createObjectNode().put("user_id", row.get("user_id").asText())
                .put("window_start", row.get("window_start").asText());
        assertThat(json(key)).isEqualTo(expectedKey);
        return new WindowOracle.Row(row.get("user_id").asText(), Instant.parse(row.get("window_start").asText()).toEpochMilli(),
                Instant.parse(row.get("window_end").asText()).toEpochMilli(), row.get("n").asLong(),
                row.get("total").asDouble(), row.get("mean").asDouble(), row.get("lo").asDouble(), row.get("hi").asDouble());
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records (key and value) that are in the topic more than once. */
    static List<String> duplicates(List<ConsumerRecord<String, String>> records) {
        Map<String, Integer> seen = new HashMap<>();
        records.forEach(r -> seen.merge(r.key() + " -> " + r.value(), 1, Integer::sum));
        return seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).sorted().toList();
    }

    /**
     * Every record in the topic now as a consumer with this isolation level reads it: read_uncommitted includes the
     * records of open and aborted transactions; read_committed stops before the first open transaction (unlike
     * {@link KafkaBroker#readAll}, which waits until none is open).
     */
    static List<ConsumerRecord<String, String>> read(String topic, String isolationLevel) {
        Properties properties = KAFKA.clientProperties();
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        try (var consumer = new KafkaConsumer<String, String>(properties)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }
}
