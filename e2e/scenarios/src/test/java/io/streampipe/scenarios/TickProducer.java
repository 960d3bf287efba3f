package io.streampipe.scenarios;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Writes tick events continuously, as a service upstream of a pipeline would, and remembers every event the broker
 * acknowledged: what the oracle counts. Each event has its own sequence number and its event time is the time it is
 * sent; device {@code d<i>} always goes to partition {@code i % partitions}, so every partition moves in event time
 * together and none goes idle. It can pause (nothing is sent, and everything sent is acknowledged, when
 * {@link #pause} returns) and resume, for scenarios that need to know exactly which events came when.
 */
final class TickProducer implements AutoCloseable {
    static final int DEVICES = 8;

    /** One acknowledged event. */
    record Tick(String device, long seq, long ts, int partition) {
    }

    private final KafkaProducer<String, String> producer;
    private final String topic;
    private final int partitions;
    private final long intervalMillis;
    private final List<Tick> acknowledged = new ArrayList<>();
    private final Object sending = new Object();
    private final Thread thread;
    private volatile boolean paused;
    private volatile boolean closed;
    private Exception failure;
    private long seq;

    TickProducer(String bootstrapServers, String topic, int partitions, long intervalMillis) {
        this.topic = topic;
        this.partitions = partitions;
        this.intervalMillis = intervalMillis;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new StringSerializer());
        this.thread = new Thread(this::run, "tick-producer");
        this.thread.setDaemon(true);
    }

    static void createTopic(String bootstrapServers, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    TickProducer start() {
        thread.start();
        return this;
    }

    private void run() {
        while (!closed) {
            synchronized (sending) {
                if (!paused) {
                    send();
                }
            }
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void send() {
        long now = System.currentTimeMillis();
        int device = (int) (seq % DEVICES);
        Tick tick = new Tick("d" + device, seq++, now, device % partitions);
        String json = "{\"device\":\"" + tick.device() + "\",\"seq\":" + tick.seq() + ",\"ts\":\"" + Instant.ofEpochMilli(now) + "\"}";
        producer.send(new ProducerRecord<>(topic, tick.partition(), now, tick.device(), json), (metadata, error) -> {
            synchronized (acknowledged) {
                if (error == null) {
                    acknowledged.add(tick);
                } else if (failure == null) {
                    failure = error;
                }
            }
        });
    }

    /** Stops sending; when it returns, every event sent so far is acknowledged (or the producer failed). */
    void pause() {
        synchronized (sending) {
            paused = true;
        }
        producer.flush();
    }

    void resume() {
        paused = false;
    }

    /** Every event the broker acknowledged, in the order sent. */
    List<Tick> acknowledged() {
        synchronized (acknowledged) {
            if (failure != null) {
                throw new IllegalStateException("the producer failed to send an event", failure);
            }
            return List.copyOf(acknowledged);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        producer.close();
    }
}
