package io.streampipe.standin;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.standin.fko.FkoConfig;
import io.streampipe.standin.fko.FkoStatus;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.JobManagerDeploymentStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The stand-in's FlinkDeploymentController: watches FlinkDeployments on the API server and runs FKO 1.16's loop for
 * each ({@code controller/FlinkDeploymentController.reconcile}): status from the cache of what was last written,
 * observe, write, reconcile, the Running condition, write; errors to status.error and Events as FKO handles them;
 * the finalizer and cleanup of {@code FlinkDeploymentController.cleanup} and {@code ApplicationReconciler.cleanupInternal}.
 *
 * <p>Loops run in rounds, every {@link #interval} for every resource (FKO reschedules between 0 s and 60 s
 * depending on state; a short fixed interval keeps the sandbox quick and does not change the sequence of statuses).
 * With local clusters a round runs the resources one after the other on one thread. Without clusters
 * ({@link NoClusters}, for {@code bench operator}'s 1,000 FlinkDeployments) a round runs them on {@code parallelism}
 * threads, as FKO does ({@link io.streampipe.standin.fko.FkoConfig#DEFAULT_RECONCILE_PARALLELISM}), so a resource
 * waits for no other's API requests. Rounds never overlap, so no resource is in two loops at once (as
 * java-operator-sdk never reconciles one resource twice at the same time), and events that come while a round is
 * queued add no second one.
 */
final class StandInController implements AutoCloseable {
    /** java-operator-sdk's default finalizer for FKO's FlinkDeployment controller. */
    static final String FINALIZER = "flinkdeployments.flink.apache.org/finalizer";
    private static final Logger LOG = LoggerFactory.getLogger(StandInController.class);

    private final KubernetesClient client;
    private final FlinkClusters clusters;
    private final StandInEvents events;
    private final ApplicationClusters applications;
    private final Duration interval;
    /** StatusRecorder's cache: the status last written per resource uid, as JSON. */
    private final Map<String, String> writtenStatus = new ConcurrentHashMap<>();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "flink-operator-standin");
        thread.setDaemon(true);
        return thread;
    });
    /** The threads of a round; null: the loop's own thread, one resource after the other. */
    private final ExecutorService workers;
    /** Whether a round asked for by an event is queued and not started yet (parallel rounds only). */
    private final AtomicBoolean roundQueued = new AtomicBoolean();
    private SharedIndexInformer<FlinkDeployment> informer;

    StandInController(KubernetesClient client, FlinkClusters clusters, ApplicationClusters applications, Duration interval) {
        this(client, clusters, applications, interval, 1);
    }

    /** @param parallelism the resources a round reconciles at once; 1 for one after the other, on the loop's thread */
    StandInController(KubernetesClient client, FlinkClusters clusters, ApplicationClusters applications, Duration interval,
                      int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, not " + parallelism);
        }
        AtomicInteger threads = new AtomicInteger();
        this.workers = parallelism == 1 ? null : Executors.newFixedThreadPool(parallelism, runnable -> {
            Thread thread = new Thread(runnable, "flink-operator-standin-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.client = client;
        this.clusters = clusters;
        this.events = new StandInEvents(client);
        this.applications = applications;
        this.interval = interval;
    }

    void start() {
        informer = client.resources(FlinkDeployment.class).inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(FlinkDeployment deployment) {
                requestRound();
            }

            @Override
            public void onUpdate(FlinkDeployment before, FlinkDeployment after) {
                if (!java.util.Objects.equals(before.getMetadata().getGeneration(), after.getMetadata().getGeneration())
                        || after.getMetadata().getDeletionTimestamp() != null) {
                    requestRound();
                }
            }

            @Override
            public void onDelete(FlinkDeployment deployment, boolean finalStateUnknown) {
                loop.execute(() -> forget(deployment));
            }
        }, 0);
        loop.scheduleWithFixedDelay(this::reconcileAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("Watching FlinkDeployments in all namespaces, every {} ms", interval.toMillis());
    }

    /** A round after an event: with one thread, one per event as ever; in parallel, one queued round at most. */
    private void requestRound() {
        if (workers == null) {
            loop.execute(this::reconcileAll);
        } else if (roundQueued.compareAndSet(false, true)) {
            loop.execute(() -> {
                roundQueued.set(false);
                reconcileAll();
            });
        }
    }

    private void reconcileAll() {
        List<FlinkDeployment> deployments = new ArrayList<>(informer.getStore().list());
        if (workers == null) {
            deployments.forEach(this::reconcileOne);
            return;
        }
        List<Callable<Void>> loops = deployments.stream().<Callable<Void>>map(deployment -> () -> {
            reconcileOne(deployment);
            return null;
        }).toList();
        try {
            workers.invokeAll(loops);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void reconcileOne(FlinkDeployment cached) {
        FlinkDeployment deployment = Serialization.clone(cached);
        String name = clusterName(deployment.getMetadata());
        try {
            if (deployment.getMetadata().getDeletionTimestamp() != null) {
                cleanup(deployment, name);
            } else if (ensureFinalizer(deployment)) {
                reconcile(deployment, name, Instant.now());
            }
        } catch (RuntimeException e) {
            LOG.warn("Reconciling FlinkDeployment {} failed: {}", name, e.toString());
        }
    }

    /** FlinkDeploymentController.reconcile. */
    private void reconcile(FlinkDeployment deployment, String name, Instant now) {
        restoreWrittenStatus(deployment);
        Runnable patch = () -> patchStatus(deployment);
        StandInObserver observer = new StandInObserver(clusters, events);
        StandInReconciler reconciler = new StandInReconciler(clusters, events, applications, patch);
        try {
            observer.observe(deployment, name, now);
            if (!validate(deployment)) {
                patch.run();
                return;
            }
            patch.run();
            reconciler.reconcile(deployment, name, now);
        } catch (StandInReconciler.UpgradeFailureException e) {
            FkoStatus.error(deployment.getStatus(), List.<String[]>of(new String[]{
                    "org.apache.flink.kubernetes.operator.exception.UpgradeFailureException", e.getMessage()}));
            events.warning(deployment, e.reason, e.getMessage());
        } catch (StandInReconciler.DeploymentFailedException | PodEnvironment.PodStartException e) {
            String reason = e instanceof StandInReconciler.DeploymentFailedException failed ? failed.reason : "CreateContainerConfigError";
            deployment.getStatus().setJobManagerDeploymentStatus(JobManagerDeploymentStatus.ERROR);
            deployment.getStatus().getJobStatus().setState(JobStatus.RECONCILING);
            FkoStatus.error(deployment.getStatus(), List.<String[]>of(new String[]{
                    "org.apache.flink.kubernetes.operator.exception.DeploymentFailedException", e.getMessage()}));
            events.warning(deployment, reason, e.getMessage());
        } catch (Exception e) {
            // The controller rethrows; java-operator-sdk's updateErrorStatus reloads the cached status and records the error.
            LOG.warn("FlinkDeployment {}: {}", name, e.toString());
            events.warning(deployment, "Error", String.valueOf(e.getMessage()));
            restoreWrittenStatus(deployment);
            FkoStatus.error(deployment.getStatus(), List.<String[]>of(new String[]{
                    "org.apache.flink.kubernetes.operator.exception.ReconciliationException", e.toString()}));
            patch.run();
            return;
        }
        deployment.getStatus().setRunningConditionIfRequired();
        patch.run();
    }

    /**
     * FlinkDeploymentController.validateDeployment with ReconciliationUtils.applyValidationErrorAndResetSpec: an invalid
     * spec is reported (Warning ValidationError, error JSON); with something deployed, this loop goes on with the last
     * reconciled spec, else it ends here.
     */
    private boolean validate(FlinkDeployment deployment) {
        Optional<String> error = StandInValidator.validate(deployment);
        if (error.isEmpty()) {
            return true;
        }
        events.warning(deployment, "ValidationError", error.get());
        FkoStatus.error(deployment.getStatus(), List.<String[]>of(new String[]{
                "org.apache.flink.kubernetes.operator.exception.ValidationException", error.get()}));
        var last = deployment.getStatus().getReconciliationStatus().deserializeLastReconciledSpec();
        if (last == null) {
            return false;
        }
        var state = deployment.getStatus().getReconciliationStatus().getState();
        if (state == org.apache.flink.kubernetes.operator.api.status.ReconciliationState.UPGRADING
                || state == org.apache.flink.kubernetes.operator.api.status.ReconciliationState.ROLLING_BACK) {
            last.getJob().setState(org.apache.flink.kubernetes.operator.api.spec.JobState.RUNNING);
        }
        deployment.setSpec(last);
        deployment.getMetadata().setGeneration(deployment.getStatus().getObservedGeneration());
        return true;
    }

    /**
     * FlinkDeploymentController.cleanup with ApplicationReconciler.cleanupInternal: a job not yet deployed or already
     * terminal loses its cluster; a running one is cancelled (with a savepoint when job.savepoint-on-deletion is set)
     * and its cluster deleted. Then the finalizer goes and the resource with it.
     */
    private void cleanup(FlinkDeployment deployment, String name) {
        if (deployment.getMetadata().getFinalizers() == null || !deployment.getMetadata().getFinalizers().contains(FINALIZER)) {
            return;
        }
        restoreWrittenStatus(deployment);
        FlinkDeploymentStatus status = FkoStatus.statusOf(deployment);
        JobStatus state = status.getJobStatus().getState();
        boolean terminal = state != null && state.isGloballyTerminalState();
        if (!status.getReconciliationStatus().isBeforeFirstDeployment() && !terminal
                && FkoConfig.of(deployment).savepointOnDeletion() && state == JobStatus.RUNNING) {
            try {
                FkoConfig config = FkoConfig.of(deployment);
                String location = clusters.stopWithSavepoint(name, status.getJobStatus().getJobId(),
                        config.savepointDirectory().orElseThrow(), config.savepointFormatType(), false, config.checkpointTimeout());
                LOG.info("FlinkDeployment {}: stopped with savepoint {} before deletion", name, location);
            } catch (Exception e) {
                LOG.warn("FlinkDeployment {}: the savepoint before deletion failed: {}", name, e.getMessage());
            }
        }
        clusters.deleteCluster(name);
        try {
            client.resource(deployment).edit(d -> {
                d.getMetadata().getFinalizers().remove(FINALIZER);
                return d;
            });
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
            return; // a previous loop released it already
        }
        LOG.info("Deleted FlinkDeployment {}: its cluster is stopped", name);
    }

    private boolean ensureFinalizer(FlinkDeployment deployment) {
        List<String> finalizers = deployment.getMetadata().getFinalizers();
        if (finalizers != null && finalizers.contains(FINALIZER)) {
            return true;
        }
        try {
            client.resource(deployment).edit(d -> {
                d.getMetadata().getFinalizers().add(FINALIZER);
                return d;
            });
        } catch (KubernetesClientException e) {
            LOG.debug("Could not add the finalizer to {}: {}", clusterName(deployment.getMetadata()), e.getMessage());
        }
        return false; // the update event brings the resource back with its finalizer
    }

    /** StatusRecorder.updateStatusFromCache: what was last written wins over a possibly stale informer copy. */
    private void restoreWrittenStatus(FlinkDeployment deployment) {
        String written = writtenStatus.get(deployment.getMetadata().getUid());
        if (written != null) {
            deployment.setStatus(Serialization.unmarshal(written, FlinkDeploymentStatus.class));
        } else if (deployment.getStatus() == null) {
            deployment.setStatus(new FlinkDeploymentStatus());
        }
    }

    /** StatusRecorder.patchAndCacheStatus: a full replace of the status, skipped when nothing changed. */
    private void patchStatus(FlinkDeployment deployment) {
        String json = Serialization.asJson(deployment.getStatus());
        String uid = deployment.getMetadata().getUid();
        if (json.equals(writtenStatus.get(uid))) {
            return;
        }
        var resource = client.resources(FlinkDeployment.class).inNamespace(deployment.getMetadata().getNamespace())
                .withName(deployment.getMetadata().getName());
        for (int attempt = 1; ; attempt++) {
            FlinkDeployment current = resource.get();
            if (current == null) {
                return;
            }
            current.setStatus(Serialization.unmarshal(json, FlinkDeploymentStatus.class));
            try {
                client.resource(current).updateStatus();
                break;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 3) {
                    throw e;
                }
            }
        }
        writtenStatus.put(uid, json);
    }

    private void forget(FlinkDeployment deployment) {
        writtenStatus.remove(deployment.getMetadata().getUid());
        clusters.deleteCluster(clusterName(deployment.getMetadata()));
    }

    static String clusterName(ObjectMeta metadata) {
        return metadata.getNamespace() + "/" + metadata.getName();
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        loop.shutdownNow();
        if (workers != null) {
            workers.shutdownNow();
        }
    }
}
