package io.streampipe.standin;

import io.streampipe.standin.fko.FkoConfig;
import io.streampipe.standin.fko.FkoSpecDiff;
import io.streampipe.standin.fko.FkoStatus;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.diff.DiffType;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.JobManagerDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.ReconciliationState;
import org.apache.flink.kubernetes.operator.api.status.SavepointFormatType;
import org.apache.flink.kubernetes.operator.api.status.SnapshotTriggerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reconcile half of FKO 1.16's loop for an application FlinkDeployment, in savepoint, last-state and stateless
 * upgrade modes: {@code reconciler/deployment/AbstractFlinkResourceReconciler.reconcile},
 * {@code AbstractJobReconciler} and {@code ApplicationReconciler}. Status writes go through {@link FkoStatus}; the
 * intermediate status patches FKO makes are made through {@code patch}.
 */
final class StandInReconciler {
    private static final Logger LOG = LoggerFactory.getLogger(StandInReconciler.class);
    static final String MSG_MANUAL_RESTORE_REQUIRED = "Manual restore required.";

    private final FlinkClusters clusters;
    private final StandInEvents events;
    private final ApplicationClusters applications;
    private final Runnable patch;
    private final Map<String, Instant> lastPeriodicTriggers = new ConcurrentHashMap<>();

    /**
     * @param applications builds what a deploy runs from the resource (config, pod environment, jar)
     * @param patch        writes the status as it is now, as FKO's StatusRecorder.patchAndCacheStatus
     */
    StandInReconciler(FlinkClusters clusters, StandInEvents events, ApplicationClusters applications, Runnable patch) {
        this.clusters = clusters;
        this.events = events;
        this.applications = applications;
        this.patch = patch;
    }

    /** AbstractFlinkResourceReconciler.reconcile. */
    void reconcile(FlinkDeployment deployment, String cluster, Instant now) throws Exception {
        FlinkDeploymentStatus status = FkoStatus.statusOf(deployment);
        var reconciliation = status.getReconciliationStatus();
        FkoConfig config = FkoConfig.of(deployment);
        if (!reconciliation.isBeforeFirstDeployment() && savepointInProgress(status) && !config.ignorePendingSavepoint()) {
            LOG.info("Delaying the reconcile of FlinkDeployment {} until its pending savepoint completes", cluster);
            return;
        }
        if (reconciliation.isBeforeFirstDeployment()) {
            if (deployment.getSpec().getJob().getState() == JobState.SUSPENDED) {
                return;
            }
            FlinkDeployment first = FkoStatus.withUpgradeMode(deployment, FkoStatus.firstDeploymentMode(deployment));
            FkoStatus.beforeFirstDeployment(first, now);
            patch.run();
            deploy(first, cluster, first.getSpec(), Optional.ofNullable(first.getSpec().getJob().getInitialSavepointPath()), false);
            FkoStatus.deployedSpec(first, now);
            return;
        }

        FlinkDeploymentSpec lastReconciled = reconciliation.deserializeLastReconciledSpec();
        FkoSpecDiff diff = FkoSpecDiff.between(lastReconciled, deployment.getSpec());
        boolean specChanged = diff.type() != DiffType.IGNORE || reconciliation.getState() == ReconciliationState.UPGRADING;
        if (specChanged) {
            if (diff.type() != DiffType.IGNORE) {
                events.normalOnce(deployment, "SpecChanged", "SpecChange: " + deployment.getMetadata().getGeneration(),
                        "%s change(s) detected (%s), starting reconciliation.".formatted(diff.type(), diff.description()));
            }
            reconcileSpecChange(deployment, cluster, diff.type(), lastReconciled, config, now);
            return;
        }
        FkoStatus.metadataOnly(deployment);
        reconcileOtherChanges(deployment, cluster, config, now);
    }

