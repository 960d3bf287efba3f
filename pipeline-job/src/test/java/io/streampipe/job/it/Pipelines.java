package io.streampipe.job.it;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.JobOptions;
import io.streampipe.job.SpecFiles;
import io.streampipe.job.sink.DatabaseCredentials;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Specs, job control and table reads shared by the integration tests. */
public final class Pipelines {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private Pipelines() {
    }

    /**
     * One TaskManager with enough slots for parallelism 3 (the rescale test), and Flink's Prometheus reporter as the
     * operator configures it on every FlinkDeployment, on a free port ({@link PrometheusScrape}).
     */
    public static MiniClusterExtension miniCluster() {
        Configuration cluster = new Configuration();
        cluster.setString("metrics.reporter.watermarks.factory.class", WatermarkProbe.class.getName());
        cluster.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        cluster.setString("metrics.reporter.prom.port", Integer.toString(PrometheusScrape.PORT));
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(4)
                .setConfiguration(cluster)
                .build());
    }

    /** A name no other test of this JVM uses (topics, tables, groups). */
    public static String unique(String prefix) {
        return prefix + "_" + NAMES.incrementAndGet() + "_" + Long.toString(System.nanoTime() % 1_000_000, 36);
    }

    /**
     * {@code count} user ids, {@code prefix-N}, whose keys land on window subtask {@code subtask} at {@code parallelism}
     * (default max parallelism), chosen as Flink routes a key: its key group, then the subtask owning that group.
     */
    public static java.util.List<String> usersOnSubtask(String prefix, int count, int subtask, int parallelism) {
        int maxParallelism = org.apache.flink.runtime.state.KeyGroupRangeAssignment.computeDefaultMaxParallelism(parallelism);
        java.util.List<String> users = new java.util.ArrayList<>();
        for (int n = 0; users.size() < count; n++) {
            String user = prefix + "-" + n;
            if (org.apache.flink.runtime.state.KeyGroupRangeAssignment.assignKeyToParallelOperator(
                    org.apache.flink.types.Row.of(user), maxParallelism, parallelism) == subtask) {
                users.add(user);
            }
        }
        return users;
    }

    /** Job configuration of every test: watermarks every 50 ms, a few quick restarts. */
    public static Configuration jobConfiguration() {
        Configuration configuration = new Configuration();
        configuration.setString("pipeline.auto-watermark-interval", "50ms");
        configuration.setString("restart-strategy.type", "fixed-delay");
        configuration.setString("restart-strategy.fixed-delay.attempts", "3");
        configuration.setString("restart-strategy.fixed-delay.delay", "500ms");
        return configuration;
    }

    public static JobOptions options(PostgresServer postgres, int parallelism) {
        return JobOptions.defaults()
                .withParallelism(parallelism)
                .withCredentials(DatabaseCredentials.of(postgres.username(), postgres.password()))
                .withConfiguration(jobConfiguration());
    }

    public static JobOptions restoring(JobOptions options, String savepoint) {
        Configuration configuration = new Configuration(options.configuration());
        configuration.setString("execution.savepoint.path", savepoint);
        configuration.setString("execution.savepoint.ignore-unclaimed-state", "true");
        return options.withConfiguration(configuration);
    }

    /**
     * A windowed spec over events {user_id, v, ts}: count n, sum total, avg mean, min lo, max hi of v per user.
     *
     * @param window  the YAML flow map of transform.window
     * @param having  the YAML flow sequence of transform.having
     */
    public static StreamingPipelineSpec windowedSpec(KafkaBroker kafka, PostgresServer postgres, String topic, String table,
                                                     String window, String having, String lateData) {
        return SpecFiles.parse(String.format(Locale.ROOT, """
                parallelism: 2
                source:
                  kafka: {bootstrapServers: "%s", topic: %s, groupId: %s}
                  startingOffsets: {policy: earliest}
                  schema:
                    - {name: user_id, type: string, required: true}
                    - {name: v, type: double, required: true, min: -1000, max: 1000}
                    - {name: ts, type: timestamp, required: true}
                  eventTime: {field: ts, maxOutOfOrderness: 1m, idleTimeout: 1s}
                transform:
                  keyBy: [user_id]
                  window: %s
                  aggregates:
                    - {name: n, fn: count}
                    - {name: total, fn: sum, field: v}
                    - {name: mean, fn: avg, field: v}
                    - {name: lo, fn: min, field: v}
                    - {name: hi, fn: max, field: v}
                  having: %s
                sink:
                  postgres: {jdbcUrl: "%s", table: %s, createTable: true, batch: {size: 50, interval: 100ms}, maxRetries: 3}
                lateData: %s
                deadLetter: {table: %s_rejects}
                checkpointing: {interval: 1s, storage: {path: "file:///tmp/streampipe-it"}}
                """, kafka.bootstrapServers(), topic, topic + "-group", window, having, postgres.jdbcUrl(), table,
                lateData, table));
    }

    /** Starts jobs and cancels every one still running when closed, whatever the test did in between. */
    public static final class Jobs implements AutoCloseable {
        private final java.util.List<JobClient> started = new java.util.ArrayList<>();

        public JobClient start(io.streampipe.api.v1alpha1.StreamingPipelineSpec spec, io.streampipe.job.JobOptions options) throws Exception {
            JobClient job = io.streampipe.job.PipelineJob.start(spec, options);
            started.add(job);
            return job;
        }

        @Override
        public void close() {
            for (JobClient job : started) {
                try {
                    if (!job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
                        job.cancel().get(30, TimeUnit.SECONDS);
                    }
                } catch (Exception alreadyGone) {
                    // Stopped with a savepoint, or finished: nothing to cancel.
                }
            }
        }
    }

    /**
     * Stops the job with a savepoint. A job whose tasks are not all deployed yet refuses the savepoint ("is not being
     * executed at the moment"); that is retried for a while, as a user would, and any other failure is not.
     */
    public static String savepoint(JobClient job, Path directory) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                return job.stopWithSavepoint(false, directory.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                boolean notYetRunning = String.valueOf(e.getMessage()).contains("is not being executed at the moment");
                if (!notYetRunning || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /** Rows of a windowed result table, in the oracle's form and order. */
    public static java.util.List<WindowOracle.Row> windowRows(PostgresServer postgres, String table) {
        return postgres.query("SELECT user_id, (extract(epoch FROM window_start) * 1000)::bigint AS s, "
                        + "(extract(epoch FROM window_end) * 1000)::bigint AS e, n, total, mean, lo, hi FROM "
                        + table + " ORDER BY user_id, window_start").stream()
                .map(Pipelines::windowRow).toList();
    }

    private static WindowOracle.Row windowRow(Map<String, Object> row) {
        return new WindowOracle.Row((String) row.get("user_id"), ((Number) row.get("s")).longValue(),
                ((Number) row.get("e")).longValue(), ((Number) row.get("n")).longValue(), round(row.get("total")),
                round(row.get("mean")), round(row.get("lo")), round(row.get("hi")));
    }

    /** The oracle's rows rounded as the table's are compared (sums may differ in the last bits by order). */
    public static java.util.List<WindowOracle.Row> rounded(java.util.List<WindowOracle.Row> rows) {
        return rows.stream().map(r -> new WindowOracle.Row(r.user(), r.start(), r.end(), r.n(), round(r.total()),
                round(r.mean()), round(r.lo()), round(r.hi()))).toList();
    }

    private static double round(Object value) {
        return Math.round(((Number) value).doubleValue() * 1e6) / 1e6;
    }

    /** Waits until {@code actual} equals {@code expected}, then asserts it (so a timeout shows the difference). */
    public static <T> void awaitEqual(Duration timeout, java.util.function.Supplier<T> actual, T expected) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T current = actual.get();
        while (!current.equals(expected) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            current = actual.get();
        }
        org.assertj.core.api.Assertions.assertThat(current).isEqualTo(expected);
    }

    public static <T> void awaitEqual(java.util.function.Supplier<T> actual, T expected) {
        awaitEqual(Duration.ofSeconds(30), actual, expected);
    }
}
