package io.streampipe.bench;

import io.streampipe.api.v1alpha1.SinkSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.schema.ResultSchema;
import io.streampipe.job.sink.SqlStatements;
import io.streampipe.job.sink.TableCreator;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * {@code bench sink}: the same order events upserted into PostgreSQL three ways in one run — our pipeline job
 * (Kafka → Flink MiniCluster → our sink), Debezium's JDBC sink in Kafka Connect, and the plain-JDBC ceiling — each
 * into a fresh table per repetition that must end equal to the oracle (latest event per order).
 */
final class SinkBenchmark {
    static final String JOB = "job";
    static final String DEBEZIUM = "debezium";
    static final String CEILING = "ceiling";
    private static final String TOPIC = "orders";
    private static final String CONNECT_TOPIC = "orders_connect";
    private static final String ORACLE = "sink_oracle";
    private static final String WARMUP = "_warmup";

    private final int events;
    private final int repeats;
    private final int warmupEvents;
    private final int parallelism;
    private final int partitions;
    private final double updateShare;
    private final int batchSize;
    private final String batchInterval;
    private final String jdbcParameters;
    private final int debeziumBatch;
    private final String debeziumJdbcParameters;
    private final int debeziumPoll;
    private final List<String> systems;
    private final Ceiling.Mode ceilingMode;
    private final Map<String, String> flinkConfiguration;
    private final List<String> connectJvmOptions;
    private final boolean keepConnectLogs;
    private final Integer pinDatabase;

    SinkBenchmark(Args args) {
        SinkSpec.Batch defaults = new SinkSpec.Batch();
        events = args.integer("events", 5_000_000);
        repeats = args.integer("repeats", 3);
        warmupEvents = args.integer("warmup-events", 300_000);
        parallelism = args.integer("parallelism", 2);
        partitions = args.integer("partitions", parallelism);
        updateShare = Double.parseDouble(args.text("update-share", "0.3"));
        batchSize = args.integer("batch-size", defaults.size);
        batchInterval = args.text("batch-interval", defaults.interval);
        jdbcParameters = args.text("jdbc-params", "");
        // Its best in a sweep (README): batch.size and max.poll.records 2000, pgjdbc's rewriting of batched inserts
        // (safe with the reduction buffer, which leaves one change per key in a batch).
        debeziumBatch = args.integer("debezium-batch", 2000);
        debeziumPoll = args.integer("debezium-poll", debeziumBatch);
        debeziumJdbcParameters = args.text("debezium-jdbc-params", "reWriteBatchedInserts=true");
        systems = List.of(args.text("systems", JOB + "," + DEBEZIUM + "," + CEILING).split(","));
        ceilingMode = Ceiling.Mode.valueOf(args.text("ceiling-mode", "arrays").toUpperCase(Locale.ROOT));
        flinkConfiguration = keyValues(args.text("flink-conf", ""));
        connectJvmOptions = args.text("connect-jvm-options", "").isBlank() ? List.of()
                : List.of(args.text("connect-jvm-options", "").split(" "));
        keepConnectLogs = args.flag("keep-connect-logs");
        String pin = args.text("pin-database", "");
        pinDatabase = pin.isBlank() ? null : Integer.valueOf(pin);
        args.requireAllUsed();
    }

    static Map<String, String> keyValues(String text) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            if (!pair.isBlank()) {
                int eq = pair.indexOf('=');
                values.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return values;
    }

