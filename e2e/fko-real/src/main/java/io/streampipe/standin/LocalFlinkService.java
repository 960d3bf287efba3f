package io.streampipe.standin;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.streampipe.standin.fko.real.objectstore.ObjectStoreFileSystemFactory;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptionsInternal;
import org.apache.flink.kubernetes.configuration.KubernetesConfigOptions;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.JobSpec;
import org.apache.flink.kubernetes.operator.artifact.ArtifactManager;
import org.apache.flink.kubernetes.operator.config.FlinkOperatorConfiguration;
import org.apache.flink.kubernetes.operator.service.NativeFlinkService;
import org.apache.flink.kubernetes.operator.utils.EventRecorder;
import org.apache.flink.runtime.highavailability.nonha.standalone.StandaloneClientHAServices;
import org.apache.flink.runtime.jobgraph.SavepointConfigOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;

/**
 * The one part of FKO 1.16.1 this stand-in replaces: its {@code FlinkService}. It is FKO's own
 * {@code service/NativeFlinkService} (and so {@code AbstractFlinkService}: every REST call, cancel,
 * stop-with-savepoint, savepoint trigger and fetch, checkpoint history, disposal, cluster info, runs as FKO wrote it)
 * with only the parts that need pods and a kubelet overridden:
 * <ul>
 *   <li>{@link #deployApplicationCluster}: where NativeFlinkService hands the configuration to Flink's
 *       {@code KubernetesClusterDescriptor} (which creates the JobManager Deployment and the pods), this starts a
 *       local cluster ({@link LocalFlinkClusters}: a JobManager JVM and TaskManager JVMs) and runs the jar on it over
 *       REST with the job id, savepoint and allowNonRestoredState FKO put into the configuration; the JobManager
 *       Deployment object, which FKO's observer reads, is written by {@link JobManagerDeployments};</li>
 *   <li>{@link #getClusterClient}: {@code AbstractFlinkService.getClusterClient} reaches
 *       {@code http://<name>-rest.<namespace>:8081}; here the local cluster's REST port;</li>
 *   <li>{@link #getJmPodList}: there are no pods; a JobManager that could not start shows as the crash-looping
 *       container FKO's {@code AbstractFlinkDeploymentObserver.checkContainerErrors} looks for;</li>
 *   <li>{@link #deleteClusterInternal}: NativeFlinkService scales the Deployment to zero, waits for the pods, then
 *       deletes it; here the JVMs stop and the Deployment object is deleted (no garbage collector runs here, so
 *       background propagation).</li>
 * </ul>
 */
final class LocalFlinkService extends NativeFlinkService {
    private static final Logger LOG = LoggerFactory.getLogger(LocalFlinkService.class);
    /** No listener: what a Service without ready endpoints answers. */
    private static final String UNREACHABLE = "http://127.0.0.1:1";
    /** Keys of FKO's deploy configuration that describe pods, the operator or the application-mode submission. */
    private static final Set<String> NOT_FOR_THE_JVMS = Set.of("execution.target", "pipeline.jars",
            "execution.savepoint.path", "execution.savepoint.ignore-unclaimed-state", "execution.savepoint-restore-mode",
            "execution.state-recovery.path", "execution.state-recovery.ignore-unclaimed-state",
            "execution.state-recovery.claim-mode", "rest.port", "rest.bind-port", "rest.address",
            "jobmanager.rpc.address", "jobmanager.rpc.port", "blob.server.port", "taskmanager.rpc.port",
            "jobmanager.memory.process.size", "taskmanager.memory.process.size", "metrics.reporter.prom.port");
    private static final Set<String> LOCATION_KEYS = Set.of("state.checkpoints.dir", "state.savepoints.dir",
            "execution.checkpointing.dir", "execution.checkpointing.savepoint-dir");

    private final LocalFlinkClusters clusters;
    private final ApplicationClusters applications;
    private final JobManagerDeployments jobManagers;
    private final Map<String, String> flinkEnvironment;

    LocalFlinkService(KubernetesClient client, ArtifactManager artifactManager, ExecutorService executor,
                      FlinkOperatorConfiguration operatorConfig, EventRecorder eventRecorder, LocalFlinkClusters clusters,
                      ApplicationClusters applications, JobManagerDeployments jobManagers, Path objectStore, Path plugins) {
        super(client, artifactManager, executor, operatorConfig, eventRecorder);
        this.clusters = clusters;
        this.applications = applications;
        this.jobManagers = jobManagers;
        this.flinkEnvironment = Map.of("FLINK_PLUGINS_DIR", plugins.toString(),
                ObjectStoreFileSystemFactory.ROOT_VARIABLE, objectStore.toString());
    }

