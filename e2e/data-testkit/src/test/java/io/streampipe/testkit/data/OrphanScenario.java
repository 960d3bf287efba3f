package io.streampipe.testkit.data;

/**
 * Runs in a child JVM of {@link LocalServiceLifecycleTest}: starts both services, reports their
 * processes and directories on stdout, then waits to be killed with SIGKILL.
 */
public final class OrphanScenario {

  static final String REPORT_PREFIX = "orphan-scenario ";

  public static void main(String[] args) throws InterruptedException {
    KafkaBroker kafka = new KafkaBroker();
    PostgresServer postgres = new PostgresServer();
    kafka.start();
    postgres.start();
    report("pid", kafka.process().pid());
    report("dir", kafka.workDirectory());
    report("pid", postgres.process().pid());
    report("dir", postgres.workDirectory());
    System.out.println(REPORT_PREFIX + "ready");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  private static void report(String kind, Object value) {
    System.out.println(REPORT_PREFIX + kind + "=" + value);
  }
}