    /** AbstractJobReconciler.reconcileSpecChange. */
    private void reconcileSpecChange(FlinkDeployment deployment, String cluster, DiffType diff, FlinkDeploymentSpec lastReconciled,
                                     FkoConfig config, Instant now) throws Exception {
        FlinkDeploymentStatus status = deployment.getStatus();
        JobState current = lastReconciled.getJob().getState();
        JobState desired = deployment.getSpec().getJob().getState();
        if (diff == DiffType.SAVEPOINT_REDEPLOY) {
            redeployWithSavepoint(deployment, cluster, config, now);
            return;
        }
        FlinkDeployment target = deployment;
        if (current == JobState.RUNNING) {
            JobUpgrade upgrade = jobUpgrade(deployment, config);
            if (!upgrade.available()) {
                LOG.info("FlinkDeployment {}: the job is not in an upgradable state yet, waiting", cluster);
                return;
            }
            if (upgrade.suspend() != SuspendMode.NOOP) {
                events.normal(deployment, "Suspended", "Suspending existing deployment.");
            }
            if (cancelJob(deployment, cluster, upgrade.suspend(), config)) {
                FkoStatus.cancelPending(deployment, upgrade.restore());
                return;
            }
            target = FkoStatus.withUpgradeMode(deployment, upgrade.restore());
            if (desired == JobState.RUNNING) {
                FkoStatus.beforeDeploymentAttempt(target, now);
            } else {
                FkoStatus.deployedSpec(target, now);
            }
            if (upgrade.suspend() == SuspendMode.NOOP) {
                lastReconciled.getJob().setUpgradeMode(upgrade.restore());
                current = JobState.SUSPENDED;
            }
        }
        if (current == JobState.SUSPENDED && desired == JobState.RUNNING) {
            UpgradeMode mode = deployment.getSpec().getJob().getUpgradeMode() == UpgradeMode.STATELESS
                    ? UpgradeMode.STATELESS : lastReconciled.getJob().getUpgradeMode();
            target = FkoStatus.withUpgradeMode(deployment, mode);
            FkoStatus.beforeDeploymentAttempt(target, now);
            patch.run();
            restoreJob(target, cluster, lastReconciled.getJob().getUpgradeMode() == UpgradeMode.LAST_STATE);
            FkoStatus.deployedSpec(target, now);
        }
        deployment.setStatus(target.getStatus());
    }

    /** AbstractJobReconciler.getJobUpgrade and ApplicationReconciler.getJobUpgrade, without HA metadata (see {@link FkoConfig}). */
    private JobUpgrade jobUpgrade(FlinkDeployment deployment, FkoConfig config) {
        FlinkDeploymentStatus status = deployment.getStatus();
        UpgradeMode mode = deployment.getSpec().getJob().getUpgradeMode();
        JobStatus state = status.getJobStatus().getState();
        boolean terminal = state != null && state.isGloballyTerminalState();
        if (mode == UpgradeMode.STATELESS) {
            return new JobUpgrade(terminal ? SuspendMode.NOOP : SuspendMode.STATELESS, UpgradeMode.STATELESS, true);
        }
        // useStatusSavepoint: without HA metadata, the savepoint recorded for a terminal job is trusted.
        if (terminal) {
            if (!lastSavepointKnown(status)) {
                throw new UpgradeFailureException("Job is in terminal state but last checkpoint is unknown, possibly due to an"
                        + " unrecoverable restore error. " + MSG_MANUAL_RESTORE_REQUIRED, "UpgradeFailed");
            }
            return new JobUpgrade(SuspendMode.NOOP, UpgradeMode.SAVEPOINT, true);
        }
        if (state == JobStatus.CANCELLING) {
            return JobUpgrade.UNAVAILABLE;
        }
        boolean running = state == JobStatus.RUNNING;
        if (mode == UpgradeMode.SAVEPOINT) {
            if (running) {
                return new JobUpgrade(SuspendMode.SAVEPOINT, UpgradeMode.SAVEPOINT, true);
            } else if (config.lastStateFallback()) {
                LOG.info("FlinkDeployment {}: falling back to last-state upgrade mode from savepoint", deployment.getMetadata().getName());
                mode = UpgradeMode.LAST_STATE;
            } else {
                return JobUpgrade.UNAVAILABLE;
            }
        }
        // LAST_STATE: no HA metadata here (allowLastStateCancel), so FKO cancels and restores from the latest checkpoint.
        if (status.isJobCancellable()) {
            return new JobUpgrade(SuspendMode.CANCEL, UpgradeMode.SAVEPOINT, true);
        }
        JobManagerDeploymentStatus jm = status.getJobManagerDeploymentStatus();
        if (jm == JobManagerDeploymentStatus.MISSING || jm == JobManagerDeploymentStatus.ERROR) {
            throw new UpgradeFailureException("JobManager deployment is missing and HA data is not available to make stateful upgrades."
                    + " It is possible that the job has finished or terminally failed, or the configmaps have been deleted. "
                    + MSG_MANUAL_RESTORE_REQUIRED, "UpgradeFailed");
        }
        return JobUpgrade.UNAVAILABLE;
    }

