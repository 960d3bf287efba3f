package io.streampipe.bench;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.sink.TableCreator;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * {@code bench enrich}: the window benchmark's pipeline (sliding 5 min / 10 s average per sensor) with and without a
 * PostgreSQL dimension join, side by side on the same topic in one run. The enriched pipeline joins every reading
 * with its sensor's row of a {@code sensor_dim} table ({@code --dimension-rows}, default 100,000, read into memory by
 * each subtask and read again every {@code --refresh}) and keys its windows by the sensor and the joined model, so
 * the join's result reaches every window row; each sensor has one model, so both pipelines produce the same windows.
 * The headline is the ratio of the two throughputs (issue 16: at least 0.8).
 */
final class EnrichBenchmark {
    static final String PLAIN = "plain";
    static final String ENRICHED = "enriched";
    private static final String TOPIC = "sensors";
    private static final String WARMUP_TOPIC = "sensors_warmup";
    private static final String DIMENSION = "sensor_dim";
    private static final int MODELS = 37;

    private final int events;
    private final int warmupEvents;
    private final int repeats;
    private final int sensors;
    private final int partitions;
    private final int parallelism;
    private final int dimensionRows;
    private final String refresh;
    private final String enrichedKeyBy;
    private final Map<String, String> flinkConfiguration;
    private double lastCpuMicrosPerEvent;

    EnrichBenchmark(Args args) {
        events = args.integer("events", 1_000_000);
        warmupEvents = args.integer("warmup-events", 200_000);
        repeats = args.integer("repeats", 3);
        sensors = args.integer("sensors", 1000);
        partitions = args.integer("partitions", 2);
        parallelism = args.integer("parallelism", 2);
        dimensionRows = args.integer("dimension-rows", 100_000);
        refresh = args.text("refresh", "1m");
        enrichedKeyBy = "[" + args.text("enriched-key-by", "sensor_id,model").replace(",", ", ") + "]";
        flinkConfiguration = SinkBenchmark.keyValues(args.text("flink-conf", ""));
        args.requireAllUsed();
        if (dimensionRows < sensors) {
            throw new IllegalArgumentException("--dimension-rows must be at least --sensors: every sensor has a row");
        }
    }

