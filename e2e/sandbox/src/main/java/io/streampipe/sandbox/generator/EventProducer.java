package io.streampipe.sandbox.generator;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Sends the generator's events to the topic at a steady rate, keyed by the keyBy values (so each key's events stay
 * in order in one partition), and keeps the tally of what the broker acknowledged: counts per kind, every broken and
 * every too-late record with its position, and the latest valid event of each key.
 */
public final class EventProducer implements AutoCloseable {
    private static final long TICK_MILLIS = 20;

    private final EventGenerator generator;
    private final String topic;
    private final int eventsPerSecond;
    private final KafkaProducer<String, String> producer;
    private final Thread thread;
    private final Map<EventKind, Long> acknowledged = new EnumMap<>(EventKind.class);
    private final List<ProducedEvent> rejected = new ArrayList<>();
    private final List<ProducedEvent> tooLate = new ArrayList<>();
    private final Map<String, ProducedEvent> latestValid = new HashMap<>();
    private volatile boolean running;
    private long failed;
    private String firstFailure;

    /** @param kafka client properties: bootstrap servers and, for a real cluster, its security settings */
    public EventProducer(EventGenerator generator, Properties kafka, String topic, int eventsPerSecond) {
        this.generator = generator;
        this.topic = topic;
        this.eventsPerSecond = eventsPerSecond;
        Properties properties = new Properties();
        properties.putAll(kafka);
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, "streampipe-local-run-generator");
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        this.producer = new KafkaProducer<>(properties);
        this.thread = new Thread(this::produce, "event-generator");
        this.thread.setDaemon(true);
    }

    /** Partitions of the topic, as the broker reports them. */
    public int partitions() {
        return producer.partitionsFor(topic).size();
    }

    public void start() {
        running = true;
        thread.start();
    }

    /** Stops generating and waits until everything sent is acknowledged (or failed). */
    public void stop() {
        stopGenerating();
        producer.flush();
    }

    @Override
    public void close() {
        stopGenerating();
        producer.close(Duration.ofSeconds(5));
    }

    private void stopGenerating() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public synchronized long acknowledged() {
        return acknowledged.values().stream().mapToLong(Long::longValue).sum();
    }

    public synchronized long acknowledged(EventKind kind) {
        return acknowledged.getOrDefault(kind, 0L);
    }

    public synchronized long rejectedCount() {
        return rejected.size();
    }

    /** Every broken record the broker acknowledged, in the order sent per partition. */
    public synchronized List<ProducedEvent> rejected() {
        return List.copyOf(rejected);
    }

    /** Every event generated later than the window's allowed lateness. */
    public synchronized List<ProducedEvent> tooLate() {
        return List.copyOf(tooLate);
    }

    /** The last valid event of each key, in the order the job reads them. */
    public synchronized Map<String, ProducedEvent> latestValidByKey() {
        return Map.copyOf(latestValid);
    }

    public synchronized long failed() {
        return failed;
    }

    public synchronized String firstFailure() {
        return firstFailure;
    }

    private void produce() {
        long start = System.currentTimeMillis();
        long sent = 0;
        while (running) {
            long now = System.currentTimeMillis();
            long due = (now - start) * eventsPerSecond / 1000;
            while (sent < due && running) {
                send(generator.next(now));
                sent++;
            }
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void send(GeneratedEvent event) {
        producer.send(new ProducerRecord<>(topic, event.key(), event.payload()), (metadata, exception) -> {
            synchronized (this) {
                if (exception != null) {
                    failed++;
                    if (firstFailure == null) {
                        firstFailure = exception.toString();
                    }
                    return;
                }
                acknowledged.merge(event.kind(), 1L, Long::sum);
                ProducedEvent produced = new ProducedEvent(event, metadata.partition(), metadata.offset());
                if (event.kind().rejected()) {
                    rejected.add(produced);
                } else {
                    if (event.kind() == EventKind.TOO_LATE) {
                        tooLate.add(produced);
                    }
                    latestValid.put(event.key(), produced);
                }
            }
        });
    }
}
