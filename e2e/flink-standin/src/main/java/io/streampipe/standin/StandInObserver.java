package io.streampipe.standin;

import io.streampipe.standin.fko.FkoConfig;
import io.streampipe.standin.fko.FkoStatus;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.JobManagerDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.ReconciliationState;
import org.apache.flink.kubernetes.operator.api.status.Savepoint;
import org.apache.flink.kubernetes.operator.api.status.SavepointInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The observe half of FKO 1.16's loop for an application FlinkDeployment: {@code observer/AbstractFlinkResourceObserver},
 * {@code observer/deployment/AbstractFlinkDeploymentObserver} and {@code ApplicationObserver},
 * {@code observer/JobStatusObserver} and {@code observer/SnapshotObserver} (legacy, status-based snapshots).
 */
final class StandInObserver {
    private static final Logger LOG = LoggerFactory.getLogger(StandInObserver.class);

    private final FlinkClusters clusters;
    private final StandInEvents events;

    StandInObserver(FlinkClusters clusters, StandInEvents events) {
        this.clusters = clusters;
        this.events = events;
    }

    /** AbstractFlinkResourceObserver.observe. */
    void observe(FlinkDeployment deployment, String cluster, Instant now) {
        FlinkDeploymentStatus status = FkoStatus.statusOf(deployment);
        if (!readyToBeObserved(deployment, status)) {
            return;
        }
        observeInternal(deployment, cluster, status, now);
        resetSnapshotTriggers(deployment, status, now);
    }

    /** AbstractFlinkResourceObserver.isResourceReadyToBeObserved. */
    private boolean readyToBeObserved(FlinkDeployment deployment, FlinkDeploymentStatus status) {
        var reconciliation = status.getReconciliationStatus();
        if (reconciliation.isBeforeFirstDeployment() || reconciliation.getState() == ReconciliationState.ROLLING_BACK) {
            return false;
        }
        if (status.getJobStatus().getState() == JobStatus.CANCELLING) {
            return true;
        }
        if (reconciliation.getState() == ReconciliationState.UPGRADING) {
            // checkIfAlreadyUpgraded never holds here: the stand-in records a deploy in the same loop as it submits.
            // ReconciliationUtils.clearLastReconciledSpecIfFirstDeploy:
            var last = reconciliation.deserializeLastReconciledSpecWithMeta();
            if (last.getMeta() != null && last.getMeta().isFirstDeployment()) {
                reconciliation.setLastReconciledSpec(null);
                reconciliation.setState(ReconciliationState.UPGRADING);
            }
            return false;
        }
        return true;
    }

    /** AbstractFlinkDeploymentObserver.observeInternal. */
    private void observeInternal(FlinkDeployment deployment, String cluster, FlinkDeploymentStatus status, Instant now) {
        if (status.getJobManagerDeploymentStatus() != JobManagerDeploymentStatus.READY) {
            observeJmDeployment(deployment, cluster, status);
        }
        if (status.getJobManagerDeploymentStatus() == JobManagerDeploymentStatus.READY) {
            // ApplicationObserver.observeFlinkCluster
            if (observeJob(deployment, cluster, status, now)) {
                observeSavepoints(deployment, cluster, status, now);
            }
        }
        FkoStatus.clearErrorIfHealthy(status);
    }

    /** AbstractFlinkDeploymentObserver.observeJmDeployment, with the cluster's JVMs in place of the JM Deployment. */
    private void observeJmDeployment(FlinkDeployment deployment, String cluster, FlinkDeploymentStatus status) {
        JobManagerDeploymentStatus previous = status.getJobManagerDeploymentStatus();
        if (suspendedJob(deployment, status)) {
            return;
        }
        if (previous == JobManagerDeploymentStatus.DEPLOYED_NOT_READY) {
            status.setJobManagerDeploymentStatus(JobManagerDeploymentStatus.READY);
            return;
        }
        FlinkClusters.ClusterState state = clusters.clusterState(cluster);
        switch (state.phase()) {
            case READY -> status.setJobManagerDeploymentStatus(JobManagerDeploymentStatus.DEPLOYED_NOT_READY);
            case STARTING -> status.setJobManagerDeploymentStatus(JobManagerDeploymentStatus.DEPLOYING);
            case FAILED -> {
                // checkContainerErrors: a crash-looping JobManager is a DeploymentFailedException.
                status.getJobStatus().setState(JobStatus.RECONCILING);
                if (previous != JobManagerDeploymentStatus.ERROR) {
                    throw new StandInReconciler.DeploymentFailedException("CrashLoopBackOff", state.failure());
                }
            }
            case MISSING -> {
                status.setJobManagerDeploymentStatus(JobManagerDeploymentStatus.MISSING);
                if (!terminal(status)) {
                    status.getJobStatus().setState(JobStatus.RECONCILING);
                }
                if (previous != JobManagerDeploymentStatus.MISSING && previous != JobManagerDeploymentStatus.ERROR) {
                    // onMissingDeployment
                    FkoStatus.error(status, List.<String[]>of(new String[]{
                            "org.apache.flink.kubernetes.operator.exception.MissingJobManagerException", FkoStatus.MISSING_JOB_MANAGER}));
                    events.warning(deployment, "Missing", FkoStatus.MISSING_JOB_MANAGER);
                }
            }
        }
    }

