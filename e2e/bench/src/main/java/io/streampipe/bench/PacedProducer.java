package io.streampipe.bench;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A producer at a fixed rate, as a live source is: event {@code i} is sent at {@code start + i / rate} (not in
 * bursts), with the client's defaults except {@code linger.ms=5} (the default from Kafka 4.0 on, which batches
 * records of the same 5 ms into one request instead of sending 10,000 requests a second), and its payload is built
 * at the moment it is sent, so it carries its own produce time: the linger is part of the measured latency.
 */
final class PacedProducer {
    interface Event {
        /** @return partition, key and JSON value of event {@code index}, produced at {@code producedAtMillis} */
        Record at(int index, long producedAtMillis);
    }

    record Record(int partition, String key, String value) {
    }

    private PacedProducer() {
    }

    /** @return the number of events sent, with the seconds it took, as {count, seconds·1000} */
    static long[] run(String bootstrapServers, String topic, double rate, Duration duration, Event events) {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        AtomicReference<Exception> failure = new AtomicReference<>();
        long total = (long) (rate * duration.toMillis() / 1000.0);
        double intervalNanos = 1e9 / rate;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(properties)) {
            long start = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long due = start + (long) (i * intervalNanos);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                Record record = events.at(i, System.currentTimeMillis());
                producer.send(new ProducerRecord<>(topic, record.partition(), record.key(), record.value()), (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
            if (failure.get() != null) {
                throw new IllegalStateException("Producing to " + topic + " failed", failure.get());
            }
            return new long[] {total, (System.nanoTime() - start) / 1_000_000};
        }
    }
}
