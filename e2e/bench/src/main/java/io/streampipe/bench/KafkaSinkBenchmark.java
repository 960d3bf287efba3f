package io.streampipe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streampipe.api.v1alpha1.KafkaSinkSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.TableRef;
import io.streampipe.job.schema.ResultSchema;
import io.streampipe.job.sink.TableCreator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code bench kafka-sink}: the sink benchmark's order events (no window, every event a result) through our job into
 * three sinks side by side in one run: the PostgreSQL sink (upserts into a fresh table, as {@code bench sink}'s
 * {@code job}), the Kafka sink with exactly-once delivery (transactions committed at each checkpoint) and with
 * at-least-once delivery, each into a fresh topic per repetition. A run ends when the sentinel orders are all
 * visible: in the table, or to a {@code read_committed} consumer of the topic. Checked after each run: the table
 * equals the oracle; the topic holds every event once (exactly-once; at least once otherwise) and each order's newest
 * record is its last event.
 */
final class KafkaSinkBenchmark {
    static final String POSTGRES = "postgres";
    static final String EXACTLY_ONCE = "kafka_exactly_once";
    static final String AT_LEAST_ONCE = "kafka_at_least_once";
    private static final String TOPIC = "orders";
    private static final String WARMUP = "_warmup";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int events;
    private final int warmupEvents;
    private final int repeats;
    private final int parallelism;
    private final String checkpointInterval;
    private final List<String> systems;
    private final Map<String, String> flinkConfiguration;

    KafkaSinkBenchmark(Args args) {
        events = args.integer("events", 1_000_000);
        warmupEvents = args.integer("warmup-events", 200_000);
        repeats = args.integer("repeats", 3);
        parallelism = args.integer("parallelism", 2);
        checkpointInterval = args.text("checkpoint-interval", "10s");
        systems = List.of(args.text("systems", POSTGRES + "," + EXACTLY_ONCE + "," + AT_LEAST_ONCE).split(","));
        flinkConfiguration = SinkBenchmark.keyValues(args.text("flink-conf", ""));
        args.requireAllUsed();
    }

    void run() throws Exception {
        Machine.report();
        Report.line("events_requested", events);
        Report.line("parallelism", parallelism);
        Report.line("partitions", parallelism + " (source and sink topics)");
        Report.line("checkpoint_interval", checkpointInterval + " (exactly-once records become visible at each checkpoint)");
        Report.line("flink_conf", flinkConfiguration.isEmpty() ? "(defaults)" : flinkConfiguration);
        OrderEvents data = OrderEvents.generate(events, parallelism, 0.3, 42);
        OrderEvents warmupData = OrderEvents.generate(warmupEvents, parallelism, 0.3, 43);
        Report.line("events", data.size() + " (" + data.realEvents() + " + " + (data.size() - data.realEvents()) + " sentinels)");
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        try (Services services = Services.start();
             FlinkCluster flink = FlinkCluster.start(JobRun.configuration(flinkConfiguration), parallelism)) {
            produce(services, data, TOPIC);
            produce(services, warmupData, TOPIC + WARMUP);
            ResultSchema result = ResultSchema.of(spec(services, TOPIC, POSTGRES, "template"));
            Tables.Content oracle = SinkBenchmark.loadOracle(services, data, result);
            for (String system : systems) {
                String output = "out_" + system + WARMUP;
                double seconds = measure(services, flink, warmupData, TOPIC + WARMUP, system, output, 0);
                Report.line("warmup_" + system + "_events_per_s", warmupData.size() / seconds);
                drop(services, output);
            }
            for (int rep = 1; rep <= repeats; rep++) {
                Map<String, Double> repRates = new LinkedHashMap<>();
                List<String> order = new ArrayList<>(systems);
                Collections.rotate(order, -(rep - 1)); // a drift of the machine's load favours none
                for (String system : order) {
                    String output = "out_" + system + "_r" + rep;
                    double seconds = measure(services, flink, data, TOPIC, system, output, rep);
                    double rate = data.size() / seconds;
                    Report.line("rep" + rep + "_" + system + "_events_per_s", rate);
                    String problem = system.equals(POSTGRES) ? SinkBenchmark.verify(services, output, oracle, SinkBenchmark.JOB)
                            : verifyTopic(services, output, data, system.equals(EXACTLY_ONCE));
                    Report.line("rep" + rep + "_" + system + "_check", problem == null ? "ok" : "FAILED " + problem);
                    if (problem == null) {
                        repRates.put(system, rate);
                        rates.computeIfAbsent(system, s -> new ArrayList<>()).add(rate);
                    } else {
                        failures.add("rep " + rep + " " + system + ": " + problem);
                    }
                    drop(services, output);
                }
                for (String system : systems) {
                    if (!system.equals(POSTGRES) && repRates.containsKey(system) && repRates.containsKey(POSTGRES)) {
                        double ratio = repRates.get(system) / repRates.get(POSTGRES);
                        ratios.computeIfAbsent(system, s -> new ArrayList<>()).add(ratio);
                        Report.line("rep" + rep + "_" + system + "_to_postgres", ratio);
                    }
                }
            }
        }
        Machine.reportLoad("load_avg_end");
        StringBuilder summary = new StringBuilder(String.format(Locale.ROOT, "kafka-sink events=%d p=%d checkpoint=%s",
                data.size(), parallelism, checkpointInterval));
        for (String system : systems) {
            Report.Spread spread = Report.Spread.of(rates.getOrDefault(system, List.of()));
            Report.line(system + "_events_per_s", spread);
            summary.append(' ').append(system).append('=').append(Report.number(spread.median())).append("/s");
        }
        for (var entry : ratios.entrySet()) {
            Report.Spread spread = Report.Spread.of(entry.getValue());
            Report.line(entry.getKey() + "_to_postgres", spread);
            summary.append(' ').append(entry.getKey()).append("_to_postgres=").append(Report.number(spread.median()));
        }
        Report.line("checks", failures.isEmpty() ? "every table equal to the oracle, every topic as expected" : String.join("; ", failures));
        summary.append(" checks=").append(failures.isEmpty() ? "ok" : "FAILED");
        Report.line("summary", summary.toString());
        if (!failures.isEmpty()) {
            throw new IllegalStateException("A sink wrote wrong data: " + failures);
        }
    }

