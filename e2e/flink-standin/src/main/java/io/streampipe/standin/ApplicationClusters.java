package io.streampipe.standin;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a deploy of a FlinkDeployment runs on this machine, built as FKO's {@code config/FlinkConfigBuilder} and a pod
 * would: the Flink configuration without the operator's keys ({@code AbstractFlinkService.removeOperatorConfigs}),
 * storage and volume paths mapped to local directories, the pod's environment with Secrets resolved, the job jar the
 * image would carry, and the job's arguments with container paths mapped.
 */
final class ApplicationClusters {
    private static final Logger LOG = LoggerFactory.getLogger(ApplicationClusters.class);
    /** Keys that name a storage location, mapped to the local object store or volume. */
    private static final Set<String> LOCATION_KEYS = Set.of("state.checkpoints.dir", "state.savepoints.dir",
            "execution.checkpointing.dir", "execution.checkpointing.savepoint-dir", "high-availability.storageDir",
            "high-availability.storage-dir");
    /** The image's user jar directory: where the stock Flink image expects application jars. */
    private static final String USRLIB = "/opt/flink/usrlib/";
    private static final String PROMETHEUS_PORT = "metrics.reporter.prom.port";

    private final KubernetesClient client;
    private final Path workDirectory;
    private final Path jobJar;
    private final AtomicLong starts = new AtomicLong();

    /** @param jobJar the pipeline-job jar, which the stand-in serves for every image under {@code /opt/flink/usrlib/} */
    ApplicationClusters(KubernetesClient client, Path workDirectory, Path jobJar) {
        this.client = client;
        this.workDirectory = workDirectory;
        this.jobJar = jobJar;
    }

    /**
     * @param savepoint the savepoint to start from, as the FlinkDeployment names it (s3://…), or null
     */
    Prepared of(FlinkDeployment deployment, FlinkDeploymentSpec spec, String jobId, String savepoint) {
        String namespace = deployment.getMetadata().getNamespace();
        String name = deployment.getMetadata().getName();
        Path clusterDirectory = workDirectory.resolve("clusters").resolve(namespace).resolve(name);
        Path podDirectory = clusterDirectory.resolve("pod-" + starts.incrementAndGet());
        LocalPaths paths = new LocalPaths(workDirectory, podDirectory.resolve("rootfs"));
        PodEnvironment pod = PodEnvironment.prepare(client, namespace, spec.getPodTemplate(), podDirectory,
                workDirectory.resolve("persistent-volumes"), paths);

        Map<String, String> configuration = new TreeMap<>();
        List<String> mapped = new ArrayList<>();
        spec.getFlinkConfiguration().asFlatMap().forEach((key, value) -> {
            if (key.startsWith("kubernetes.") || key.startsWith("high-availability")) {
                return; // operator keys are not Flink's; Kubernetes HA needs pods (see FkoConfig.highAvailability)
            }
            if (LOCATION_KEYS.contains(key)) {
                if (value.startsWith("file:") && !paths.onVolume(value)) {
                    LOG.warn("FlinkDeployment {}/{}: {} {} is on no volume: it lives on the pod's own filesystem and goes with it",
                            namespace, name, key, value);
                }
                String local = paths.toLocal(value);
                if (!local.equals(value)) {
                    mapped.add(value + " -> " + local);
                }
                configuration.put(key, local);
            } else {
                configuration.put(key, value);
            }
        });
        // Every JVM of every cluster shares this machine: a range instead of the pod's fixed port.
        if (configuration.containsKey(PROMETHEUS_PORT)) {
            configuration.put(PROMETHEUS_PORT, "9250-9999");
        }
        // FlinkConfigBuilder.applyJobOrSessionSpec / applyJobConfig
        configuration.putIfAbsent("pipeline.name", name);
        configuration.putIfAbsent("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        configuration.put("parallelism.default", Integer.toString(spec.getJob().getParallelism()));
        int slots = Integer.parseInt(configuration.getOrDefault("taskmanager.numberOfTaskSlots", "1"));
        if (!mapped.isEmpty()) {
            LOG.info("FlinkDeployment {}/{}: storage mapped to this machine: {}", namespace, name,
                    String.join(", ", mapped));
        }
        List<String> args = new ArrayList<>();
        for (String arg : spec.getJob().getArgs()) {
            args.add(arg.startsWith("/") ? paths.toLocal(arg) : arg);
        }
        try {
            Files.createDirectories(podDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var application = new FlinkClusters.ApplicationCluster(configuration, pod.env(), jar(spec.getJob().getJarURI()).toString(),
                spec.getJob().getEntryClass(), args, spec.getJob().getParallelism(),
                io.streampipe.standin.fko.FkoStatus.taskManagers(spec), slots, jobId,
                savepoint == null ? null : paths.toLocal(savepoint), Boolean.TRUE.equals(spec.getJob().getAllowNonRestoredState()));
        return new Prepared(application, paths, clusterDirectory);
    }

    private Path jar(String jarUri) {
        if (jarUri == null || !jarUri.startsWith("local://" + USRLIB)) {
            throw new PodEnvironment.PodStartException("job.jarURI " + jarUri + ": the stand-in runs only jars of the image's "
                    + USRLIB + " (local://" + USRLIB + "…), which it serves from " + jobJar);
        }
        return jobJar;
    }

    /** A deploy ready to run: what to start, and how its paths map. */
    record Prepared(FlinkClusters.ApplicationCluster application, LocalPaths paths, Path clusterDirectory) {
    }
}