    void run() throws Exception {
        Machine.report();
        Report.line("events_requested", events);
        Report.line("sensors", sensors);
        Report.line("partitions", partitions);
        Report.line("parallelism", parallelism);
        Report.line("window", "sliding 5m / 10s, avg + count; plain keyBy [sensor_id], enriched keyBy " + enrichedKeyBy);
        Report.line("dimension", DIMENSION + ": " + dimensionRows + " rows (sensor_id -> model, line), refresh " + refresh
                + ", a copy per subtask");
        Report.line("flink_conf", flinkConfiguration.isEmpty() ? "(defaults)" : flinkConfiguration);
        SensorEvents data = new SensorEvents(events, sensors, partitions, 10_000, 7);
        SensorEvents warmup = new SensorEvents(warmupEvents, sensors, partitions, 10_000, 8);
        SensorEvents.Expected expected = data.expected();
        Report.line("expected_rows", expected.rows());
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try (Services services = Services.start();
             FlinkCluster flink = FlinkCluster.start(JobRun.configuration(flinkConfiguration), parallelism)) {
            long start = System.nanoTime();
            long bytes = WindowBenchmark.produce(services, data, TOPIC, partitions);
            WindowBenchmark.produce(services, warmup, WARMUP_TOPIC, partitions);
            Report.line("topic_bytes_per_event", bytes / data.size());
            Report.line("produce_s", (System.nanoTime() - start) / 1e9);
            fillDimension(services, data, warmup);
            // One untimed run of each first: the JVM has compiled the hot code of both before the first measured one.
            for (String system : List.of(PLAIN, ENRICHED)) {
                String table = "enrich_" + system + "_warmup";
                double seconds = runJob(services, flink, warmup, WARMUP_TOPIC, system, table, 0);
                Report.line("warmup_" + system + "_events_per_s", warmup.size() / seconds);
                drop(services, table);
            }
            for (int rep = 1; rep <= repeats; rep++) {
                Map<String, Double> repRates = new LinkedHashMap<>();
                Map<String, Double> repCpu = new LinkedHashMap<>();
                List<String> order = new ArrayList<>(List.of(PLAIN, ENRICHED));
                Collections.rotate(order, rep - 1); // a drift of the machine's load favours neither
                for (String system : order) {
                    String table = "enrich_" + system + "_r" + rep;
                    double seconds = runJob(services, flink, data, TOPIC, system, table, rep);
                    double rate = data.size() / seconds;
                    Report.line("rep" + rep + "_" + system + "_events_per_s", rate);
                    String problem = verify(services, table, expected, system);
                    Report.line("rep" + rep + "_" + system + "_check", problem == null
                            ? "ok (" + expected.rows() + " windows" + (system.equals(ENRICHED) && enrichedKeyBy.contains("model")
                            ? ", each with its sensor's model" : "") + ")"
                            : "FAILED " + problem);
                    if (problem == null) {
                        repRates.put(system, rate);
                        repCpu.put(system, lastCpuMicrosPerEvent);
                        rates.computeIfAbsent(system, s -> new ArrayList<>()).add(rate);
                    } else {
                        failures.add("rep " + rep + " " + system + ": " + problem);
                    }
                    drop(services, table);
                }
                if (repRates.size() == 2) {
                    double ratio = repRates.get(ENRICHED) / repRates.get(PLAIN);
                    ratios.add(ratio);
                    Report.line("rep" + rep + "_ratio", ratio);
                    double cpuRatio = repCpu.get(PLAIN) / repCpu.get(ENRICHED);
                    cpuRatios.add(cpuRatio);
                    Report.line("rep" + rep + "_cpu_ratio", cpuRatio);
                }
            }
        }
        Machine.reportLoad("load_avg_end");
        Report.Spread plain = Report.Spread.of(rates.getOrDefault(PLAIN, List.of()));
        Report.Spread enriched = Report.Spread.of(rates.getOrDefault(ENRICHED, List.of()));
        Report.Spread ratio = Report.Spread.of(ratios);
        Report.line("plain_events_per_s", plain);
        Report.line("enriched_events_per_s", enriched);
        Report.line("ratio_enriched_to_plain", ratio + " target >= 0.8: " + SinkBenchmark.verdict(ratio, 0.8));
        Report.Spread cpuRatio = Report.Spread.of(cpuRatios);
        Report.line("cpu_ratio_enriched_to_plain", cpuRatio + " (events per CPU second of all processes, enriched / plain)");
        Report.line("checks", failures.isEmpty() ? "all window tables as expected" : String.join("; ", failures));
        Report.line("summary", String.format(Locale.ROOT,
                "enrich events=%d p=%d dimension_rows=%d refresh=%s plain=%s/s enriched=%s/s ratio=%s (%s, min %s, max %s) cpu_ratio=%s checks=%s",
                data.size(), parallelism, dimensionRows, refresh, Report.number(plain.median()), Report.number(enriched.median()),
                Report.number(ratio.median()), SinkBenchmark.verdict(ratio, 0.8), Report.number(ratio.min()),
                Report.number(ratio.max()), Report.number(cpuRatio.median()), failures.isEmpty() ? "ok" : "FAILED"));
        if (!failures.isEmpty()) {
            throw new IllegalStateException("Wrong window results: " + failures);
        }
    }

    /**
     * {@code sensor_dim}: a row for every sensor id s-0 … s-(dimensionRows - 1) and for the sentinel and clock ids of
     * both topics, model {@code m-<id mod 37>}, line {@code id mod 11}.
     */
    private void fillDimension(Services services, SensorEvents... topics) throws Exception {
        long start = System.nanoTime();
        Set<String> ids = new LinkedHashSet<>();
        IntStream.range(0, dimensionRows).forEach(i -> ids.add(SensorEvents.sensorId(i)));
        for (SensorEvents topic : topics) {
            ids.addAll(topic.sentinelIds());
            for (int p = 0; p < partitions; p++) {
                ids.add(SensorEvents.clockId(p));
            }
        }
        try (Connection connection = services.connect()) {
            Tables.drop(connection, DIMENSION);
            Tables.execute(connection, List.of("CREATE TABLE " + DIMENSION + " (sensor_id text PRIMARY KEY, model text NOT NULL, line bigint NOT NULL)"));
            Tables.copyIn(connection, DIMENSION, ids.stream().map(id -> id + "\t" + model(id) + "\t" + (number(id) % 11) + "\n").iterator());
        }
        Report.line("dimension_rows", ids.size());
        Report.line("dimension_fill_s", (System.nanoTime() - start) / 1e9);
    }