    @Override
    protected void deployApplicationCluster(JobSpec jobSpec, Configuration conf) {
        String namespace = conf.get(KubernetesConfigOptions.NAMESPACE);
        String name = conf.get(KubernetesConfigOptions.CLUSTER_ID);
        FlinkDeployment deployment = kubernetesClient.resources(FlinkDeployment.class).inNamespace(namespace).withName(name).get();
        if (deployment == null) {
            throw new IllegalStateException("FlinkDeployment " + namespace + "/" + name + " is gone");
        }
        String jobId = conf.get(PipelineOptionsInternal.PIPELINE_FIXED_JOB_ID);
        String savepoint = conf.getOptional(SavepointConfigOptions.SAVEPOINT_PATH).orElse(null);
        boolean allowNonRestoredState = conf.get(SavepointConfigOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE);

        // The pod's environment (Secrets resolved), volumes as directories, the image's jar and the arguments'
        // container paths: what a kubelet would give the JobManager container, as the stand-in prepares it.
        ApplicationClusters.Prepared pod = applications.of(deployment, deployment.getSpec(), jobId, null);
        Map<String, String> flinkConfiguration = new TreeMap<>();
        conf.toMap().forEach((key, value) -> {
            if (key.startsWith("kubernetes.") || key.startsWith("$internal.") || key.startsWith("high-availability")
                    || NOT_FOR_THE_JVMS.contains(key)) {
                return;
            }
            // Object-store URIs stay as FKO wrote them (the JVMs' filesystem plugin serves them); a file:// location
            // is a volume's directory or the pod's own filesystem.
            flinkConfiguration.put(key, LOCATION_KEYS.contains(key) && !LocalPaths.isObjectStore(value)
                    ? pod.paths().toLocal(value) : value);
        });
        if (conf.containsKey("metrics.reporter.prom.port")) {
            flinkConfiguration.put("metrics.reporter.prom.port", "9250-9999");
        }
        Map<String, String> environment = new HashMap<>(pod.application().environment());
        environment.putAll(flinkEnvironment);
        FlinkClusters.ApplicationCluster application = new FlinkClusters.ApplicationCluster(flinkConfiguration, environment,
                pod.application().jar(), jobSpec.getEntryClass(), pod.application().args(), jobSpec.getParallelism(),
                pod.application().taskManagers(), pod.application().slotsPerTaskManager(), jobId,
                savepoint == null || LocalPaths.isObjectStore(savepoint) ? savepoint : pod.paths().toLocal(savepoint),
                allowNonRestoredState);
        String key = namespace + "/" + name;
        clusters.submitApplicationCluster(key, new ApplicationClusters.Prepared(application, pod.paths(), pod.clusterDirectory()));
        jobManagers.create(deployment, key);
        LOG.info("FlinkDeployment {}: local application cluster for job {} submitted{}", key, jobId,
                savepoint == null ? "" : " from " + savepoint);
    }

    @Override
    public void deploySessionCluster(Configuration conf) {
        throw new UnsupportedOperationException("The FKO stand-in runs application clusters only (spec.job is required)");
    }

    @Override
    public RestClusterClient<String> getClusterClient(Configuration conf) throws Exception {
        String key = conf.get(KubernetesConfigOptions.NAMESPACE) + "/" + conf.get(KubernetesConfigOptions.CLUSTER_ID);
        String url = clusters.restUrl(key).map(Object::toString).orElse(UNREACHABLE);
        return new RestClusterClient<>(conf, conf.get(KubernetesConfigOptions.CLUSTER_ID),
                (configuration, errorHandler) -> new StandaloneClientHAServices(url));
    }

    @Override
    protected PodList getJmPodList(String namespace, String clusterId) {
        PodListBuilder pods = new PodListBuilder();
        clusters.failure(namespace + "/" + clusterId).ifPresent(failure -> pods.addToItems(new PodBuilder()
                .withNewMetadata().withName(clusterId + "-jobmanager").withNamespace(namespace).endMetadata()
                .withNewStatus().addToContainerStatuses(new ContainerStatusBuilder().withName("flink-main-container")
                        .withNewState().withNewWaiting().withReason("CrashLoopBackOff").withMessage(failure).endWaiting().endState()
                        .build())
                .endStatus().build()));
        return pods.build();
    }

    @Override
    protected void deleteClusterInternal(String namespace, String clusterId, Configuration conf, DeletionPropagation propagation) {
        String key = namespace + "/" + clusterId;
        clusters.deleteCluster(key);
        jobManagers.delete(namespace, clusterId);
    }
}
