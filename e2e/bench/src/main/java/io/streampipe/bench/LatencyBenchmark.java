package io.streampipe.bench;

import io.streampipe.api.v1alpha1.SinkSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.SpecFiles;
import io.streampipe.job.sink.TableCreator;
import org.apache.flink.core.execution.JobClient;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench latency}: events produced at a fixed rate, each carrying its produce time; how long until its row is
 * visible in PostgreSQL. The result tables get one extra column, {@code visible_at DEFAULT clock_timestamp()}, that
 * PostgreSQL fills when the sink inserts the row — no trigger, no polling reader. A row becomes visible when its
 * transaction commits, which is right after the last statement of its batch: so the visible time of a row is the
 * latest {@code visible_at} among the rows of its transaction (same {@code xmin}). Producer and database share the
 * machine's clock.
 *
 * <ul>
 *   <li>no window: every event is a new order; latency = visible − produced_at.</li>
 *   <li>1 s tumbling window: the result of a window can't exist before the watermark passes its end, i.e. before an
 *       event with time ≥ end + maxOutOfOrderness arrives; latency = visible − (window_end + maxOutOfOrderness).</li>
 * </ul>
 */
final class LatencyBenchmark {
    private static final long OUT_OF_ORDERNESS_MILLIS = 200;

    private final double rate;
    private final Duration duration;
    /** Length of the untimed round 0 that warms every JVM up (0: none). */
    private final Duration warmupRound;
    private final Duration warmup;
    private final int repeats;
    private final int parallelism;
    private final int partitions;
    private final int sensors;
    private final int batchSize;
    private final String batchInterval;
    private final List<String> paths;
    private final Map<String, String> flinkConfiguration;

    LatencyBenchmark(Args args) {
        SinkSpec.Batch defaults = new SinkSpec.Batch();
        rate = Double.parseDouble(args.text("rate", "10000"));
        duration = args.duration("duration", "60s");
        warmup = args.duration("warmup", "10s");
        warmupRound = args.duration("warmup-round", "30s");
        repeats = args.integer("repeats", 3);
        parallelism = args.integer("parallelism", 2);
        partitions = args.integer("partitions", parallelism);
        sensors = args.integer("sensors", 1000);
        batchSize = args.integer("batch-size", defaults.size);
        batchInterval = args.text("batch-interval", defaults.interval);
        paths = List.of(args.text("paths", "nowindow,window").split(","));
        flinkConfiguration = SinkBenchmark.keyValues(args.text("flink-conf", ""));
        args.requireAllUsed();
    }

    void run() throws Exception {
        Machine.report();
        Report.line("rate_per_s", rate);
        Report.line("duration_s", duration.toSeconds());
        Report.line("warmup_s", warmup.toSeconds());
        Report.line("warmup_round_s", warmupRound.toSeconds());
        Report.line("parallelism", parallelism);
        Report.line("batch_size", batchSize);
        Report.line("batch_interval", batchInterval);
        Report.line("flink_conf", flinkConfiguration.isEmpty() ? "(defaults)" : flinkConfiguration);
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        try (Services services = Services.start()) {
            // Round 0 (untimed, not in the figures) compiles the hot code of the broker, the job and the database
            // client; without it the first measured round ran on cold JVMs (p99 421.9 ms against 80.3 in round 2).
            for (int rep = warmupRound.isZero() ? 1 : 0; rep <= repeats; rep++) {
                for (String path : paths) {
                    double[] percentiles = switch (path) {
                        case "nowindow" -> noWindow(services, rep);
                        case "window" -> window(services, rep);
                        default -> throw new IllegalArgumentException("--paths: nowindow, window");
                    };
                    if (rep > 0) {
                        results.computeIfAbsent(path, p -> new ArrayList<>()).add(percentiles);
                    }
                }
            }
        }
        Machine.reportLoad("load_avg_end");
        StringBuilder summary = new StringBuilder(String.format(Locale.ROOT, "latency rate=%.0f/s p=%d batch=%d/%s", rate,
                parallelism, batchSize, batchInterval));
        for (var entry : results.entrySet()) {
            String[] names = {"p50_ms", "p95_ms", "p99_ms", "max_ms"};
            for (int i = 0; i < names.length; i++) {
                int column = i;
                Report.Spread spread = Report.Spread.of(entry.getValue().stream().map(r -> r[column]).toList());
                String target = entry.getKey().equals("nowindow") && i == 2 ? " target <= 100: " + (spread.median() <= 100 ? "met" : "missed") : "";
                Report.line(entry.getKey() + "_" + names[i], spread + target);
                if (i < 3) {
                    summary.append(' ').append(entry.getKey()).append('_').append(names[i]).append('=').append(Report.number(spread.median()));
                }
            }
            if (entry.getKey().equals("nowindow")) {
                double p99 = Report.Spread.of(entry.getValue().stream().map(r -> r[2]).toList()).median();
                summary.append(" (p99 target <= 100 ms: ").append(p99 <= 100 ? "met" : "missed").append(')');
            }
        }
        Report.line("summary", summary.toString());
    }

