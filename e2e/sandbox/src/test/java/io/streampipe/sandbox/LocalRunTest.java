package io.streampipe.sandbox;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streampipe.api.JobContract;
import io.streampipe.api.v1alpha1.KafkaSinkSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.SpecFiles;
import io.streampipe.sandbox.generator.EventKind;
import io.streampipe.sandbox.generator.GeneratedEvent;
import io.streampipe.sandbox.generator.ProducedEvent;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local run end to end, for two examples with a fixed seed and a bounded duration: what the generator sent is
 * compared with what the job wrote, exactly where the outcome does not depend on timing (dead letters; the latest
 * row per order), and by its defining property where it does (every alert passes {@code having}; every late row was
 * generated too late). Afterwards no process the run started is alive and its directory is gone.
 */
class LocalRunTest {
    private static final Path EXAMPLES = Path.of(System.getProperty("streampipe.examples", "../../examples"));

    /**
     * The orders example with its results and dead letters on topics only (spec.sink.kafka, spec.deadLetter.topic, no
     * spec.sink.postgres). Its Kafka doesn't answer: the run starts a broker with the three topics, and no PostgreSQL.
     * The newest record of each order on the result topic is its latest valid event; the dead-letter topic holds exactly
     * the broken records, each for the reason it was broken for; the console shows the records of both as they land.
     */
    @Test
    void ordersToKafkaOnlyMirrorTheLatestValidEventOfEachOrderAndTheDeadLetters() throws Exception {
        Set<Long> childrenBefore = liveChildren();
        Settings settings = new Settings(EXAMPLES.resolve("orders-upsert.yaml"), 25, Duration.ofSeconds(15), 11, 1);
        StreamingPipelineSpec spec = SpecFiles.read(settings.manifest());
        spec.sink.postgres = null;
        spec.sink.kafka = new KafkaSinkSpec();
        spec.sink.kafka.bootstrapServers = spec.source.kafka.bootstrapServers;
        spec.sink.kafka.topic = "orders-latest";
        spec.sink.kafka.delivery = KafkaSinkSpec.Delivery.AT_LEAST_ONCE;
        spec.deadLetter.table = null;
        spec.deadLetter.topic = "orders-rejects";
        assertThat(io.streampipe.api.SpecValidator.problems(spec)).isEmpty();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        LocalRun run = new LocalRun(settings, spec, Map.of(), teeConsole(console));
        try {
            run.start();
            run.watch();
            run.drain();

            Map<String, ProducedEvent> latest = run.producer().latestValidByKey();
            assertThat(latest).hasSizeGreaterThan(50);
            Map<String, Map<String, Object>> expected = latest.values().stream()
                    .collect(Collectors.toMap(p -> p.event().key(), p -> columns(p.event().fields())));
            Properties consumer = new Properties();
            consumer.put("bootstrap.servers", run.spec().sink.kafka.bootstrapServers);
            Map<String, Map<String, Object>> newest = new HashMap<>();
            for (String value : values(consumer, "orders-latest")) {
                Map<String, Object> row = jsonColumns(value);
                newest.put((String) row.get("order_id"), row);
            }
            assertThat(newest).isEqualTo(expected);

            Map<List<Long>, GeneratedEvent> broken = new LinkedHashMap<>();
            run.producer().rejected().forEach(produced -> broken.put(List.of((long) produced.partition(), produced.offset()), produced.event()));
            Map<List<Long>, String> reasons = new LinkedHashMap<>();
            for (String value : values(consumer, "orders-rejects")) {
                Map<String, Object> reject = JSON.readValue(value, new TypeReference<>() { });
                reasons.put(List.of(((Number) reject.get("partition")).longValue(), ((Number) reject.get("offset")).longValue()),
                        (String) reject.get("reason"));
            }
            assertThat(reasons.keySet()).isEqualTo(broken.keySet()).isNotEmpty();
            reasons.forEach((position, reason) -> assertThat(broken.get(position).explainedBy(reason)).as(reason).isTrue());

            String printed = console.toString(StandardCharsets.UTF_8);
            assertThat(printed).contains("  topic        orders-latest (results, read_committed)",
                    "  topic        orders-rejects (dead letters, read_committed)", "records: orders-latest ")
                    .doesNotContain("started PostgreSQL");
            assertThat(printed.lines().filter(line -> line.matches("\\d\\d:\\d\\d:\\d\\d \\+ orders-latest \\{\"order_id\":\"ord-.*")))
                    .isNotEmpty();
            assertThat(printed.lines().filter(line -> line.matches("\\d\\d:\\d\\d:\\d\\d \\+ orders-rejects null \\{.*\"reason\".*")))
                    .isNotEmpty();
        } finally {
            run.close();
        }
        assertStoppedEverything(run, childrenBefore);
    }

