package io.streampipe.testkit.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Start-up time, and that no process or directory outlives the services or their JVM. */
class LocalServiceLifecycleTest {

  private static final Logger LOG = LoggerFactory.getLogger(LocalServiceLifecycleTest.class);

  @Test
  void closeStopsTheProcessesAndDeletesTheirDirectories() {
    KafkaBroker kafka = new KafkaBroker();
    PostgresServer postgres = new PostgresServer();
    long startNanos = System.nanoTime();
    kafka.start();
    postgres.start();
    LOG.info("Kafka and PostgreSQL started one after the other in {} ms",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    List<ProcessHandle> processes = List.of(kafka.process().toHandle(), postgres.process().toHandle());
    List<Path> directories = List.of(kafka.workDirectory(), postgres.workDirectory());

    long stopNanos = System.nanoTime();
    kafka.close();
    postgres.close();
    LOG.info("Kafka and PostgreSQL stopped in {} ms",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopNanos));

    assertThat(processes).noneMatch(ProcessHandle::isAlive);
    assertThat(directories).noneMatch(Files::exists);
    assertThat(kafka.isRunning()).isFalse();
    assertThat(postgres.isRunning()).isFalse();
  }

  @Test
  void servicesOfAKilledJvmAreStoppedAndDeleted() throws Exception {
    Process testJvm = new ProcessBuilder(javaExecutable(), "-cp", testClasspath(),
        OrphanScenario.class.getName())
        .redirectErrorStream(true)
        .start();
    List<Long> servicePids = new ArrayList<>();
    List<Path> serviceDirectories = new ArrayList<>();
    try (var output = new BufferedReader(new InputStreamReader(testJvm.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = output.readLine(); line != null; line = output.readLine()) {
        if (!line.startsWith(OrphanScenario.REPORT_PREFIX)) {
          continue;
        }
        String report = line.substring(OrphanScenario.REPORT_PREFIX.length());
        if (report.startsWith("pid=")) {
          servicePids.add(Long.parseLong(report.substring(4)));
        } else if (report.startsWith("dir=")) {
          serviceDirectories.add(Path.of(report.substring(4)));
        } else if (report.equals("ready")) {
          break;
        }
      }
      assertThat(servicePids).as("processes reported by the child JVM").hasSize(2);
      assertThat(servicePids).allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));

      testJvm.destroyForcibly().waitFor();  // SIGKILL: no shutdown hook runs
    } finally {
      testJvm.destroyForcibly();
    }

    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline && (anyAlive(servicePids) || serviceDirectories.stream().anyMatch(Files::exists))) {
      Thread.sleep(200);
    }
    assertThat(servicePids).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    assertThat(serviceDirectories).hasSize(2).noneMatch(Files::exists);
  }

  private static boolean anyAlive(List<Long> pids) {
    return pids.stream().anyMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
  }

  private static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Surefire may hide the real classpath behind a manifest-only jar; it also publishes it here. */
  private static String testClasspath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }
}