    /** AbstractFlinkDeploymentObserver.isSuspendedJob. */
    private static boolean suspendedJob(FlinkDeployment deployment, FlinkDeploymentStatus status) {
        var last = status.getReconciliationStatus().deserializeLastReconciledSpec();
        return status.getJobManagerDeploymentStatus() == JobManagerDeploymentStatus.MISSING
                && deployment.getSpec().getJob().getState() == JobState.SUSPENDED
                && last != null && last.getJob().getState() == JobState.SUSPENDED;
    }

    /** JobStatusObserver.observe: true when the job was found. */
    private boolean observeJob(FlinkDeployment deployment, String cluster, FlinkDeploymentStatus status, Instant now) {
        if (status.getReconciliationStatus().deserializeLastReconciledSpec().getJob().getState() == JobState.SUSPENDED) {
            return false;
        }
        var jobStatus = status.getJobStatus();
        JobStatus previous = jobStatus.getState();
        try {
            Optional<FlinkClusters.JobInfo> job = clusters.jobStatus(cluster, jobStatus.getJobId());
            if (job.isEmpty()) {
                // onTargetJobNotFound
                events.warning(deployment, "Missing", FkoStatus.JOB_NOT_FOUND);
                status.getReconciliationStatus().setState(ReconciliationState.DEPLOYED);
                jobStatus.setState(JobStatus.RECONCILING);
                status.setError(FkoStatus.JOB_NOT_FOUND);
                return false;
            }
            FlinkClusters.JobInfo observed = job.get();
            String change = FkoStatus.jobObserved(status, observed.state(), observed.name(), observed.startTime(), now);
            if (change != null) {
                if (observed.state() == JobStatus.CANCELED || observed.state().isGloballyTerminalState() && previous == JobStatus.CANCELLING) {
                    FkoStatus.markSuspended(deployment);
                }
                if (observed.state() == JobStatus.FAILED) {
                    recordJobError(deployment, cluster, status, observed.id());
                }
                events.normal(deployment, "JobStatusChanged", change);
            }
            FkoStatus.checkAndUpdateStableSpec(status);
            return true;
        } catch (Exception e) {
            LOG.warn("Could not get the status of job {} of FlinkDeployment {}: {}", jobStatus.getJobId(), cluster, e.getMessage());
            if (previous == JobStatus.RUNNING) {
                jobStatus.setState(JobStatus.RECONCILING);
            }
            return false;
        }
    }

    /** JobStatusObserver.recordJobErrorIfPresent. */
    private void recordJobError(FlinkDeployment deployment, String cluster, FlinkDeploymentStatus status, String jobId) {
        try {
            List<String[]> failure = clusters.jobFailure(cluster, jobId);
            if (!failure.isEmpty()) {
                FkoStatus.error(status, failure);
                events.warning(deployment, "Error", failure.get(0)[1]);
            }
        } catch (Exception e) {
            LOG.warn("Could not get the failure of job {} of FlinkDeployment {}: {}", jobId, cluster, e.getMessage());
        }
    }