    /**
     * The enriched example without its services: the run fills its own PostgreSQL's users table, and every window row
     * is keyed by a country and plan of that table (no click went without its user's row).
     */
    @Test
    void clickstreamEnrichedJoinsTheUsersTheRunFilled() throws Exception {
        Settings settings = new Settings(EXAMPLES.resolve("clickstream-enriched.yaml"), 25, Duration.ofSeconds(15), 3, 60);
        var spec = SpecFiles.read(settings.manifest());
        // Windowed rows are written when the checkpoint that holds them completes: the example's 30 s interval is
        // longer than this run, so the test checkpoints every 3 s.
        spec.checkpointing.interval = "3s";
        LocalRun run = new LocalRun(settings, spec, Map.of(), console());
        try {
            run.start();
            run.watch();
            run.drain();
            assertThat(rows(run, "SELECT count(*) AS n FROM users").get(0).get("n")).isEqualTo((long) io.streampipe.sandbox.services.DimensionTables.ROWS);
            List<Map<String, Object>> windows = rows(run, "SELECT country, plan, page_views FROM clicks_by_country");
            assertThat(windows).isNotEmpty().allSatisfy(row -> {
                assertThat(row.get("country")).isIn("de", "fr", "us", "jp", "br");
                assertThat(row.get("plan")).isIn("free", "pro", "team", "enterprise");
            });
        } finally {
            run.close();
        }
    }

    /** The manifest's Kafka and PostgreSQL answer (here: started by the test): the run uses them, credentials from env. */
    @Test
    void sensorAlertsPassHavingAndLateRowsWereGeneratedTooLate() throws Exception {
        CompletableFuture<KafkaBroker> startingKafka = CompletableFuture.supplyAsync(() -> started(new KafkaBroker()));
        CompletableFuture<PostgresServer> startingPostgres = CompletableFuture.supplyAsync(() -> started(new PostgresServer()));
        try (KafkaBroker kafka = startingKafka.join(); PostgresServer postgres = startingPostgres.join()) {
            kafka.createTopic("sensor-readings", 3);
            // The manifest's own broker has the topic the alerts also go to (spec.sink.kafka), as a user's would.
            kafka.createTopic("sensor-alerts", 3);
            Set<Long> childrenBefore = liveChildren();
            String manifest = Files.readString(EXAMPLES.resolve("sensor-anomalies.yaml"))
                    .replace("kafka:9092", kafka.bootstrapServers())
                    .replace("jdbc:postgresql://postgres:5432/analytics", postgres.jdbcUrl());
            StreamingPipelineSpec spec = SpecFiles.parse(manifest);
            Map<String, String> environment = Map.of(JobContract.ENV_POSTGRES_USERNAME, postgres.username(),
                    JobContract.ENV_POSTGRES_PASSWORD, postgres.password());
            Settings settings = new Settings(EXAMPLES.resolve("sensor-anomalies.yaml"), 20, Duration.ofSeconds(25), 5, 1);
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            LocalRun run = new LocalRun(settings, spec, environment, teeConsole(console));
            try {
                run.start();
                assertThat(run.spec().source.kafka.bootstrapServers).isEqualTo(kafka.bootstrapServers());
                assertThat(run.spec().sink.postgres.jdbcUrl).isEqualTo(postgres.jdbcUrl());
                run.watch();
                run.drain();

                List<Map<String, Object>> alerts = rows(run, "SELECT sensor_id, avg_temp, readings FROM sensor_alerts");
                assertThat(alerts).isNotEmpty()
                        .allSatisfy(alert -> assertThat((Double) alert.get("avg_temp")).isGreaterThan(45.0));
                assertDeadLettersAreTheBrokenEvents(run, "sensor_readings_rejects");

                Set<List<Long>> late = rows(run, "SELECT partition, \"offset\" FROM sensor_alerts_late").stream()
                        .map(row -> List.of((Long) row.get("partition"), (Long) row.get("offset")))
                        .collect(Collectors.toSet());
                Set<List<Long>> generatedTooLate = run.producer().tooLate().stream()
                        .map(produced -> List.of((long) produced.partition(), produced.offset()))
                        .collect(Collectors.toSet());
                assertThat(late).isNotEmpty();
                assertThat(generatedTooLate).containsAll(late);

                // What the run (and the demo, with the same feeds) printed: alert rows without the committer's guard
                // column, and the alerts' records from the topic (exactly-once: those its checkpoints committed).
                List<String> printed = console.toString(StandardCharsets.UTF_8).lines().toList();
                assertThat(printed).anyMatch(line -> line.matches("\\d\\d:\\d\\d:\\d\\d \\+ sensor_alerts \\{sensor_id=s-\\d+, .*"))
                        .noneMatch(line -> line.contains("_events"))
                        .anyMatch(line -> line.matches("\\d\\d:\\d\\d:\\d\\d \\+ sensor-alerts \\{\"sensor_id\":\"s-\\d+\",\"window_start\":\"[^\"]+\"\\}"
                                + " \\{\"sensor_id\":.*\"avg_temp\":.*\\}"));
            } finally {
                run.close();
            }
            assertStoppedEverything(run, childrenBefore);
        }
    }

