package io.streampipe.standin;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.streampipe.standin.fko.FkoConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The sandbox's stand-in for the Flink Kubernetes Operator 1.16: watches FlinkDeployments on a real API server and runs
 * each as a real Flink cluster on this machine (see {@link StandInController}). It is not FKO and is never deployed:
 * FKO needs pods, and this machine has no kubelet.
 *
 * <pre>
 * java -cp … io.streampipe.standin.FlinkOperatorStandIn --kubeconfig FILE --work-dir DIR --job-jar JAR
 *      [--hosts-file FILE] [--interval 1s] [--no-clusters]
 * </pre>
 *
 * <p>{@code --no-clusters} runs no Flink at all ({@link NoClusters}): a deployed job is RUNNING at once, and the
 * statuses are FKO's as in the full stand-in, reconciled on {@link #NO_CLUSTERS_PARALLELISM} threads as FKO's are. For
 * measuring our operator at scale; {@code --job-jar} is then optional.
 */
public final class FlinkOperatorStandIn implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FlinkOperatorStandIn.class);
    /**
     * Reconcile threads without clusters: FKO's default ({@link FkoConfig#DEFAULT_RECONCILE_PARALLELISM}). With local
     * clusters the loop stays on one thread: the clusters' JVMs share this machine's cores.
     */
    static final int NO_CLUSTERS_PARALLELISM = FkoConfig.DEFAULT_RECONCILE_PARALLELISM;

    private final KubernetesClient client;
    private final FlinkClusters clusters;
    private final StandInController controller;

    private FlinkOperatorStandIn(KubernetesClient client, FlinkClusters clusters, StandInController controller) {
        this.client = client;
        this.clusters = clusters;
        this.controller = controller;
    }

    /** Starts watching and returns; {@link #close()} stops the controller and every cluster it started. */
    public static FlinkOperatorStandIn start(Path kubeconfig, Path workDirectory, Path jobJar, Optional<Path> hostsFile, Duration interval)
            throws Exception {
        return start(kubeconfig, workDirectory, jobJar, hostsFile, interval, false);
    }

    /** As above; with {@code noClusters}, no Flink runs and {@code jobJar} may be null. */
    public static FlinkOperatorStandIn start(Path kubeconfig, Path workDirectory, Path jobJar, Optional<Path> hostsFile, Duration interval,
                                             boolean noClusters) throws Exception {
        if (noClusters && jobJar == null) {
            jobJar = Path.of("/opt/flink/usrlib/pipeline-job.jar"); // named in the application, never read
        } else if (jobJar == null || !Files.isRegularFile(jobJar)) {
            throw new IllegalArgumentException("--job-jar " + jobJar + " is no file; build it with mvn -pl pipeline-job package");
        }
        Files.createDirectories(workDirectory);
        Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        FlinkClusters clusters = noClusters ? new NoClusters() : new LocalFlinkClusters(workDirectory, hostsFile);
        StandInController controller = new StandInController(client, clusters,
                new ApplicationClusters(client, workDirectory, jobJar), interval, noClusters ? NO_CLUSTERS_PARALLELISM : 1);
        controller.start();
        LOG.info("Flink Kubernetes Operator stand-in started: {}{}", noClusters ? "no clusters (jobs RUNNING at once)"
                        : "clusters under " + workDirectory + ", job jar " + jobJar,
                hostsFile.map(file -> ", host names from " + file).orElse(""));
        return new FlinkOperatorStandIn(client, clusters, controller);
    }

    /** The local cluster of a FlinkDeployment, for fault injection (kill a TaskManager). */
    public Optional<io.streampipe.standin.flink.cluster.LocalFlinkCluster> cluster(String namespace, String name) {
        return clusters instanceof LocalFlinkClusters local ? local.cluster(namespace + "/" + name) : Optional.empty();
    }

    /**
     * The jar a FlinkDeployment's cluster runs and how it was run (without its state), for measuring Flink's own
     * stop-with-savepoint and restore on that cluster (e2e/bin/bench upgrade).
     */
    public Optional<java.util.Map.Entry<java.nio.file.Path, io.streampipe.standin.flink.rest.JarRun>> application(String namespace, String name) {
        return clusters instanceof LocalFlinkClusters local ? local.application(namespace + "/" + name) : Optional.empty();
    }

    @Override
    public void close() {
        controller.close();
        if (clusters instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("Stopping the clusters failed: {}", e.toString());
            }
        }
        client.close();
        LOG.info("Flink Kubernetes Operator stand-in stopped");
    }

    public static void main(String[] args) throws Exception {
        StandInOptions options = StandInOptions.parse(args, true);
        FlinkOperatorStandIn standIn = start(options.kubeconfig(), options.workDirectory(), options.jobJar(),
                options.hostsFile(), options.interval(), options.noClusters());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            standIn.close();
            stopped.countDown();
        }, "standin-shutdown"));
        stopped.await();
    }
}
