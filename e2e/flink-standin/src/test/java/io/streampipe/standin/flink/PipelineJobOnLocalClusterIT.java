package io.streampipe.standin.flink;

import io.streampipe.api.JobContract;
import io.streampipe.api.PipelineSpecs;
import io.streampipe.api.v1alpha1.SecretKeyRef;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.it.Orders;
import io.streampipe.standin.flink.cluster.ClusterSettings;
import io.streampipe.standin.flink.cluster.LocalFlinkCluster;
import io.streampipe.standin.flink.rest.CheckpointStats;
import io.streampipe.standin.flink.rest.FlinkRestClient;
import io.streampipe.standin.flink.rest.JarRun;
import io.streampipe.standin.flink.rest.JobDetails;
import io.streampipe.standin.flink.rest.JobSummary;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The bundled job jar on a real local cluster, driven over REST only, as the stand-in drives it for a
 * FlinkDeployment: upload and run it with a spec file and the credentials in the environment, Kafka and PostgreSQL
 * reached by name through the hosts file; a savepoint while it runs; a TaskManager lost and brought back (the job
 * restarts from its last checkpoint); stop-with-savepoint and a second run from that savepoint at another
 * parallelism (on a new cluster, as the operator upgrades a deployment). The table must equal the orders oracle of pipeline-job's tests after each step.
 */
class PipelineJobOnLocalClusterIT {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineJobOnLocalClusterIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** As the Flink operator fixes a deployment's job id. */
    private static final String FIRST_JOB_ID = "5e7a1d0c0ffee0005e7a1d0c0ffee000";

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();

