package io.streampipe.sandbox;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The records of a pipeline's sink topic as they land, as a {@code read_committed} consumer sees them (an
 * exactly-once sink's records appear when the checkpoint commits them): what the local run prints beside the table
 * rows. A record is {@code + <topic> <key> <value>}, a tombstone {@code - <topic> <key>}. Records already on the topic
 * when it starts are counted, not shown.
 */
public final class TopicFeed implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(200);

    private final String topic;
    private final KafkaConsumer<String, String> consumer;
    private long records;

    private TopicFeed(String topic, KafkaConsumer<String, String> consumer) {
        this.topic = topic;
        this.consumer = consumer;
    }

    /**
     * @param connection the sink's cluster and login ({@code KafkaSinks.connectionProperties})
     */
    public static TopicFeed start(String topic, Properties connection, PrintStream out) {
        Properties properties = new Properties();
        properties.putAll(connection);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties);
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        long already = 0;
        for (TopicPartition partition : partitions) {
            already += consumer.position(partition); // resolves the lazy seek now: later records are the new ones
        }
        out.println("  topic        " + topic + " (results, read_committed)" + (already > 0
                ? "; it has " + already + " offsets already, only new records are shown" : ""));
        return new TopicFeed(topic, consumer);
    }

    /** The records that landed since the last poll, a line each, at most {@link TableWatcher#MAX_LINES_PER_TABLE}. */
    public List<String> poll() {
        List<String> lines = new ArrayList<>();
        int count = 0;
        for (ConsumerRecord<String, String> record : consumer.poll(POLL)) {
            records++;
            if (++count <= TableWatcher.MAX_LINES_PER_TABLE) {
                lines.add(line(topic, record.key(), record.value()));
            }
        }
        if (count > TableWatcher.MAX_LINES_PER_TABLE) {
            lines.add("  … and " + (count - TableWatcher.MAX_LINES_PER_TABLE) + " more records on " + topic);
        }
        return lines;
    }

    static String line(String topic, String key, String value) {
        return value == null ? "- " + topic + " " + key : "+ " + topic + " " + key + " " + value;
    }

    /** {@code records: sensor-alerts 12} */
    public String recordCount() {
        return "records: " + topic + " " + records;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
