package io.streampipe.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The window benchmark's baseline: one thread that consumes the topic with a plain KafkaConsumer (the client's
 * defaults, as Flink's source uses them) and parses every reading into typed values with Jackson's streaming parser,
 * the way the job's parser does (ISO timestamps through OffsetDateTime). Nothing else: no windows, no state, no sink.
 */
final class BareLoop {
    private BareLoop() {
    }

    record Result(double seconds, long records, double checksum) {
    }

    static Result run(String bootstrapServers, String topic) throws Exception {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        JsonFactory json = new JsonFactory();
        long start = System.nanoTime();
        long records = 0;
        double checksum = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    checksum += parse(json, record.value());
                    records++;
                }
            }
        }
        return new Result((System.nanoTime() - start) / 1e9, records, checksum);
    }

    /** Every field to its type; returns a number that depends on all of them, so none of the work can be skipped. */
    private static double parse(JsonFactory json, byte[] value) throws Exception {
        double sum = 0;
        try (JsonParser parser = json.createParser(value)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                switch (name) {
                    case "sensor_id", "site" -> sum += parser.getText().length();
                    case "temperature", "humidity" -> sum += parser.getDoubleValue();
                    case "battery" -> sum += parser.getLongValue();
                    case "ts" -> sum += OffsetDateTime.parse(parser.getText()).toInstant().toEpochMilli() % 1000;
                    default -> parser.skipChildren();
                }
            }
        }
        return sum;
    }
}
