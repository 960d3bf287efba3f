package io.streampipe.standin;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The JobManager Deployment objects of the local clusters, and what the kube-controller-manager and a kubelet would
 * write into their status: there is neither here. FKO's observer reads only this object
 * ({@code observer/deployment/AbstractFlinkDeploymentObserver.observeJmDeployment}: the Deployment from its informer,
 * {@code status.replicas > 0 && status.availableReplicas > 0}, then the REST port), so it is written as Flink's native
 * {@code KubernetesClusterDescriptor} would create it (name = cluster id, the labels of
 * {@code KubernetesUtils.getJobManagerSelectors}, owned by the FlinkDeployment) and its status follows the local
 * cluster: available once the JobManager runs the application, as a ready JobManager pod would be.
 */
final class JobManagerDeployments implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobManagerDeployments.class);

    private final KubernetesClient client;
    private final LocalFlinkClusters clusters;
    /** namespace/name to the status last written. */
    private final Map<String, Optional<DeploymentStatus>> written = new ConcurrentHashMap<>();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "jobmanager-deployments");
        thread.setDaemon(true);
        return thread;
    });

    JobManagerDeployments(KubernetesClient client, LocalFlinkClusters clusters) {
        this.client = client;
        this.clusters = clusters;
        loop.scheduleWithFixedDelay(this::syncAll, 500, 500, TimeUnit.MILLISECONDS);
    }

    /** As the native cluster descriptor creates it: one replica, not yet available. */
    void create(FlinkDeployment owner, String key) {
        String name = owner.getMetadata().getName();
        Map<String, String> labels = Map.of("app", name, "component", "jobmanager", "type", "flink-native-kubernetes");
        Deployment deployment = new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(owner.getMetadata().getNamespace()).withLabels(labels)
                .addNewOwnerReference().withApiVersion(owner.getApiVersion()).withKind(owner.getKind()).withName(name)
                .withUid(owner.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).endOwnerReference()
                .endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().withMatchLabels(labels).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("flink-main-container").withImage(owner.getSpec().getImage())
                .endContainer().endSpec().endTemplate().endSpec()
                .build();
        client.resource(deployment).createOr(NonDeletingOperation::update);
        written.put(key, Optional.empty());
        sync(key);
    }

    /** Deletes the object (background: no garbage collector runs here, and nothing depends on it) and waits for it. */
    void delete(String namespace, String name) {
        written.remove(namespace + "/" + name);
        var resource = client.apps().deployments().inNamespace(namespace).withName(name);
        resource.withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        resource.waitUntilCondition(Objects::isNull, 30, TimeUnit.SECONDS);
        LOG.info("JobManager Deployment {}/{} deleted", namespace, name);
    }

    private void syncAll() {
        for (String key : written.keySet()) {
            try {
                sync(key);
            } catch (RuntimeException e) {
                LOG.warn("Could not write the status of JobManager Deployment {}: {}", key, e.getMessage());
            }
        }
    }

    private synchronized void sync(String key) {
        FlinkClusters.Phase phase = clusters.clusterState(key).phase();
        boolean available = phase == FlinkClusters.Phase.READY;
        DeploymentStatus status = new DeploymentStatusBuilder().withObservedGeneration(1L).withReplicas(1)
                .withUpdatedReplicas(1).withReadyReplicas(available ? 1 : 0).withAvailableReplicas(available ? 1 : 0)
                .withUnavailableReplicas(available ? 0 : 1)
                .addNewCondition().withType("Available").withStatus(available ? "True" : "False")
                .withReason(available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable").endCondition()
                .build();
        Optional<DeploymentStatus> last = written.get(key);
        if (last == null || last.filter(status::equals).isPresent()) {
            return;
        }
        String[] name = key.split("/", 2);
        Deployment current = client.apps().deployments().inNamespace(name[0]).withName(name[1]).get();
        if (current == null) {
            written.remove(key);
            return;
        }
        current.setStatus(status);
        client.resource(current).updateStatus();
        written.replace(key, Optional.of(status));
        LOG.info("JobManager Deployment {}: {} ({})", key, available ? "available" : "not available", phase);
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
