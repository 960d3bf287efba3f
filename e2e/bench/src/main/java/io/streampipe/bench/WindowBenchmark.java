package io.streampipe.bench;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.SpecFiles;
import io.streampipe.job.sink.TableCreator;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench window}: a sliding 5 min / 10 s average per sensor over JSON readings from Kafka, by our job at
 * parallelism 1 and 2, against the bare consume-and-parse loop, all on the same topic in the same run.
 */
final class WindowBenchmark {
    private static final String TOPIC = "sensors";

    private final int events;
    private final int repeats;
    private final int sensors;
    private final int partitions;
    private final double eventsPerSecond;
    private final List<Integer> parallelisms = new ArrayList<>();
    private final String stateBackend;
    private final Map<String, String> flinkConfiguration;

    WindowBenchmark(Args args) {
        events = args.integer("events", 2_000_000);
        repeats = args.integer("repeats", 3);
        sensors = args.integer("sensors", 1000);
        partitions = args.integer("partitions", 2);
        eventsPerSecond = Double.parseDouble(args.text("event-time-rate", "10000"));
        for (String p : args.text("parallelism", "1,2").split(",")) {
            parallelisms.add(Integer.parseInt(p.trim()));
        }
        stateBackend = args.text("state-backend", "hashmap");
        flinkConfiguration = new LinkedHashMap<>(SinkBenchmark.keyValues(args.text("flink-conf", "")));
        args.requireAllUsed();
        if (stateBackend.equals("rocksdb")) {
            flinkConfiguration.put("state.backend.type", "rocksdb");
            flinkConfiguration.put("state.backend.incremental", "true");
        } else if (!stateBackend.equals("hashmap")) {
            throw new IllegalArgumentException("--state-backend is hashmap or rocksdb");
        }
    }

    void run() throws Exception {
        Machine.report();
        Report.line("events_requested", events);
        Report.line("sensors", sensors);
        Report.line("partitions", partitions);
        Report.line("window", "sliding 5m / 10s, avg + count per sensor");
        Report.line("state_backend", stateBackend);
        Report.line("flink_conf", flinkConfiguration);
        SensorEvents data = new SensorEvents(events, sensors, partitions, eventsPerSecond, 7);
        SensorEvents.Expected expected = data.expected();
        Report.line("expected_rows", expected.rows());
        Map<String, List<Double>> perCore = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        try (Services services = Services.start();
             FlinkCluster flink = FlinkCluster.start(JobRun.configuration(flinkConfiguration),
                     parallelisms.stream().mapToInt(Integer::intValue).max().orElse(1))) {
            produce(services, data);
            for (int rep = 1; rep <= repeats; rep++) {
                Map<String, Double> cpu = services.cpu();
                BareLoop.Result bare = BareLoop.run(services.kafka.bootstrapServers(), TOPIC);
                double bareRate = bare.records() / bare.seconds();
                services.reportCpuSince("rep" + rep + "_bare", cpu, bare.seconds());
                Report.line("rep" + rep + "_bare_events_per_s", bareRate);
                perCore.computeIfAbsent("bare", k -> new ArrayList<>()).add(bareRate);
                for (int parallelism : parallelisms) {
                    String name = "p" + parallelism;
                    String table = "window_" + name + "_r" + rep;
                    double seconds = runJob(services, flink, data, parallelism, table, rep);
                    double rate = data.size() / seconds;
                    double rateCore = rate / parallelism;
                    Report.line("rep" + rep + "_" + name + "_events_per_s", rate);
                    Report.line("rep" + rep + "_" + name + "_events_per_s_per_core", rateCore);
                    String problem = verify(services, table, expected);
                    Report.line("rep" + rep + "_" + name + "_check", problem == null ? "ok (" + expected.rows() + " windows)" : "FAILED " + problem);
                    if (problem != null) {
                        failures.add("rep " + rep + " " + name + ": " + problem);
                    } else {
                        perCore.computeIfAbsent(name, k -> new ArrayList<>()).add(rateCore);
                        ratios.computeIfAbsent(name, k -> new ArrayList<>()).add(rateCore / bareRate);
                    }
                    try (Connection connection = services.connect()) {
                        Tables.drop(connection, table, table + "_rejects");
                    }
                }
            }
        }
        Machine.reportLoad("load_avg_end");
        StringBuilder summary = new StringBuilder("window events=" + data.size() + " state=" + stateBackend);
        Report.line("bare_events_per_s_per_core", Report.Spread.of(perCore.getOrDefault("bare", List.of())));
        summary.append(" bare=").append(Report.number(Report.Spread.of(perCore.getOrDefault("bare", List.of())).median())).append("/s/core");
        for (int parallelism : parallelisms) {
            String name = "p" + parallelism;
            Report.Spread spread = Report.Spread.of(perCore.getOrDefault(name, List.of()));
            Report.Spread ratio = Report.Spread.of(ratios.getOrDefault(name, List.of()));
            Report.line(name + "_events_per_s_per_core", spread + " target >= 100000: " + SinkBenchmark.verdict(spread, 100_000));
            Report.line(name + "_ratio_to_bare", ratio);
            summary.append(String.format(Locale.ROOT, " %s=%s/s/core (%s, ratio_to_bare %s)", name, Report.number(spread.median()),
                    SinkBenchmark.verdict(spread, 100_000), Report.number(ratio.median())));
        }
        Report.line("checks", failures.isEmpty() ? "all window tables as expected" : String.join("; ", failures));
        summary.append(" checks=").append(failures.isEmpty() ? "ok" : "FAILED");
        Report.line("summary", summary.toString());
        if (!failures.isEmpty()) {
            throw new IllegalStateException("Wrong window results: " + failures);
        }
    }