    @Test
    void theJobRunsSavepointsSurvivesALostTaskManagerAndRescalesFromItsSavepoint(@TempDir Path work) throws Exception {
        Path jobJar = Path.of(System.getProperty("streampipe.jobJar", "../../pipeline-job/target/pipeline-job.jar"));
        assertThat(jobJar).as("the shaded job jar (build pipeline-job first)").isRegularFile();
        String topic = "standin_" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        KAFKA.createTopic(topic, 4);
        Path specFile = writeSpec(work, topic);
        String savepoints = work.resolve("savepoints").toUri().toString();

        ClusterSettings settings = ClusterSettings.of(work.resolve("cluster"))
                .withFlinkConfiguration(flinkConfiguration(work))
                .withTaskManagers(1, 2)
                .withEnvironment(Map.of(JobContract.ENV_POSTGRES_USERNAME, POSTGRES.username(),
                        JobContract.ENV_POSTGRES_PASSWORD, POSTGRES.password()))
                .withHostsFile(Files.writeString(work.resolve("hosts"),
                        "127.0.0.1 localhost\n127.0.0.1 kafka\n127.0.0.1 postgres\n"));
        JarRun run = JarRun.of(JobContract.MAIN_CLASS, List.of(JobContract.ARG_SPEC_FILE, specFile.toString(),
                JobContract.ARG_SOURCE_EPOCH, JobContract.INITIAL_SOURCE_EPOCH));
        List<Orders.Order> orders = new ArrayList<>(Orders.versions("a", 40, 0));
        List<ProcessHandle> jvms = new ArrayList<>();
        int firstTasks;
        String stopped;
        try (LocalFlinkCluster cluster = new LocalFlinkCluster(settings)) {
            long t = System.nanoTime();
            cluster.start();
            LOG.info("Cluster started in {} ms", millisSince(t));
            jvms.addAll(cluster.processes());
            FlinkRestClient flink = cluster.rest();

            t = System.nanoTime();
            String first = flink.runJar(flink.uploadJar(jobJar), run.withParallelism(1).withJobId(FIRST_JOB_ID));
            assertThat(first).isEqualTo(FIRST_JOB_ID);
            firstTasks = Await.until(TIMEOUT, () -> flink.job(first), JobDetails::allTasksRunning).tasks();
            LOG.info("Jar uploaded and run, all {} tasks RUNNING in {} ms", firstTasks, millisSince(t));

            Orders.produce(KAFKA, topic, orders, null);
            Await.equal(TIMEOUT, () -> table(topic), Orders.latest(orders));

            CheckpointStats stats = Await.until(TIMEOUT, () -> flink.checkpoints(first), s -> s.completed() >= 1);
            CheckpointStats.Completed checkpoint = stats.latestCompleted().orElseThrow();
            assertThat(checkpoint.savepoint()).isFalse();
            assertThat(Path.of(URI.create(checkpoint.externalPath())).resolve("_metadata")).isRegularFile();
            assertThat(checkpoint.stateSize()).isPositive();

            t = System.nanoTime();
            String savepoint = flink.awaitSavepoint(first, flink.triggerSavepoint(first, savepoints, SavepointFormatType.CANONICAL), TIMEOUT);
            LOG.info("Savepoint {} taken in {} ms", savepoint, millisSince(t));
            assertThat(Path.of(URI.create(savepoint)).resolve("_metadata")).isRegularFile();
            assertThat(flink.job(first).state()).isEqualTo("RUNNING");
            // The REST API caches checkpoint statistics for up to web.refresh-interval (3 s).
            Await.equal(TIMEOUT, () -> flink.checkpoints(first).latestSavepoint()
                    .map(CheckpointStats.Completed::externalPath), Optional.of(savepoint));

            long lostAt = System.currentTimeMillis();
            cluster.killTaskManager(0);
            Await.until(TIMEOUT, () -> flink.job(first).stateTimestamps().getOrDefault("RESTARTING", 0L),
                    restarting -> restarting >= lostAt);
            assertThat(flink.exceptions(first).latest()).get().satisfies(failure -> {
                assertThat(failure.timestamp()).isGreaterThanOrEqualTo(lostAt);
                assertThat(failure.summary() + failure.rootCause().orElse("")).contains("taskmanager-0");
            });
            t = System.nanoTime();
            cluster.restartTaskManager(0);
            Await.until(TIMEOUT, () -> flink.job(first), JobDetails::allTasksRunning);
            LOG.info("Job RUNNING again {} ms after the TaskManager was restarted", millisSince(t));
            CheckpointStats.Restored restored = Await.until(TIMEOUT, () -> flink.checkpoints(first),
                    s -> s.latestRestored().isPresent()).latestRestored().orElseThrow();
            assertThat(restored.savepoint()).as("restored from a checkpoint, not the savepoint").isFalse();
            assertThat(restored.restoreTimestamp()).isGreaterThanOrEqualTo(lostAt);

            List<Orders.Order> more = laterVersions(orders, "b", 4_000);
            orders.addAll(more);
            Orders.produce(KAFKA, topic, more, null);
            Await.equal(TIMEOUT, () -> table(topic), Orders.latest(orders));

            t = System.nanoTime();
            // In RocksDB's native format, which a FlinkDeployment may ask for (kubernetes.operator.savepoint.format.type):
            // the next job restores it at another parallelism.
            stopped = flink.awaitSavepoint(first, flink.stopWithSavepoint(first, savepoints, SavepointFormatType.NATIVE), TIMEOUT);
            Await.equal(TIMEOUT, () -> flink.job(first).state(), "FINISHED");
            LOG.info("Stopped with savepoint {} in {} ms", stopped, millisSince(t));
            assertThat(flink.listJobs()).extracting(JobSummary::id, JobSummary::state)
                    .containsExactly(tuple(first, "FINISHED"));
        }

        // A new parallelism is an upgrade: the Flink operator deletes the cluster and deploys a new one from the
        // savepoint (application mode), so the second run gets a JobManager of its own.
        try (LocalFlinkCluster upgraded = new LocalFlinkCluster(settings.withWorkDirectory(work.resolve("upgraded")))) {
            upgraded.start();
            jvms.addAll(upgraded.processes());
            FlinkRestClient flink = upgraded.rest();
            String second = flink.runJar(flink.uploadJar(jobJar), run.withParallelism(2).fromSavepoint(stopped, false));
            JobDetails secondRunning = Await.until(TIMEOUT, () -> flink.job(second), JobDetails::allTasksRunning);
            assertThat(secondRunning.tasks()).isGreaterThan(firstTasks);
            CheckpointStats.Restored fromSavepoint = Await.until(TIMEOUT, () -> flink.checkpoints(second),
                    s -> s.latestRestored().isPresent()).latestRestored().orElseThrow();
            assertThat(fromSavepoint.savepoint()).isTrue();
            assertThat(fromSavepoint.externalPath()).isEqualTo(stopped);
            assertThat(flink.overview().slotsAvailable()).isZero();

            List<Orders.Order> last = laterVersions(orders, "c", 8_000);
            orders.addAll(last);
            Orders.produce(KAFKA, topic, last, null);
            Await.equal(TIMEOUT, () -> table(topic), Orders.latest(orders));

            flink.cancel(second);
            Await.equal(TIMEOUT, () -> flink.job(second).state(), "CANCELED");
            assertThat(flink.listJobs()).extracting(JobSummary::id, JobSummary::state)
                    .containsExactly(tuple(second, "CANCELED"));
            assertThat(POSTGRES.query("SELECT count(*) AS n FROM " + topic + "_rejects").get(0).get("n")).isEqualTo(0L);
        }
        assertThat(jvms).noneMatch(ProcessHandle::isAlive);
        assertLogs(work.resolve("cluster/log"));
        assertLogs(work.resolve("upgraded/log"));
    }

