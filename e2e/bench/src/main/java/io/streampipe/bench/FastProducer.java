package io.streampipe.bench;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/** Bulk loading of a benchmark's topics, once per run: lz4, large batches, one acknowledgement. */
final class FastProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private long bytes;

    FastProducer(String bootstrapServers) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ProducerConfig.ACKS_CONFIG, "1");
        properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        properties.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        properties.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256L << 20);
        properties.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20);
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producer = new KafkaProducer<>(properties);
    }

    void send(String topic, int partition, String key, String value) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
        bytes += keyBytes.length + valueBytes.length;
        producer.send(new ProducerRecord<>(topic, partition, keyBytes, valueBytes), (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
        if (failure.get() != null) {
            throw new IllegalStateException("Producing to " + topic + " failed", failure.get());
        }
    }

    /** Uncompressed key + value bytes sent so far. */
    long bytes() {
        return bytes;
    }

    /** Waits until the broker acknowledged everything sent. */
    void flush() {
        producer.flush();
        if (failure.get() != null) {
            throw new IllegalStateException("Producing failed", failure.get());
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