    /** SnapshotUtils.lastSavepointKnown. */
    private static boolean lastSavepointKnown(FlinkDeploymentStatus status) {
        var jobStatus = status.getJobStatus();
        String location = jobStatus.getUpgradeSavepointPath() != null ? jobStatus.getUpgradeSavepointPath()
                : jobStatus.getSavepointInfo().getLastSavepoint() == null ? null : jobStatus.getSavepointInfo().getLastSavepoint().getLocation();
        return location == null || !location.equals(FkoStatus.LAST_STATE_DUMMY_SP_PATH);
    }

    /**
     * ApplicationReconciler.cancelJob over AbstractFlinkService.cancelJob: SAVEPOINT stops with a savepoint (blocking)
     * and records it as the upgrade savepoint; STATELESS cancels; both then delete the cluster. CANCEL starts a cancel
     * and returns true: the upgrade goes on once the job is seen cancelled.
     */
    private boolean cancelJob(FlinkDeployment deployment, String cluster, SuspendMode mode, FkoConfig config) throws Exception {
        FlinkDeploymentStatus status = deployment.getStatus();
        Instant cancelStarted = Instant.now();
        String jobId = status.getJobStatus().getJobId();
        switch (mode) {
            case SAVEPOINT -> {
                if (status.getJobStatus().getState() != JobStatus.RUNNING) {
                    throw new IllegalStateException("Unexpected job status: " + status.getJobStatus().getState());
                }
                String directory = config.savepointDirectory().orElseThrow(() -> new UpgradeFailureException(
                        "Savepoint directory (execution.checkpointing.savepoint-dir) is not set", "SavepointError"));
                String location;
                try {
                    location = clusters.stopWithSavepoint(cluster, jobId, directory, config.savepointFormatType(), config.drainOnSavepoint(),
                            config.checkpointTimeout());
                } catch (Exception e) {
                    throw new UpgradeFailureException("Savepoint Error: " + e.getMessage(), "SavepointError");
                }
                FkoStatus.upgradeSavepoint(deployment, location, cancelStarted, SavepointFormatType.valueOf(config.savepointFormatType().name()));
            }
            case STATELESS -> {
                if (status.isJobCancellable()) {
                    try {
                        clusters.cancel(cluster, jobId);
                    } catch (Exception e) {
                        LOG.info("FlinkDeployment {}: cancelling failed ({}); the cluster is deleted anyway", cluster, e.getMessage());
                    }
                }
            }
            case CANCEL -> {
                if (clusters.cancel(cluster, jobId)) {
                    status.getJobStatus().setState(JobStatus.CANCELLING);
                    return true;
                }
            }
            case NOOP -> {
            }
        }
        // SuspendMode.deleteCluster: only a stateless suspend deletes the cluster; after a savepoint the JobManager stays
        // (execution.shutdown-on-application-finish is false) until the next deploy or the JM shutdown TTL.
        if (mode == SuspendMode.STATELESS) {
            clusters.deleteCluster(cluster);
            FkoStatus.clusterDeleted(status);
        }
        FkoStatus.jobCancelled(status);
        return false;
    }