    private double[] noWindow(Services services, int rep) throws Exception {
        String topic = "lat_orders_r" + rep;
        String table = "lat_nowindow_r" + rep;
        services.kafka.createTopic(topic, partitions);
        StreamingPipelineSpec spec = OrderEvents.upsertSpec(parallelism, services.kafka.bootstrapServers(), topic,
                "bench-" + table, services.postgres.jdbcUrl(), table, batchSize, batchInterval,
                "{name: produced_at, type: timestamp, required: true}");
        prepareTable(services, spec, table);
        OrderEvents orders = OrderEvents.generate(1, partitions, 0, 11);
        Report.progress("rep %d: no-window latency into %s", rep, table);
        double[] percentiles = measure(services, spec, table, topic, rep, "nowindow", (i, producedAt) -> {
            OrderEvents.Order base = orders.event(0);
            String id = OrderEvents.orderId(i);
            String json = new OrderEvents.Order(id, base.customerId(), base.status(), base.amount(), base.currency(),
                    base.items(), base.channel(), base.country(), base.coupon(), base.gift(), base.weightKg(), base.note(),
                    base.createdAt(), producedAt).json();
            return new PacedProducer.Record(OrderEvents.partitionOf(id, partitions), id,
                    json.substring(0, json.length() - 1) + ",\"produced_at\":" + producedAt + "}");
        }, "produced_at");
        return percentiles;
    }

    private double[] window(Services services, int rep) throws Exception {
        String topic = "lat_sensors_r" + rep;
        String table = "lat_window_r" + rep;
        services.kafka.createTopic(topic, partitions);
        StreamingPipelineSpec spec = SpecFiles.parse(String.format(Locale.ROOT, """
                parallelism: %d
                source:
                  kafka: {bootstrapServers: "%s", topic: %s, groupId: bench-%s}
                  startingOffsets: {policy: earliest}
                  schema:
                    - {name: sensor_id, type: string, required: true, pattern: "^s-[0-9]{1,6}$"}
                    - {name: temperature, type: double, required: true, min: -60, max: 200}
                    - {name: ts, type: timestamp, required: true}
                  eventTime: {field: ts, maxOutOfOrderness: %dms, idleTimeout: 5s}
                transform:
                  keyBy: [sensor_id]
                  window: {type: tumbling, size: 1s}
                  aggregates: [{name: avg_temp, fn: avg, field: temperature}, {name: readings, fn: count}]
                sink:
                  postgres: {jdbcUrl: "%s", table: %s, createTable: true, batch: {size: %d, interval: %s}}
                lateData: {drop: true}
                deadLetter: {table: %s_rejects}
                checkpointing: {interval: 10s, storage: {path: "file:///tmp/streampipe-bench-checkpoints"}}
                """, parallelism, services.kafka.bootstrapServers(), topic, table, OUT_OF_ORDERNESS_MILLIS,
                services.postgres.jdbcUrl(), table, batchSize, batchInterval, table));
        prepareTable(services, spec, table);
        Report.progress("rep %d: 1 s tumbling-window latency into %s", rep, table);
        return measure(services, spec, table, topic, rep, "window", (i, producedAt) -> {
            String id = SensorEvents.sensorId(i % sensors);
            return new PacedProducer.Record(OrderEvents.partitionOf(id, partitions), id, "{\"sensor_id\":\"" + id
                    + "\",\"temperature\":" + (20 + i % 7) + ".5,\"ts\":" + producedAt + "}");
        }, "window_end + interval '" + OUT_OF_ORDERNESS_MILLIS + " milliseconds'");
    }

    private static void prepareTable(Services services, StreamingPipelineSpec spec, String table) throws Exception {
        try (Connection connection = services.connect()) {
            Tables.drop(connection, table, table + "_rejects");
            List<String> ddl = new ArrayList<>(TableCreator.statements(spec));
            ddl.add("ALTER TABLE " + table + " ADD COLUMN visible_at timestamptz NOT NULL DEFAULT clock_timestamp()");
            Tables.execute(connection, ddl);
        }
    }