    void run() throws Exception {
        Machine.report();
        Report.line("events_requested", events);
        Report.line("parallelism", parallelism);
        Report.line("partitions", partitions);
        Report.line("batch_size", batchSize);
        Report.line("batch_interval", batchInterval);
        Report.line("jdbc_params", jdbcParameters.isBlank() ? "(none)" : jdbcParameters);
        Report.line("debezium", BenchVersions.DEBEZIUM + " on Kafka Connect " + BenchVersions.KAFKA
                + " (batch.size=" + debeziumBatch + ", max.poll.records=" + debeziumPoll + ", tasks.max=" + parallelism
                + ", use.reduction.buffer=true, jdbc params: " + (debeziumJdbcParameters.isBlank() ? "(none)" : debeziumJdbcParameters) + ")");
        Report.line("ceiling_mode", ceilingMode.name().toLowerCase(Locale.ROOT));
        Report.line("flink_conf", flinkConfiguration.isEmpty() ? "(defaults)" : flinkConfiguration);
        long start = System.nanoTime();
        OrderEvents data = OrderEvents.generate(events, partitions, updateShare, 42);
        Report.line("events", data.size() + " (" + data.realEvents() + " + " + (data.size() - data.realEvents()) + " sentinels)");
        Report.line("distinct_orders", data.distinctKeys());
        Report.line("generate_s", (System.nanoTime() - start) / 1e9);

        List<String> failures = new ArrayList<>();
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        List<Double> vsCeiling = new ArrayList<>();
        List<Double> vsDebezium = new ArrayList<>();
        try (Services services = Services.start();
             FlinkCluster flink = FlinkCluster.start(JobRun.configuration(flinkConfiguration), parallelism)) {
            if (pinDatabase != null) {
                services.pinDatabaseTo(pinDatabase);
            }
            produce(services, data, "");
            OrderEvents warmupData = OrderEvents.generate(warmupEvents, partitions, updateShare, 43);
            produce(services, warmupData, WARMUP);
            StreamingPipelineSpec template = spec(services, TOPIC, "template", "template");
            ResultSchema result = ResultSchema.of(template);
            Tables.Content oracle = loadOracle(services, data, result);
            Report.line("oracle_rows", oracle.rows());

            ConnectWorker connect = null;
            if (systems.contains(DEBEZIUM)) {
                long connectStart = System.nanoTime();
                connect = ConnectWorker.start(services.kafka.bootstrapServers(),
                        Map.of("consumer.max.poll.records", Integer.toString(debeziumPoll)), connectJvmOptions);
                services.meter("connect_jvm", ProcessCpu.of(connect.pid()));
                services.pinWithOthers(connect.pid());
                Report.progress("Kafka Connect up in %.1f s (log %s)", (System.nanoTime() - connectStart) / 1e9, connect.log());
            }
            try {
                // One untimed run of each system on a small topic first: every JVM has compiled its hot code and every
                // pool is open before the first measured repetition.
                for (String system : systems) {
                    String table = "sink_" + system + WARMUP;
                    double seconds = measure(services, flink, connect, warmupData, WARMUP, system, table, 0, result);
                    Report.line("warmup_" + system + "_rows_per_s", warmupData.size() / seconds);
                    try (Connection connection = services.connect()) {
                        Tables.drop(connection, table, table + "_rejects");
                    }
                }
                for (int rep = 1; rep <= repeats; rep++) {
                    Map<String, Double> repRates = new LinkedHashMap<>();
                    for (String system : rotation(rep)) {
                        String table = "sink_" + system + "_r" + rep;
                        double seconds = measure(services, flink, connect, data, "", system, table, rep, result);
                        double rate = data.size() / seconds;
                        Report.line("rep" + rep + "_" + system + "_rows_per_s", rate);
                        String problem = verify(services, table, oracle, system);
                        if (problem != null) {
                            failures.add("rep " + rep + " " + system + ": " + problem);
                            Report.line("rep" + rep + "_" + system + "_check", "FAILED " + problem);
                        } else {
                            Report.line("rep" + rep + "_" + system + "_check", "ok (" + oracle.rows() + " rows, checksum equal)");
                            repRates.put(system, rate);
                            rates.computeIfAbsent(system, s -> new ArrayList<>()).add(rate);
                        }
                        try (Connection connection = services.connect()) {
                            Tables.drop(connection, table, table + "_rejects");
                        }
                    }
                    if (repRates.containsKey(JOB) && repRates.containsKey(CEILING)) {
                        vsCeiling.add(repRates.get(JOB) / repRates.get(CEILING));
                    }
                    if (repRates.containsKey(JOB) && repRates.containsKey(DEBEZIUM)) {
                        vsDebezium.add(repRates.get(JOB) / repRates.get(DEBEZIUM));
                    }
                }
            } finally {
                if (connect != null) {
                    connect.close(keepConnectLogs);
                }
            }
        }
        Machine.reportLoad("load_avg_end");
        Map<String, Report.Spread> spreads = new LinkedHashMap<>();
        for (String system : systems) {
            Report.Spread spread = Report.Spread.of(rates.getOrDefault(system, List.of()));
            spreads.put(system, spread);
            Report.line(system + "_rows_per_s", spread);
        }
        Report.Spread ceilingRatio = Report.Spread.of(vsCeiling);
        Report.Spread debeziumRatio = Report.Spread.of(vsDebezium);
        Report.line("ratio_vs_ceiling", ceilingRatio + " target >= 0.8: " + verdict(ceilingRatio, 0.8));
        Report.line("ratio_vs_debezium", debeziumRatio + " target >= 3: " + verdict(debeziumRatio, 3));
        Report.line("checks", failures.isEmpty() ? "all tables equal to the oracle" : String.join("; ", failures));
        Report.line("summary", String.format(Locale.ROOT,
                "sink events=%d p=%d batch=%d job=%s rows/s debezium=%s rows/s ceiling=%s rows/s ratio_vs_ceiling=%s (%s) ratio_vs_debezium=%s (%s) checks=%s",
                data.size(), parallelism, batchSize, Report.number(spreads.getOrDefault(JOB, Report.Spread.of(List.of())).median()),
                Report.number(spreads.getOrDefault(DEBEZIUM, Report.Spread.of(List.of())).median()),
                Report.number(spreads.getOrDefault(CEILING, Report.Spread.of(List.of())).median()),
                Report.number(ceilingRatio.median()), verdict(ceilingRatio, 0.8),
                Report.number(debeziumRatio.median()), verdict(debeziumRatio, 3), failures.isEmpty() ? "ok" : "FAILED"));
        if (!failures.isEmpty()) {
            throw new IllegalStateException("A system wrote wrong data: " + failures);
        }
    }