    private void produce(Services services, OrderEvents data, String topic) {
        long start = System.nanoTime();
        services.kafka.createTopic(topic, parallelism);
        try (FastProducer producer = new FastProducer(services.kafka.bootstrapServers())) {
            for (int i = 0; i < data.size(); i++) {
                OrderEvents.Order order = data.event(i);
                producer.send(topic, data.partitionOfEvent(i), order.orderId(), order.json());
            }
            producer.flush();
        }
        Report.progress("produced %d events into %s in %.1f s", data.size(), topic, (System.nanoTime() - start) / 1e9);
    }

    /** The upsert pipeline of {@code bench sink}, writing to PostgreSQL, or to Kafka alone (dead letters to a topic). */
    private StreamingPipelineSpec spec(Services services, String topic, String system, String output) {
        StreamingPipelineSpec spec = OrderEvents.upsertSpec(parallelism, services.kafka.bootstrapServers(), topic,
                "bench-" + output, services.postgres.jdbcUrl(), output, 500, "50ms");
        spec.checkpointing.interval = checkpointInterval;
        if (!system.equals(POSTGRES)) {
            spec.sink.postgres = null;
            spec.sink.kafka = new KafkaSinkSpec();
            spec.sink.kafka.bootstrapServers = services.kafka.bootstrapServers();
            spec.sink.kafka.topic = output;
            spec.sink.kafka.delivery = system.equals(EXACTLY_ONCE) ? KafkaSinkSpec.Delivery.EXACTLY_ONCE : KafkaSinkSpec.Delivery.AT_LEAST_ONCE;
            spec.deadLetter = new TableRef();
            spec.deadLetter.topic = output + "_rejects";
        }
        return spec;
    }

    private double measure(Services services, FlinkCluster flink, OrderEvents data, String topic, String system, String output,
                           int rep) throws Exception {
        StreamingPipelineSpec spec = spec(services, topic, system, output);
        Duration timeout = Duration.ofSeconds(Math.max(600, data.size() / 2000));
        Report.progress("%s: %s into %s", rep == 0 ? "warm-up" : "rep " + rep, system, output);
        Map<String, Double> cpu = services.cpu();
        double seconds;
        if (system.equals(POSTGRES)) {
            try (Connection connection = services.connect()) {
                drop(services, output);
                Tables.execute(connection, TableCreator.statements(spec));
            }
            try (Connection probe = services.connect()) {
                seconds = JobRun.runUntil(services, flink, spec, parallelism, null,
                        () -> Tables.present(probe, output, "order_id", data.sentinelIds()) == data.sentinelIds().size(), timeout);
            }
        } else {
            services.kafka.createTopic(output, parallelism);
            services.kafka.createTopic(output + "_rejects", 1);
            try (SentinelWatch watch = new SentinelWatch(services.kafka.bootstrapServers(), services.kafka.admin(), output,
                    parallelism, data.sentinelIds())) {
                long start = System.nanoTime();
                seconds = JobRun.runUntil(services, flink, spec, parallelism, "bench/" + output.replace('_', '-'), watch::allVisible, timeout);
                if (rep > 0) {
                    // Diagnostic: until the last sentinel was in the log; exactly-once's rest is the wait for the checkpoint.
                    Report.line("rep" + rep + "_" + system + "_sent_s", (watch.allSentAt() - start) / 1e9);
                }
            }
        }
        if (rep > 0) {
            services.reportCpuSince("rep" + rep + "_" + system, cpu, seconds);
            Report.line("rep" + rep + "_" + system + "_s", seconds);
        }
        return seconds;
    }