    /** AbstractJobReconciler.restoreJob: in savepoint mode from upgradeSavepointPath, else the last savepoint. */
    private void restoreJob(FlinkDeployment deployment, String cluster, boolean requireHaMetadata) throws Exception {
        Optional<String> savepoint = Optional.empty();
        var jobStatus = deployment.getStatus().getJobStatus();
        if (deployment.getSpec().getJob().getUpgradeMode() == UpgradeMode.SAVEPOINT) {
            savepoint = Optional.ofNullable(jobStatus.getUpgradeSavepointPath());
            if (savepoint.isEmpty() && jobStatus.getSavepointInfo().getLastSavepoint() != null) {
                savepoint = Optional.ofNullable(jobStatus.getSavepointInfo().getLastSavepoint().getLocation());
            }
        }
        deploy(deployment, cluster, deployment.getSpec(), savepoint, requireHaMetadata);
    }

    /**
     * AbstractJobReconciler.redeployWithSavepoint: the running job is cancelled statelessly (no savepoint of its
     * state), the new spec deployed from initialSavepointPath and marked stable at once.
     */
    private void redeployWithSavepoint(FlinkDeployment deployment, String cluster, FkoConfig config, Instant now) throws Exception {
        cancelJob(deployment, cluster, SuspendMode.STATELESS, config);
        FlinkDeployment target = FkoStatus.withUpgradeMode(deployment, UpgradeMode.SAVEPOINT);
        String savepoint = deployment.getSpec().getJob().getInitialSavepointPath();
        target.getStatus().getJobStatus().setUpgradeSavepointPath(savepoint);
        if (deployment.getSpec().getJob().getState() == JobState.RUNNING) {
            deploy(target, cluster, target.getSpec(), Optional.ofNullable(savepoint), false);
        }
        FkoStatus.deployedSpec(target, now);
        target.getStatus().getReconciliationStatus().markReconciledSpecAsStable();
        deployment.setStatus(target.getStatus());
    }

    /**
     * ApplicationReconciler.reconcileOtherChanges and AbstractJobReconciler.reconcileOtherChanges: restart a FAILED job
     * when asked to, trigger manual (nonce) and periodic savepoints.
     */
    private void reconcileOtherChanges(FlinkDeployment deployment, String cluster, FkoConfig config, Instant now) throws Exception {
        FlinkDeploymentStatus status = deployment.getStatus();
        if (status.getJobStatus().getState() == JobStatus.FAILED && config.restartFailedJobs()) {
            clusters.deleteCluster(cluster);
            FkoStatus.clusterDeleted(status);
            status.setError(null);
            resubmitJob(deployment, cluster);
            return;
        }
        triggerSavepointIfNeeded(deployment, cluster, config, now);
    }

    /** AbstractJobReconciler.resubmitJob: the deployed spec again, from the last known savepoint unless stateless. */
    private void resubmitJob(FlinkDeployment deployment, String cluster) throws Exception {
        FlinkDeploymentStatus status = deployment.getStatus();
        FlinkDeploymentSpec deployed = status.getReconciliationStatus().deserializeLastReconciledSpec();
        deployed.getJob().setState(JobState.RUNNING);
        boolean savepointKnown = status.getJobStatus().getUpgradeSavepointPath() != null
                || status.getJobStatus().getSavepointInfo().getLastSavepoint() != null;
        if (deployment.getSpec().getJob().getUpgradeMode() != UpgradeMode.STATELESS && savepointKnown) {
            deployed.getJob().setUpgradeMode(UpgradeMode.SAVEPOINT);
        }
        FlinkDeployment target = new FlinkDeployment();
        target.setMetadata(deployment.getMetadata());
        target.setSpec(deployed);
        target.setStatus(status);
        restoreJob(target, cluster, false);
    }

