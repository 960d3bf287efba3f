package io.streampipe.operator.testing;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.standin.fko.FkoStatus;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.JobManagerDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.Savepoint;
import org.apache.flink.kubernetes.operator.api.status.SavepointFormatType;
import org.apache.flink.kubernetes.operator.api.status.SnapshotTriggerType;

import java.time.Instant;
import java.util.List;

/**
 * FlinkDeployment statuses as the Flink Kubernetes Operator 1.16 writes them, produced by replaying FKO's steps through
 * {@link FkoStatus} (the same rules the sandbox's stand-in follows), never written field by field here. Each method
 * sets and returns the status FKO would show for the deployment's current spec at that point.
 */
public final class FlinkStatuses {
    public static final String JOB_ID = "3f1c2a9b7d6e5f408a1b2c3d4e5f6a7b";
    public static final long START_TIME = 1_795_000_000_000L;
    private static final Instant NOW = Instant.ofEpochMilli(START_TIME);

    private FlinkStatuses() {
    }

    /** First deploy done (ApplicationReconciler.deploy, then updateStatusForDeployedSpec): JM DEPLOYING, job RECONCILING. */
    public static FlinkDeploymentStatus deploying(FlinkDeployment deployment) {
        deployment.setStatus(new FlinkDeploymentStatus());
        FkoStatus.beforeFirstDeployment(deployment, NOW);
        FlinkDeploymentStatus status = deployment.getStatus();
        status.getJobStatus().setJobId(JOB_ID);
        FkoStatus.submitted(status);
        FkoStatus.deployedSpec(FkoStatus.withUpgradeMode(deployment, FkoStatus.firstDeploymentMode(deployment)), NOW);
        status.setRunningConditionIfRequired();
        return status;
    }

    /** Then the JobManager became ready and the job was observed RUNNING, which FKO marks stable at once. */
    public static FlinkDeploymentStatus running(FlinkDeployment deployment) {
        FlinkDeploymentStatus status = deploying(deployment);
        observe(status, JobStatus.RUNNING);
        return status;
    }

    /**
     * A change FKO ignores (only IGNORE-kind fields: nonces, kubernetes.operator.* keys, upgradeMode…) applied to a
     * running job: ReconciliationUtils.updateReconciliationMetadata keeps the previous spec as the last reconciled one.
     *
     * @param previousSpec the spec FKO had reconciled before the change
     */
    public static FlinkDeploymentStatus runningAfterIgnoredChange(FlinkDeployment deployment, FlinkDeploymentSpec previousSpec) {
        FlinkDeploymentSpec current = deployment.getSpec();
        deployment.setSpec(Serialization.clone(previousSpec));
        running(deployment);
        deployment.setSpec(current);
        FkoStatus.metadataOnly(deployment);
        deployment.getStatus().setRunningConditionIfRequired();
        return deployment.getStatus();
    }

    /**
     * Loop A of a savepoint upgrade (AbstractJobReconciler.reconcileSpecChange): the old job stopped with a savepoint,
     * recorded as the upgrade savepoint; the new spec recorded as suspended and UPGRADING.
     */
    public static FlinkDeploymentStatus upgrading(FlinkDeployment deployment, String upgradeSavepoint) {
        FlinkDeploymentStatus status = running(deployment);
        FkoStatus.upgradeSavepoint(deployment, upgradeSavepoint, NOW, SavepointFormatType.CANONICAL);
        FkoStatus.jobCancelled(status);
        FkoStatus.beforeDeploymentAttempt(FkoStatus.withUpgradeMode(deployment, UpgradeMode.SAVEPOINT), NOW);
        status.setRunningConditionIfRequired();
        return status;
    }

    /** The job failed for good: JobStatusObserver records the job result's failure as the error. */
    public static FlinkDeploymentStatus failed(FlinkDeployment deployment, String message) {
        FlinkDeploymentStatus status = running(deployment);
        observe(status, JobStatus.FAILED);
        FkoStatus.error(status, List.<String[]>of(new String[]{"org.apache.flink.util.SerializedThrowable", message}));
        status.setRunningConditionIfRequired();
        return status;
    }

    /** The job restarting after a task failure. */
    public static FlinkDeploymentStatus restarting(FlinkDeployment deployment) {
        FlinkDeploymentStatus status = running(deployment);
        observe(status, JobStatus.RESTARTING);
        return status;
    }

    /**
     * Suspended by the user after a savepoint (job.state suspended, savepoint mode): stop-with-savepoint recorded as
     * the upgrade savepoint, then updateStatusForDeployedSpec with the suspended spec, which is stable at once.
     */
    public static FlinkDeploymentStatus suspended(FlinkDeployment deployment, String savepointPath, long savepointTime) {
        FlinkDeploymentSpec wanted = deployment.getSpec();
        FlinkDeploymentSpec running = Serialization.clone(wanted);
        running.getJob().setState(JobState.RUNNING);
        deployment.setSpec(running);
        FlinkDeploymentStatus status = running(deployment);
        FlinkDeploymentSpec suspended = Serialization.clone(wanted);
        suspended.getJob().setState(JobState.SUSPENDED);
        deployment.setSpec(suspended);
        FkoStatus.upgradeSavepoint(deployment, savepointPath, Instant.ofEpochMilli(savepointTime), SavepointFormatType.CANONICAL);
        FkoStatus.jobCancelled(status);
        FkoStatus.deployedSpec(FkoStatus.withUpgradeMode(deployment, UpgradeMode.SAVEPOINT), Instant.ofEpochMilli(savepointTime));
        status.setRunningConditionIfRequired();
        deployment.setSpec(wanted);
        return status;
    }

    /** Adds a completed savepoint (as periodic or manual triggers record them, SnapshotObserver) to a status. */
    public static FlinkDeploymentStatus withSavepoint(FlinkDeploymentStatus status, String path, long time, SnapshotTriggerType trigger,
                                                      Long nonce) {
        status.getJobStatus().getSavepointInfo().updateLastSavepoint(
                new Savepoint(time, path, trigger, SavepointFormatType.CANONICAL, nonce));
        return status;
    }

    /** The JobManager became ready and JobStatusObserver saw the job in {@code state}. */
    private static void observe(FlinkDeploymentStatus status, JobStatus state) {
        status.setJobManagerDeploymentStatus(JobManagerDeploymentStatus.READY);
        FkoStatus.jobObserved(status, state, "sensor-anomalies", START_TIME, NOW);
        FkoStatus.checkAndUpdateStableSpec(status);
        status.setRunningConditionIfRequired();
    }
}