    private static Properties consumerProperties(String bootstrapServers) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return properties;
    }

    private static List<TopicPartition> partitions(String topic, int count) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            partitions.add(new TopicPartition(topic, p));
        }
        return partitions;
    }

    private static String key(String orderId) {
        return "{\"order_id\":\"" + orderId + "\"}";
    }

    /**
     * Watches the sink topic while the job runs: a {@code read_uncommitted} consumer on a thread of its own notes where
     * each sentinel order's record is in the log and when the last one arrived (sent); the run is done when the
     * topic's last stable offset (what {@code read_committed} consumers may read) is past all of them (visible). For
     * at-least-once the two are the same moment; for exactly-once visible waits for the checkpoint that commits the
     * transaction. It looks at keys only (its CPU counts in the benchmark JVM's, like the table probe's queries count
     * in PostgreSQL's).
     */
    private static final class SentinelWatch implements AutoCloseable {
        private final Set<String> missing;
        private final Map<Integer, Long> lastSentinelOffset = new java.util.concurrent.ConcurrentHashMap<>();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private final Admin admin;
        private final String topic;
        private final Thread thread;
        private volatile long allSentAt;
        private volatile boolean stop;

        SentinelWatch(String bootstrapServers, Admin admin, String topic, int partitionCount, List<String> sentinelIds) {
            this.admin = admin;
            this.topic = topic;
            missing = Collections.synchronizedSet(new HashSet<>());
            sentinelIds.forEach(id -> missing.add(key(id)));
            Properties properties = consumerProperties(bootstrapServers);
            properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
            thread = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
                    consumer.assign(partitions(topic, partitionCount));
                    consumer.seekToBeginning(consumer.assignment());
                    while (!stop) {
                        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                            if (record.key() != null && record.key().length == 27
                                    && missing.remove(new String(record.key(), StandardCharsets.UTF_8))) {
                                lastSentinelOffset.merge(record.partition(), record.offset(), Math::max);
                                if (missing.isEmpty()) {
                                    allSentAt = System.nanoTime();
                                }
                            }
                        }
                    }
                } catch (Exception e) {
                    failure.set(e);
                }
            }, "sentinel-watch-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        /** When the last sentinel record was in the log (System.nanoTime), 0 before. */
        long allSentAt() {
            return allSentAt;
        }

        boolean allVisible() throws Exception {
            if (failure.get() != null) {
                throw new IllegalStateException("Reading the sink topic failed", failure.get());
            }
            if (allSentAt == 0) {
                return false;
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            lastSentinelOffset.keySet().forEach(p -> latest.put(new TopicPartition(topic, p), OffsetSpec.latest()));
            var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
            return lastSentinelOffset.entrySet().stream()
                    .allMatch(e -> stable.get(new TopicPartition(topic, e.getKey())).offset() > e.getValue());
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(10_000);
        }
    }

    /**
     * Reads the whole topic with {@code read_committed}: every event is a record (exactly once: as many records as
     * events; at least once: no fewer), and each order's newest record is its last event (its {@code updated_at},
     * unique per event, status and amount).
     */
    private static String verifyTopic(Services services, String topic, OrderEvents data, boolean exactlyOnce) {
        Map<String, JsonNode> newest = new HashMap<>();
        long records = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(services.kafka.bootstrapServers()))) {
            List<TopicPartition> partitions = new ArrayList<>(consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    return "the topic could not be read to its end in 5 minutes";
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    records++;
                    newest.put(new String(record.key(), StandardCharsets.UTF_8), JSON.readTree(record.value()));
                }
            }
        } catch (Exception e) {
            return "reading the topic failed: " + e;
        }
        if (exactlyOnce ? records != data.size() : records < data.size()) {
            return records + " records for " + data.size() + " events";
        }
        int[] latest = data.latestEvents();
        if (newest.size() != latest.length) {
            return newest.size() + " keys, expected " + latest.length;
        }
        for (int event : latest) {
            OrderEvents.Order order = data.event(event);
            JsonNode record = newest.get(key(order.orderId()));
            if (record == null || !record.path("status").asText().equals(order.status())
                    || record.path("amount").asDouble() != order.amount()
                    || Instant.parse(record.path("updated_at").asText()).toEpochMilli() != order.updatedAt()) {
                return "order " + order.orderId() + ": newest record " + record + ", expected its event " + order.json();
            }
        }
        return null;
    }

    /** Drops the output table or deletes the output topics (a run's topics would fill the broker's disk). */
    private static void drop(Services services, String output) throws Exception {
        try (Connection connection = services.connect()) {
            Tables.drop(connection, output, output + "_rejects");
        }
        Set<String> topics = services.kafka.admin().listTopics().names().get();
        List<String> ours = List.of(output, output + "_rejects").stream().filter(topics::contains).toList();
        if (!ours.isEmpty()) {
            services.kafka.admin().deleteTopics(ours).all().get();
        }
    }
}