    /** The orders spec of pipeline-job's tests, reaching Kafka and PostgreSQL by name, credentials from a Secret. */
    private static Path writeSpec(Path work, String topic) throws Exception {
        StreamingPipelineSpec spec = Orders.spec(KAFKA, POSTGRES, topic, topic, topic, "{policy: earliest}");
        spec.source.kafka.bootstrapServers = "kafka:" + KAFKA.bootstrapServers().split(":")[1];
        spec.sink.postgres.jdbcUrl = POSTGRES.jdbcUrl().replace("127.0.0.1", "postgres");
        spec.sink.postgres.credentialsSecretRef = new SecretKeyRef("orders-db");
        return Files.writeString(work.resolve(JobContract.SPEC_FILE_NAME), PipelineSpecs.toJson(spec));
    }

    /**
     * What the operator's FlinkConfiguration writes for this spec, with the storage mapped to local directories as
     * the stand-in's caller maps it; the Prometheus reporter and the operator's own keys stay.
     */
    private static Map<String, String> flinkConfiguration(Path work) {
        Map<String, String> conf = new TreeMap<>();
        conf.put("taskmanager.numberOfTaskSlots", "2");
        conf.put("pipeline.max-parallelism", "128");
        conf.put("execution.checkpointing.interval", "1s");
        conf.put("execution.checkpointing.mode", "EXACTLY_ONCE");
        conf.put("execution.checkpointing.timeout", "10min");
        conf.put("execution.checkpointing.min-pause", "500ms");
        conf.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        // A checkpoint every second, statistics cached by the REST API for up to 3 s: with Flink's default of one
        // retained checkpoint, the one the statistics name is often subsumed and deleted before the test reads it.
        conf.put("state.checkpoints.num-retained", "10");
        conf.put("state.backend.type", "rocksdb");
        conf.put("state.backend.incremental", "true");
        conf.put("state.checkpoints.dir", work.resolve("checkpoints").toUri().toString());
        conf.put("state.savepoints.dir", work.resolve("savepoints").toUri().toString());
        conf.put("restart-strategy.type", "exponential-delay");
        conf.put("restart-strategy.exponential-delay.initial-backoff", "1s");
        conf.put("restart-strategy.exponential-delay.max-backoff", "1min");
        conf.put("restart-strategy.exponential-delay.backoff-multiplier", "2.0");
        conf.put("restart-strategy.exponential-delay.reset-backoff-threshold", "10min");
        conf.put("restart-strategy.exponential-delay.jitter-factor", "0.1");
        conf.put("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.put("metrics.reporter.prom.port", "9249");
        conf.put("kubernetes.operator.savepoint.history.max.count", "5");
        conf.put("pipeline.auto-watermark-interval", "50ms");
        return conf;
    }

    /** A newer version of every order so far (a status change, a later time) and as many new orders. */
    private static List<Orders.Order> laterVersions(List<Orders.Order> orders, String prefix, long second) {
        List<Orders.Order> later = new ArrayList<>();
        orders.stream().map(Orders.Order::id).distinct().forEach(id -> {
            Orders.Order any = orders.stream().filter(o -> o.id().equals(id)).findFirst().orElseThrow();
            later.add(new Orders.Order(id, "paid", any.amount() + 1, second + later.size(), any.partition()));
        });
        later.addAll(Orders.versions(prefix, 20, second + 1_000));
        return later;
    }

    private static List<String> table(String table) {
        try {
            return Orders.table(POSTGRES, table);
        } catch (IllegalStateException notCreatedYet) {
            return List.of();
        }
    }

    /** Every JVM loaded the Prometheus reporter, and no log holds the database password. */
    private static void assertLogs(Path logs) throws Exception {
        List<Path> files;
        try (Stream<Path> list = Files.list(logs)) {
            files = list.toList();
        }
        for (Path file : files) {
            String log = Files.readString(file, StandardCharsets.ISO_8859_1);
            assertThat(log).as(file.toString()).doesNotContain(POSTGRES.password());
            if (file.getFileName().toString().matches("(jobmanager|taskmanager-.*)\\.log")) {
                assertThat(log).as(file.toString()).contains("Started PrometheusReporter HTTP server on port");
            }
        }
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
