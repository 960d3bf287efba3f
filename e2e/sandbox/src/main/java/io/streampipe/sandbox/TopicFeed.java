package io.streampipe.sandbox;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The records of a pipeline's topics (result, late-data, dead-letter; {@link PipelineTopics}) as they land, as one
 * {@code read_committed} consumer sees them (an exactly-once sink's records appear when the checkpoint commits them):
 * what the local run and the demo print beside the table rows. A record is {@code + <topic> <key> <value>}, a
 * tombstone {@code - <topic> <key>}. Records already on a topic when it starts are not shown.
 */
public final class TopicFeed implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<String, String> consumer;
    /** Records seen since the start, by topic, in the order of {@link PipelineTopics#roles()}. */
    private final Map<String, Long> records = new LinkedHashMap<>();

    private TopicFeed(Set<String> topics, KafkaConsumer<String, String> consumer) {
        topics.forEach(topic -> records.put(topic, 0L));
        this.consumer = consumer;
    }

    /**
     * Names each topic on {@code out} and starts at its end.
     *
     * @param connection the sink's cluster and login ({@code KafkaSinks.connectionProperties})
     */
    public static TopicFeed start(PipelineTopics topics, Properties connection, PrintStream out) {
        Properties properties = new Properties();
        properties.putAll(connection);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties);
        try {
            Map<String, List<TopicPartition>> partitions = new LinkedHashMap<>();
            for (String topic : topics.roles().keySet()) {
                partitions.put(topic, consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map(info -> new TopicPartition(topic, info.partition())).toList());
            }
            List<TopicPartition> all = partitions.values().stream().flatMap(List::stream).toList();
            consumer.assign(all);
            consumer.seekToEnd(all);
            topics.roles().forEach((topic, role) -> {
                long already = 0;
                for (TopicPartition partition : partitions.get(topic)) {
                    already += consumer.position(partition); // resolves the lazy seek now: later records are the new ones
                }
                out.println("  topic        " + topic + " (" + role + ", read_committed)" + (already > 0
                        ? "; it has " + already + " offsets already, only new records are shown" : ""));
            });
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
        return new TopicFeed(topics.roles().keySet(), consumer);
    }

    /**
     * The records that landed since the last poll, a line each, at most {@link TableWatcher#MAX_LINES_PER_TABLE} a
     * topic.
     */
    public List<String> poll() {
        List<String> lines = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
            records.merge(record.topic(), 1L, Long::sum);
            if (counts.merge(record.topic(), 1, Integer::sum) <= TableWatcher.MAX_LINES_PER_TABLE) {
                lines.add(line(record.topic(), record.key(), record.value()));
            }
        }
        counts.forEach((topic, count) -> {
            if (count > TableWatcher.MAX_LINES_PER_TABLE) {
                lines.add("  … and " + (count - TableWatcher.MAX_LINES_PER_TABLE) + " more records on " + topic);
            }
        });
        return lines;
    }

    /** Records (and tombstones) that landed on {@code topic} since the feed started. */
    public long newRecords(String topic) {
        return records.getOrDefault(topic, 0L);
    }

    static String line(String topic, String key, String value) {
        return value == null ? "- " + topic + " " + key : "+ " + topic + " " + key + " " + value;
    }

    /** {@code records: sensor-alerts 12, sensor-readings-rejects 3} */
    public String recordCount() {
        return "records: " + records.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