    private static long number(String sensorId) {
        return Long.parseLong(sensorId.substring(2));
    }

    private static String model(String sensorId) {
        return "m-" + number(sensorId) % MODELS;
    }

    private double runJob(Services services, FlinkCluster flink, SensorEvents data, String topic, String system, String table,
                          int rep) throws Exception {
        StreamingPipelineSpec spec = spec(services, topic, system, table);
        try (Connection connection = services.connect()) {
            drop(services, table);
            Tables.execute(connection, TableCreator.statements(spec));
        }
        Report.progress("%s: %s pipeline into %s", rep == 0 ? "warm-up" : "rep " + rep, system, table);
        int sentinelWindows = data.sentinelIds().size() * SensorEvents.WINDOWS_PER_EVENT;
        Map<String, Double> cpu = services.cpu();
        double seconds;
        try (Connection probe = services.connect()) {
            seconds = JobRun.runUntil(services, flink, spec, parallelism,
                    () -> Tables.present(probe, table, "sensor_id", data.sentinelIds()) == sentinelWindows,
                    Duration.ofSeconds(Math.max(600, data.size() / 2000)));
        }
        if (rep > 0) {
            services.reportCpuSince("rep" + rep + "_" + system, cpu, seconds);
            Report.line("rep" + rep + "_" + system + "_s", seconds);
            // CPU per event of every process (job, broker, PostgreSQL): what the run cost, whatever share of the
            // shared machine's cores it was given.
            Map<String, Double> after = services.cpu();
            double used = after.keySet().stream().mapToDouble(k -> after.get(k) - cpu.getOrDefault(k, after.get(k))).sum();
            lastCpuMicrosPerEvent = used * 1e6 / data.size();
            Report.line("rep" + rep + "_" + system + "_cpu_us_per_event", lastCpuMicrosPerEvent);
        }
        return seconds;
    }

    private StreamingPipelineSpec spec(Services services, String topic, String system, String table) {
        if (system.equals(PLAIN)) {
            return WindowBenchmark.spec(services, topic, parallelism, table, "[sensor_id]", "");
        }
        String enrich = String.format(Locale.ROOT, """
                  enrich:
                    - name: sensors
                      postgres: {jdbcUrl: "%s", table: %s, credentialsSecretRef: {name: bench}}
                      key: [{field: sensor_id}]
                      columns: [{name: model, type: string}, {name: line, type: long}]
                      refresh: %s
                      maxRows: %d""", services.postgres.jdbcUrl(), DIMENSION, refresh, dimensionRows + 10_000).indent(2).stripTrailing();
        return WindowBenchmark.spec(services, topic, parallelism, table, enrichedKeyBy, enrich);
    }

    /** The window check of {@code bench window}, and for the enriched table: every window row has its sensor's model. */
    private String verify(Services services, String table, SensorEvents.Expected expected, String system) throws Exception {
        String problem = WindowBenchmark.verify(services, table, expected);
        if (problem != null || system.equals(PLAIN) || !enrichedKeyBy.contains("model")) {
            return problem;
        }
        try (Connection connection = services.connect(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT count(*) FROM " + table + " t LEFT JOIN " + DIMENSION
                     + " d USING (sensor_id) WHERE t.model IS DISTINCT FROM d.model")) {
            result.next();
            long wrong = result.getLong(1);
            return wrong == 0 ? null : wrong + " window rows without their sensor's model";
        }
    }

    private static void drop(Services services, String table) throws Exception {
        try (Connection connection = services.connect()) {
            Tables.drop(connection, table, table + "_rejects");
        }
    }
}
