package io.streampipe.standin.flink.cluster;

import io.streampipe.standin.flink.Await;
import io.streampipe.standin.flink.rest.ClusterOverview;
import io.streampipe.standin.flink.rest.FlinkRestClient;
import io.streampipe.standin.flink.rest.FlinkRestException;
import io.streampipe.standin.flink.rest.TaskManagerInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real clusters: start, lose and regain a TaskManager, stop; a JVM that dies; a parent JVM that is killed. */
class LocalFlinkClusterTest {
    private static final Logger LOG = LoggerFactory.getLogger(LocalFlinkClusterTest.class);

    @Test
    void startsLosesAndRegainsATaskManagerAndLeavesNoProcessBehind(@TempDir Path work) throws Exception {
        ClusterSettings settings = ClusterSettings.of(work)
                .withTaskManagers(2, 1)
                .withEnvironment(Map.of("STREAMPIPE_TEST_SECRET", "never-in-a-log-8c1f"));
        List<ProcessHandle> processes;
        try (LocalFlinkCluster cluster = new LocalFlinkCluster(settings)) {
            long start = System.nanoTime();
            cluster.start();
            LOG.info("Cluster of 2 TaskManagers started in {} ms", millisSince(start));
            FlinkRestClient rest = cluster.rest();
            ClusterOverview overview = rest.overview();
            assertThat(overview.taskManagers()).isEqualTo(2);
            assertThat(overview.slotsTotal()).isEqualTo(2);
            assertThat(overview.flinkVersion()).isEqualTo("1.20.3");
            assertThat(rest.taskManagers()).extracting(TaskManagerInfo::id)
                    .containsExactlyInAnyOrder("taskmanager-0", "taskmanager-1");
            assertThat(cluster.restUrl().getHost()).isEqualTo("127.0.0.1");
            processes = cluster.processes();
            assertThat(processes).hasSize(3);
            assertThatThrownBy(() -> rest.job("00000000000000000000000000000000"))
                    .isInstanceOfSatisfying(FlinkRestException.class, e -> assertThat(e.statusCode()).isEqualTo(404))
                    .hasMessageContaining("GET /jobs/00000000000000000000000000000000 failed with HTTP 404")
                    .hasMessageContaining("Job 00000000000000000000000000000000 not found");

            long kill = System.nanoTime();
            cluster.killTaskManager(1);
            Await.equal(Duration.ofSeconds(60), () -> rest.overview().taskManagers(), 1);
            LOG.info("The JobManager noticed the killed TaskManager after {} ms", millisSince(kill));
            assertThat(cluster.processes()).hasSize(2);

            long restart = System.nanoTime();
            cluster.restartTaskManager(1);
            LOG.info("TaskManager restarted and registered in {} ms", millisSince(restart));
            assertThat(rest.taskManagers()).extracting(TaskManagerInfo::id)
                    .containsExactlyInAnyOrder("taskmanager-0", "taskmanager-1-1");
            processes = cluster.processes();
            assertThat(processes).hasSize(3);
            assertThat(cluster.taskManagerLog(1)).hasFileName("taskmanager-1-1.log").exists();
        }
        assertThat(processes).noneMatch(ProcessHandle::isAlive);
        assertThat(Files.readString(work.resolve("log/jobmanager.log"))).contains("Starting StandaloneSessionClusterEntrypoint");
        assertThat(Files.getPosixFilePermissions(work.resolve("conf/config.yaml")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (var logs = Files.list(work.resolve("log"))) {
            for (Path log : logs.toList()) {
                assertThat(Files.readString(log, StandardCharsets.ISO_8859_1)).as(log.toString())
                        .doesNotContain("never-in-a-log-8c1f");
            }
        }
    }

    /** An unmapped Kubernetes HA setting: no JVM of the cluster can load its factory, the first to exit fails the start. */
    @Test
    void aJvmThatExitsFailsTheStartNamingItsLog(@TempDir Path work) {
        ClusterSettings settings = ClusterSettings.of(work)
                .withFlinkConfiguration(Map.of("high-availability.type", "kubernetes"));
        LocalFlinkCluster cluster = new LocalFlinkCluster(settings);
        assertThatThrownBy(cluster::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("(?s)The (jobmanager|taskmanager-0) JVM \\(pid \\d+\\) of .* exited with code 1 .*")
                .hasMessageMatching("(?s).*Log: " + work.toAbsolutePath() + "/log/(jobmanager|taskmanager-0)\\.log.*")
                .hasMessageContaining("Caused by: java.lang.ClassNotFoundException: "
                        + "org.apache.flink.kubernetes.highavailability.KubernetesHaServicesFactory");
        assertThat(cluster.processes()).isEmpty();
    }

    @Test
    void theJvmsOfAKilledParentAreStopped(@TempDir Path work) throws Exception {
        Process parent = new ProcessBuilder(javaExecutable(), "-Xmx256m", "-cp", testClasspath(),
                OrphanScenario.class.getName(), work.toString())
                .redirectErrorStream(true)
                .start();
        List<Long> pids = new ArrayList<>();
        try (var output = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = output.readLine(); line != null; line = output.readLine()) {
                if (line.startsWith(OrphanScenario.PID)) {
                    pids.add(Long.parseLong(line.substring(OrphanScenario.PID.length())));
                } else if (line.equals(OrphanScenario.READY)) {
                    break;
                }
            }
            assertThat(pids).as("JVMs reported by the parent").hasSize(2).allMatch(LocalFlinkClusterTest::alive);
            parent.destroyForcibly().waitFor();  // SIGKILL: no shutdown hook runs
        } finally {
            parent.destroyForcibly();
        }
        long killed = System.nanoTime();
        Await.equal(Duration.ofSeconds(30), () -> pids.stream().anyMatch(LocalFlinkClusterTest::alive), false);
        LOG.info("The JVMs of the killed parent were gone {} ms later", millisSince(killed));
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Surefire may hide the real classpath behind a manifest-only jar; it also publishes it here. */
    private static String testClasspath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }
}