    /** Exactly the broken records, each for the reason it was broken for. */
    private static void assertDeadLettersAreTheBrokenEvents(LocalRun run, String table) throws SQLException {
        Map<List<Long>, GeneratedEvent> broken = new LinkedHashMap<>();
        for (ProducedEvent produced : run.producer().rejected()) {
            broken.put(List.of((long) produced.partition(), produced.offset()), produced.event());
        }
        Map<List<Long>, String> reasons = new LinkedHashMap<>();
        for (Map<String, Object> row : rows(run, "SELECT partition, \"offset\", reason FROM " + table)) {
            reasons.put(List.of((Long) row.get("partition"), (Long) row.get("offset")), (String) row.get("reason"));
        }
        assertThat(reasons.keySet()).isEqualTo(broken.keySet());
        reasons.forEach((position, reason) -> assertThat(broken.get(position).explainedBy(reason))
                .as("%s at %s rejected for: %s", broken.get(position).kind(), position, reason).isTrue());
        Map<EventKind, Long> perKind = broken.values().stream()
                .collect(Collectors.groupingBy(GeneratedEvent::kind, Collectors.counting()));
        assertThat(perKind).as("kinds of broken records (all kinds: EventGeneratorTest)").hasSizeGreaterThanOrEqualTo(3);
        perKind.forEach((kind, count) -> assertThat(run.producer().acknowledged(kind)).isEqualTo(count));
    }

    private static void assertStoppedEverything(LocalRun run, Set<Long> childrenBefore) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!childrenBefore.containsAll(liveChildren()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(liveChildren()).as("processes started by the run").isSubsetOf(childrenBefore);
        assertThat(run.workDirectory()).doesNotExist();
    }

    /** The processes this JVM started (a run starts its services as direct children; their own children go with them). */
    private static Set<Long> liveChildren() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** A generated event's fields as the result table holds them (omitted fields are null columns). */
    private static Map<String, Object> columns(Map<String, Object> fields) {
        Map<String, Object> row = new HashMap<>();
        for (String column : List.of("order_id", "customer_id", "status", "amount", "items", "updated_at")) {
            row.put(column, fields.get(column));
        }
        return row;
    }

    private static List<Map<String, Object>> rows(LocalRun run, String sql) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection connection = run.newConnection(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            while (result.next()) {
                Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= result.getMetaData().getColumnCount(); i++) {
                    Object value = result.getObject(i);
                    row.put(result.getMetaData().getColumnName(i), value instanceof Timestamp t ? t.toInstant()
                            : value instanceof Integer n ? n.longValue() : value);
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static <T extends io.streampipe.testkit.data.LocalService> T started(T service) {
        service.start();
        return service;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The values on {@code topic} from its start to its end, in each partition's order (one partition's keys stay in it). */
    private static List<String> values(Properties connection, String topic) {
        Properties properties = new Properties();
        properties.putAll(connection);
        properties.put("isolation.level", "read_committed");
        properties.put("key.deserializer", StringDeserializer.class.getName());
        properties.put("value.deserializer", StringDeserializer.class.getName());
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(record.value()));
            }
        }
        return values;
    }

    /** A result record's value as the columns the oracle holds (numbers as longs and doubles, timestamps as instants). */
    private static Map<String, Object> jsonColumns(String value) throws java.io.IOException {
        Map<String, Object> row = new HashMap<>();
        JSON.readValue(value, new TypeReference<Map<String, Object>>() { }).forEach((column, field) -> row.put(column,
                column.equals("updated_at") ? java.time.Instant.parse((String) field)
                        : field instanceof Integer n ? n.longValue() : field));
        return row;
    }

    /** The run's console output, in the test's output and in {@code copy}. */
    private static PrintStream teeConsole(ByteArrayOutputStream copy) {
        return new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                System.out.write(b);
                copy.write(b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                System.out.write(bytes, offset, length);
                copy.write(bytes, offset, length);
            }
        }, true, StandardCharsets.UTF_8);
    }

    /** The run's console output, in the test's output. */
    private static PrintStream console() {
        return System.out;
    }
}