    /** SnapshotObserver.observeSavepointStatus (legacy mode). */
    private void observeSavepoints(FlinkDeployment deployment, String cluster, FlinkDeploymentStatus status, Instant now) {
        var jobStatus = status.getJobStatus();
        SavepointInfo info = jobStatus.getSavepointInfo();
        if (info.getTriggerId() != null && !info.getTriggerId().isEmpty()) {
            observeTriggeredSavepoint(deployment, cluster, status, info, now);
        }
        if (terminal(status)) {
            // observeLatestCheckpoint: a stopped job's latest checkpoint becomes the upgrade "savepoint"
            try {
                Optional<String> latest = clusters.lastCheckpoint(cluster, jobStatus.getJobId());
                if (latest.isPresent()) {
                    jobStatus.setUpgradeSavepointPath(latest.get());
                } else if (jobStatus.getState() == JobStatus.CANCELED) {
                    jobStatus.setUpgradeSavepointPath(null);
                }
            } catch (Exception e) {
                LOG.warn("Could not get the last checkpoint of FlinkDeployment {}: {}", cluster, e.getMessage());
            }
        }
        cleanupSavepointHistory(deployment, cluster, info, now);
    }

    /** SnapshotObserver.observeTriggeredSavepoint. */
    private void observeTriggeredSavepoint(FlinkDeployment deployment, String cluster, FlinkDeploymentStatus status,
                                           SavepointInfo info, Instant now) {
        FlinkClusters.SavepointResult result = clusters.savepointResult(cluster, status.getJobStatus().getJobId(), info.getTriggerId());
        if (result.pending()) {
            return;
        }
        if (result.error() != null) {
            if (now.toEpochMilli() - info.getTriggerTimestamp() > FkoConfig.of(deployment).savepointTriggerGracePeriod().toMillis()) {
                FkoStatus.savepointNonceReconciled(deployment, info.getTriggerType(), now);
            }
            events.warning(deployment, "SavepointError", info.formatErrorMessage(deployment.getSpec().getJob().getSavepointTriggerNonce()));
            info.resetTrigger();
            return;
        }
        Savepoint savepoint = new Savepoint(info.getTriggerTimestamp(), result.location(), info.getTriggerType(), info.getFormatType(),
                info.getTriggerType() == org.apache.flink.kubernetes.operator.api.status.SnapshotTriggerType.MANUAL
                        ? deployment.getSpec().getJob().getSavepointTriggerNonce() : null);
        FkoStatus.savepointNonceReconciled(deployment, info.getTriggerType(), now);
        info.updateLastSavepoint(savepoint);
    }

    /**
     * SnapshotObserver.cleanupSavepointHistoryLegacy: beyond max.count the oldest entries are disposed, and entries older
     * than max.age (but never the newest) too; an entry leaves the history only once its files are gone.
     */
    private void cleanupSavepointHistory(FlinkDeployment deployment, String cluster, SavepointInfo info, Instant now) {
        FkoConfig config = FkoConfig.of(deployment);
        List<Savepoint> history = info.getSavepointHistory();
        if (history.size() <= 1) {
            return;
        }
        long oldestKept = now.minus(config.savepointHistoryMaxAge()).toEpochMilli();
        boolean dispose = config.savepointCleanupEnabled();
        Savepoint newest = history.get(history.size() - 1);
        while (history.size() > config.savepointHistoryMaxCount()) {
            if (!dispose || clusters.disposeSavepoint(cluster, history.get(0).getLocation())) {
                history.remove(0);
            } else {
                break;
            }
        }
        for (Iterator<Savepoint> it = history.iterator(); it.hasNext(); ) {
            Savepoint savepoint = it.next();
            if (savepoint != newest && savepoint.getTimeStamp() < oldestKept
                    && (!dispose || clusters.disposeSavepoint(cluster, savepoint.getLocation()))) {
                it.remove();
            }
        }
    }

    /** SnapshotUtils.resetSnapshotTriggers: a savepoint cannot complete once the job is not running. */
    private void resetSnapshotTriggers(FlinkDeployment deployment, FlinkDeploymentStatus status, Instant now) {
        SavepointInfo info = status.getJobStatus().getSavepointInfo();
        if (status.getJobStatus().getState() != JobStatus.RUNNING && info.getTriggerId() != null && !info.getTriggerId().isEmpty()) {
            FkoStatus.savepointNonceReconciled(deployment, info.getTriggerType(), now);
            info.resetTrigger();
            events.warning(deployment, "SavepointError", info.formatErrorMessage(deployment.getSpec().getJob().getSavepointTriggerNonce()));
        }
    }

    private static boolean terminal(FlinkDeploymentStatus status) {
        JobStatus state = status.getJobStatus().getState();
        return state != null && state.isGloballyTerminalState();
    }
}