    /** AbstractJobReconciler.triggerSnapshotIfNeeded with SnapshotUtils.shouldTriggerSnapshot, savepoints, legacy mode. */
    private void triggerSavepointIfNeeded(FlinkDeployment deployment, String cluster, FkoConfig config, Instant now) throws Exception {
        FlinkDeploymentStatus status = deployment.getStatus();
        if (status.getJobStatus().getState() != JobStatus.RUNNING || savepointInProgress(status)) {
            return;
        }
        var info = status.getJobStatus().getSavepointInfo();
        Long nonce = deployment.getSpec().getJob().getSavepointTriggerNonce();
        Long reconciledNonce = status.getReconciliationStatus().deserializeLastReconciledSpec().getJob().getSavepointTriggerNonce();
        SnapshotTriggerType trigger;
        if (nonce != null && !nonce.equals(reconciledNonce)) {
            trigger = SnapshotTriggerType.MANUAL;
        } else if (config.periodicSavepointInterval().filter(interval -> lastPeriodicTrigger(deployment).plus(interval).isBefore(now)).isPresent()) {
            trigger = SnapshotTriggerType.PERIODIC;
            lastPeriodicTriggers.put(deployment.getMetadata().getUid(), now);
        } else {
            return;
        }
        String directory = config.savepointDirectory().orElseThrow(() -> new IllegalStateException("No savepoint directory"));
        String triggerId = clusters.triggerSavepoint(cluster, status.getJobStatus().getJobId(), directory, config.savepointFormatType());
        info.setTrigger(triggerId, trigger, SavepointFormatType.valueOf(config.savepointFormatType().name()));
    }

    /**
     * SnapshotTriggerTimestampStore.getLastPeriodicTriggerInstant: kept in memory; after a (re)start, the later of the
     * resource's creation and the last periodic savepoint recorded in its status.
     */
    private Instant lastPeriodicTrigger(FlinkDeployment deployment) {
        return lastPeriodicTriggers.computeIfAbsent(deployment.getMetadata().getUid(), uid -> {
            Instant created = Instant.parse(deployment.getMetadata().getCreationTimestamp());
            Instant recorded = Instant.ofEpochMilli(deployment.getStatus().getJobStatus().getSavepointInfo().getLastPeriodicSavepointTimestamp());
            return created.isAfter(recorded) ? created : recorded;
        });
    }

    /** ApplicationReconciler.deploy: delete a terminated cluster, fix the job id, submit, JM DEPLOYING. */
    private void deploy(FlinkDeployment deployment, String cluster, FlinkDeploymentSpec spec, Optional<String> savepoint,
                        boolean requireHaMetadata) throws Exception {
        FlinkDeploymentStatus status = deployment.getStatus();
        if (status.getJobManagerDeploymentStatus() != JobManagerDeploymentStatus.MISSING) {
            clusters.deleteCluster(cluster);
            FkoStatus.clusterDeleted(status);
            patch.run();
        }
        // setJobIdIfNecessary: a new job id for every deploy that is not a last-state one (FLINK-19358)
        if (status.getJobStatus().getJobId() == null || !requireHaMetadata) {
            status.getJobStatus().setJobId(JobID.generate().toHexString());
            patch.run();
        }
        events.normal(deployment, "Submit", "Starting deployment");
        clusters.submitApplicationCluster(cluster, applications.of(deployment, spec, status.getJobStatus().getJobId(), savepoint.orElse(null)));
        FkoStatus.submitted(status);
    }

    private static boolean savepointInProgress(FlinkDeploymentStatus status) {
        String trigger = status.getJobStatus().getSavepointInfo().getTriggerId();
        return trigger != null && !trigger.isEmpty();
    }

    /** FKO's SuspendMode. */
    enum SuspendMode { NOOP, SAVEPOINT, STATELESS, CANCEL }

    /** AbstractJobReconciler.JobUpgrade, the cases the stand-in reaches. */
    record JobUpgrade(SuspendMode suspend, UpgradeMode restore, boolean available) {
        static final JobUpgrade UNAVAILABLE = new JobUpgrade(null, null, false);
    }

    /** FKO's UpgradeFailureException: the error goes to status.error and a Warning Event with its reason. */
    static final class UpgradeFailureException extends RuntimeException {
        final String reason;

        UpgradeFailureException(String message, String reason) {
            super(message);
            this.reason = reason;
        }
    }

    /** FKO's DeploymentFailedException: the JobManager cannot start. */
    static final class DeploymentFailedException extends RuntimeException {
        final String reason;

        DeploymentFailedException(String reason, String message) {
            super(message);
            this.reason = reason;
        }
    }
}