    static String verdict(Report.Spread spread, double target) {
        if (spread.count() == 0) {
            return "not measured";
        }
        return spread.median() >= target ? "met" : "missed";
    }

    /** The order of the systems changes every repetition, so a drift of the machine's load does not favour one. */
    private List<String> rotation(int rep) {
        List<String> order = new ArrayList<>(systems);
        java.util.Collections.rotate(order, -(rep - 1));
        return order;
    }

    private void produce(Services services, OrderEvents data, String suffix) {
        long start = System.nanoTime();
        services.kafka.createTopic(TOPIC + suffix, partitions);
        boolean connectTopic = systems.contains(DEBEZIUM);
        if (connectTopic) {
            services.kafka.createTopic(CONNECT_TOPIC + suffix, partitions);
        }
        long plainBytes;
        long connectBytes = 0;
        try (FastProducer plain = new FastProducer(services.kafka.bootstrapServers());
             FastProducer connect = new FastProducer(services.kafka.bootstrapServers())) {
            for (int i = 0; i < data.size(); i++) {
                OrderEvents.Order order = data.event(i);
                int partition = data.partitionOfEvent(i);
                plain.send(TOPIC + suffix, partition, order.orderId(), order.json());
                if (connectTopic) {
                    connect.send(CONNECT_TOPIC + suffix, partition, order.connectKeyJson(), order.connectJson());
                }
            }
            plain.flush();
            connect.flush();
            plainBytes = plain.bytes();
            connectBytes = connect.bytes();
        }
        if (!suffix.isEmpty()) {
            return;
        }
        Report.line("topic_" + TOPIC + "_bytes_per_event", plainBytes / data.size());
        if (connectTopic) {
            Report.line("topic_" + CONNECT_TOPIC + "_bytes_per_event", connectBytes / data.size());
        }
        Report.line("produce_s", (System.nanoTime() - start) / 1e9);
    }

    /** The table a correct sink ends with, {@code sink_oracle}: the latest event of every order, copied in. */
    static Tables.Content loadOracle(Services services, OrderEvents data, ResultSchema result) throws Exception {
        long start = System.nanoTime();
        try (Connection connection = services.connect()) {
            Tables.drop(connection, ORACLE);
            Tables.execute(connection, SqlStatements.createTable("oracle", ORACLE, result.columns(), result.primaryKey()));
            int[] latest = data.latestEvents();
            Tables.copyIn(connection, ORACLE, IntStream.of(latest).mapToObj(i -> data.event(i).copyLine()).iterator());
            Tables.Content content = Tables.content(connection, ORACLE);
            Report.line("oracle_s", (System.nanoTime() - start) / 1e9);
            return content;
        }
    }