    private void produce(Services services, SensorEvents data) {
        long start = System.nanoTime();
        long bytes = produce(services, data, TOPIC, partitions);
        Report.line("topic_bytes_per_event", bytes / data.size());
        Report.line("produce_s", (System.nanoTime() - start) / 1e9);
    }

    /** Creates {@code topic} and produces every reading of {@code data} into it; returns the bytes sent. */
    static long produce(Services services, SensorEvents data, String topic, int partitions) {
        services.kafka.createTopic(topic, partitions);
        try (FastProducer producer = new FastProducer(services.kafka.bootstrapServers())) {
            for (int i = 0; i < data.size(); i++) {
                SensorEvents.Reading reading = data.reading(i);
                producer.send(topic, reading.partition(), reading.key(), reading.json());
            }
            producer.flush();
            return producer.bytes();
        }
    }

    private double runJob(Services services, FlinkCluster flink, SensorEvents data, int parallelism, String table, int rep) throws Exception {
        StreamingPipelineSpec spec = spec(services, parallelism, table);
        try (Connection connection = services.connect()) {
            Tables.drop(connection, table, table + "_rejects");
            Tables.execute(connection, TableCreator.statements(spec));
        }
        Report.progress("rep %d: window job at parallelism %d into %s", rep, parallelism, table);
        int sentinelWindows = data.sentinelIds().size() * SensorEvents.WINDOWS_PER_EVENT;
        Map<String, Double> cpu = services.cpu();
        double seconds;
        try (Connection probe = services.connect()) {
            seconds = JobRun.runUntil(services, flink, spec, parallelism,
                    () -> Tables.present(probe, table, "sensor_id", data.sentinelIds()) == sentinelWindows,
                    Duration.ofSeconds(Math.max(600, data.size() / 2000)));
        }
        services.reportCpuSince("rep" + rep + "_p" + parallelism, cpu, seconds);
        Report.line("rep" + rep + "_p" + parallelism + "_s", seconds);
        return seconds;
    }

    /** Null when the table holds exactly the expected windows, readings and temperature sums; else what differs. */
    static String verify(Services services, String table, SensorEvents.Expected expected) throws Exception {
        try (Connection connection = services.connect(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT count(*), coalesce(sum(readings), 0), coalesce(sum(avg_temp * readings), 0) FROM "
                     + table + " WHERE sensor_id NOT LIKE 's-99999%'")) {
            result.next();
            long rows = result.getLong(1);
            long readings = result.getLong(2);
            double temperature = result.getDouble(3);
            boolean sumOk = Math.abs(temperature - expected.temperatureSum()) <= 1e-6 * Math.max(1, Math.abs(expected.temperatureSum()));
            if (rows == expected.rows() && readings == expected.readings() && sumOk) {
                return null;
            }
            return "rows " + rows + " (expected " + expected.rows() + "), readings " + readings + " (expected " + expected.readings()
                    + "), sum(avg*n) " + temperature + " (expected " + expected.temperatureSum() + ")";
        }
    }

    private StreamingPipelineSpec spec(Services services, int parallelism, String table) {
        return spec(services, TOPIC, parallelism, table, "[sensor_id]", "");
    }

    /**
     * The benchmark's pipeline: a sliding 5 min / 10 s average and count per {@code keyBy} over the readings of
     * {@code topic}; {@code transformExtra} is YAML added to {@code transform}, each line indented two spaces, e.g. an
     * {@code enrich:} block.
     */
    static StreamingPipelineSpec spec(Services services, String topic, int parallelism, String table, String keyBy,
                                      String transformExtra) {
        return SpecFiles.parse(String.format(Locale.ROOT, """
                parallelism: %d
                maxParallelism: 128
                source:
                  kafka: {bootstrapServers: "%s", topic: %s, groupId: bench-%s}
                  startingOffsets: {policy: earliest}
                  schema:
                    - {name: sensor_id, type: string, required: true, pattern: "^s-[0-9]{1,6}$"}
                    - {name: site, type: string}
                    - {name: temperature, type: double, required: true, min: -60, max: 200}
                    - {name: humidity, type: double, min: 0, max: 100}
                    - {name: battery, type: long, min: 0, max: 100}
                    - {name: ts, type: timestamp, required: true}
                  eventTime: {field: ts, maxOutOfOrderness: 5s, idleTimeout: 30s}
                transform:
                %s
                  keyBy: %s
                  window: {type: sliding, size: 5m, slide: 10s}
                  aggregates: [{name: avg_temp, fn: avg, field: temperature}, {name: readings, fn: count}]
                sink:
                  postgres: {jdbcUrl: "%s", table: %s, createTable: true}
                lateData: {drop: true}
                deadLetter: {table: %s_rejects}
                checkpointing: {interval: 10s, storage: {path: "file:///tmp/streampipe-bench-checkpoints"}}
                """, parallelism, services.kafka.bootstrapServers(), topic, table, transformExtra, keyBy,
                services.postgres.jdbcUrl(), table, table));
    }
}
