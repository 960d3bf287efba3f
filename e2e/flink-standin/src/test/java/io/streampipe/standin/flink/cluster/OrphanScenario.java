package io.streampipe.standin.flink.cluster;

import java.nio.file.Path;

/**
 * Runs in a child JVM of {@link LocalFlinkClusterTest}: starts a cluster in the directory it is given, reports the
 * pids of its JVMs on stdout, then waits to be killed with SIGKILL.
 */
public final class OrphanScenario {
    static final String PID = "orphan-scenario pid=";
    static final String READY = "orphan-scenario ready";

    public static void main(String[] args) throws InterruptedException {
        LocalFlinkCluster cluster = new LocalFlinkCluster(ClusterSettings.of(Path.of(args[0])));
        cluster.start();
        cluster.processes().forEach(process -> System.out.println(PID + process.pid()));
        System.out.println(READY);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