    /**
     * The rows whose ready time is in [from, until), each with {@code ready_at}, its commit-corrected latency
     * {@code ms} (a row is visible when its transaction commits: the latest {@code visible_at} of its {@code xmin})
     * and its latency at insert {@code inserted_ms}: the {@code WITH} part of every latency query.
     */
    private static String latencies(String table, String ready, Instant from, Instant until) {
        return String.format(Locale.ROOT, """
                WITH tx AS (SELECT xmin::text AS x, max(visible_at) AS committed FROM %1$s GROUP BY 1),
                     l AS (SELECT (%2$s) AS ready_at,
                                  extract(epoch FROM tx.committed - (%2$s)) * 1000 AS ms,
                                  extract(epoch FROM t.visible_at - (%2$s)) * 1000 AS inserted_ms
                           FROM %1$s t JOIN tx ON t.xmin::text = tx.x
                           WHERE (%2$s) >= '%3$s' AND (%2$s) < '%4$s')
                """, table, ready, from, until);
    }

    /**
     * Where the tail comes from: the five seconds of the run (counted from the producer's start; the job's
     * checkpoints are every 10 s) with the most events slower than 100 ms, each with its p99.
     */
    private static String slowestSeconds(Connection connection, String latencies, Instant start) throws Exception {
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(latencies + String.format(Locale.ROOT, """
                     SELECT floor(extract(epoch FROM ready_at - '%s'::timestamptz)) AS second,
                            count(*) FILTER (WHERE ms > 100), percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)
                     FROM l GROUP BY second ORDER BY 2 DESC, 1 LIMIT 5""", start))) {
            List<String> seconds = new ArrayList<>();
            while (result.next()) {
                if (result.getLong(2) > 0) {
                    seconds.add(String.format(Locale.ROOT, "+%.0fs %d>100ms p99=%.0f", result.getDouble(1),
                            result.getLong(2), result.getDouble(3)));
                }
            }
            return seconds.isEmpty() ? "none over 100 ms" : String.join(", ", seconds);
        }
    }

    /** @return p50, p95, p99, max in ms of (commit-corrected visible time − {@code readyExpression}) */
    private double[] measure(Services services, StreamingPipelineSpec spec, String table, String topic, int rep, String path,
                             PacedProducer.Event events, String readyExpression) throws Exception {
        JobClient job = JobRun.startRunning(services, spec, parallelism, JobRun.configuration(flinkConfiguration));
        try {
            Thread.sleep(3000);
            Instant start = Instant.now();
            Map<String, Double> cpu = services.cpu();
            long[] sent = PacedProducer.run(services.kafka.bootstrapServers(), topic, rate, rep == 0 ? warmupRound : duration, events);
            Report.line("rep" + rep + "_" + path + "_produced", sent[0] + " events in " + sent[1] / 1000.0 + " s");
            Thread.sleep(3000);
            services.reportCpuSince("rep" + rep + "_" + path, cpu, sent[1] / 1000.0 + 3);
            Instant from = start.plus(warmup);
            Instant until = start.plusMillis(sent[1] - 1500);
            String rows = latencies(table,
                    readyExpression.replace("window_end", "t.window_end").replace("produced_at", "t.produced_at"), from, until);
            try (Connection connection = services.connect(); Statement statement = connection.createStatement();
                 ResultSet result = statement.executeQuery(rows + """
                         SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY ms), max(ms), count(*),
                                percentile_cont(0.99) WITHIN GROUP (ORDER BY inserted_ms)
                         FROM l""")) {
                result.next();
                Double[] p = (Double[]) result.getArray(1).getArray();
                double[] values = {p[0], p[1], p[2], result.getDouble(2)};
                Report.line("rep" + rep + "_" + path + "_latency_ms", String.format(Locale.ROOT,
                        "p50=%.1f p95=%.1f p99=%.1f max=%.1f rows=%d (p99 at insert, before commit: %.1f)",
                        values[0], values[1], values[2], values[3], result.getLong(3), result.getDouble(4)));
                Report.line("rep" + rep + "_" + path + "_slowest_seconds", slowestSeconds(connection, rows, start));
                return values;
            }
        } finally {
            JobRun.cancel(job);
        }
    }
}