    private double measure(Services services, FlinkCluster flink, ConnectWorker connect, OrderEvents data, String topicSuffix, String system,
                           String table, int rep, ResultSchema result) throws Exception {
        StreamingPipelineSpec spec = spec(services, TOPIC + topicSuffix, table, "bench-" + table);
        try (Connection connection = services.connect()) {
            Tables.drop(connection, table, table + "_rejects");
            Tables.execute(connection, TableCreator.statements(spec));
        }
        Duration timeout = Duration.ofSeconds(Math.max(600, data.size() / 2000));
        Report.progress("%s: %s into %s", rep == 0 ? "warm-up" : "rep " + rep, system, table);
        Map<String, Double> cpuBefore = services.cpu();
        double seconds;
        long started = System.nanoTime();
        long[] firstRowAt = {0};
        try (Connection probe = services.connect()) {
            JobRun.Condition allSentinels = () -> {
                if (firstRowAt[0] == 0 && Tables.any(probe, table)) {
                    firstRowAt[0] = System.nanoTime(); // the end of the start-up, to within the 100 ms between checks
                }
                return Tables.present(probe, table, "order_id", data.sentinelIds()) == data.sentinelIds().size();
            };
            seconds = switch (system) {
                case JOB -> JobRun.runUntil(services, flink, spec, parallelism, allSentinels, timeout);
                case DEBEZIUM -> runDebezium(services, connect, CONNECT_TOPIC + topicSuffix, table, allSentinels, timeout);
                case CEILING -> Ceiling.run(data, services.jdbcUrl(jdbcParameters), services.postgres.username(),
                        services.postgres.password(), table, result, parallelism,
                        batchSize, ceilingMode);
                default -> throw new IllegalArgumentException("Unknown system " + system + "; known: job, debezium, ceiling");
            };
        }
        if (rep > 0) {
            // The ceiling has closed its connections: give PostgreSQL a moment to reap those backends, whose CPU then
            // counts in the postmaster's children time (a backend that is exiting is in neither).
            Thread.sleep(500);
            services.reportCpuSince("rep" + rep + "_" + system, cpuBefore, seconds);
            Report.line("rep" + rep + "_" + system + "_s", seconds);
            if (firstRowAt[0] != 0) {
                // Diagnostic, not part of any figure: how much of the measured time passed before the first row.
                Report.line("rep" + rep + "_" + system + "_first_row_s", (firstRowAt[0] - started) / 1e9);
            }
        }
        return seconds;
    }

    private double runDebezium(Services services, ConnectWorker connect, String topic, String table, JobRun.Condition done,
                               Duration timeout) throws Exception {
        String name = "debezium-" + table;
        Map<String, String> config = new LinkedHashMap<>();
        config.put("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector");
        config.put("tasks.max", Integer.toString(parallelism));
        config.put("topics", topic);
        config.put("connection.url", services.jdbcUrl(debeziumJdbcParameters));
        config.put("connection.username", services.postgres.username());
        config.put("connection.password", services.postgres.password());
        config.put("insert.mode", "upsert");
        config.put("delete.enabled", "false");
        config.put("primary.key.mode", "record_key");
        config.put("primary.key.fields", "order_id");
        config.put("schema.evolution", "none");
        config.put("collection.name.format", table);
        config.put("batch.size", Integer.toString(debeziumBatch));
        config.put("use.reduction.buffer", "true");
        long start = System.nanoTime();
        connect.createConnector(name, config);
        try {
            long deadline = start + timeout.toNanos();
            while (!done.holds()) {
                connect.requireRunning(name);
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Debezium was not done before the timeout; see " + connect.log());
                }
                Thread.sleep(100);
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            connect.deleteConnector(name);
        }
    }

    /** Null when {@code table} equals the oracle (and the job rejected nothing); else what differs. */
    static String verify(Services services, String table, Tables.Content oracle, String system) throws Exception {
        try (Connection connection = services.connect()) {
            Tables.Content content = Tables.content(connection, table);
            if (content.equals(oracle)) {
                if (JOB.equals(system)) {
                    long rejects = Tables.content(connection, table + "_rejects").rows();
                    if (rejects != 0) {
                        return rejects + " events went to the dead-letter table";
                    }
                }
                return null;
            }
            return "rows " + content.rows() + " vs oracle " + oracle.rows() + ", " + Tables.differingRows(connection, table, ORACLE)
                    + " rows differ, e.g. " + Tables.sampleDifference(connection, table, ORACLE);
        }
    }

    private StreamingPipelineSpec spec(Services services, String topic, String table, String group) {
        return OrderEvents.upsertSpec(parallelism, services.kafka.bootstrapServers(), topic, group,
                services.jdbcUrl(jdbcParameters), table, batchSize, batchInterval);
    }
}
