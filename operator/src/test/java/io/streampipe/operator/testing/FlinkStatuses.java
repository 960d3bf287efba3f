package io.streampipe.operator.testing;

import io.fabric8.kubernetes.client.utils.Serialization;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.JobManagerDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.ReconciliationState;
import org.apache.flink.kubernetes.operator.api.status.Savepoint;
import org.apache.flink.kubernetes.operator.api.status.SavepointFormatType;
import org.apache.flink.kubernetes.operator.api.status.SnapshotTriggerType;

/**
 * FlinkDeployment statuses as the Flink Kubernetes Operator writes them, built with its own status classes (the
 * lifecycle state is derived by those classes from the reconciliation and job status, as in the real operator).
 * Each method sets and returns a fresh status for the deployment's current spec.
 */
public final class FlinkStatuses {
    public static final String JOB_ID = "3f1c2a9b7d6e5f408a1b2c3d4e5f6a7b";
    public static final long START_TIME = 1_795_000_000_000L;

    private FlinkStatuses() {
    }

    /** Spec accepted and the cluster being deployed; the job not yet running. */
    public static FlinkDeploymentStatus deploying(FlinkDeployment deployment) {
        FlinkDeploymentStatus status = reconciled(deployment, ReconciliationState.DEPLOYED);
        status.setJobManagerDeploymentStatus(JobManagerDeploymentStatus.DEPLOYING);
        status.getJobStatus().setState(JobStatus.RECONCILING);
        return status;
    }

    /** The job running with the current spec, which the Flink operator has marked stable. */
    public static FlinkDeploymentStatus running(FlinkDeployment deployment) {
        FlinkDeploymentStatus status = reconciled(deployment, ReconciliationState.DEPLOYED);
        status.getReconciliationStatus().markReconciledSpecAsStable();
        status.setJobManagerDeploymentStatus(JobManagerDeploymentStatus.READY);
        status.getJobStatus().setJobId(JOB_ID);
        status.getJobStatus().setState(JobStatus.RUNNING);
        status.getJobStatus().setStartTime(Long.toString(START_TIME));
        return status;
    }

    /** A spec change being applied: the old job stopped with a savepoint, the new one not yet up. */
    public static FlinkDeploymentStatus upgrading(FlinkDeployment deployment, String upgradeSavepoint) {
        FlinkDeploymentStatus status = reconciled(deployment, ReconciliationState.UPGRADING);
        status.getJobStatus().setJobId(JOB_ID);
        status.getJobStatus().setState(JobStatus.FINISHED);
        status.getJobStatus().setUpgradeSavepointPath(upgradeSavepoint);
        return status;
    }

    /** The job failed for good. */
    public static FlinkDeploymentStatus failed(FlinkDeployment deployment, String message) {
        FlinkDeploymentStatus status = running(deployment);
        status.getJobStatus().setState(JobStatus.FAILED);
        status.setError("{\"type\":\"org.apache.flink.kubernetes.operator.exception.ReconciliationException\",\"message\":\""
                + message + "\",\"additionalMetadata\":{},\"throwableList\":[]}");
        return status;
    }

    /** The job restarting after a task failure. */
    public static FlinkDeploymentStatus restarting(FlinkDeployment deployment) {
        FlinkDeploymentStatus status = running(deployment);
        status.getJobStatus().setState(JobStatus.RESTARTING);
        return status;
    }

    /** Suspended (job.state suspended applied) after a savepoint, as on suspend or before deletion. */
    public static FlinkDeploymentStatus suspended(FlinkDeployment deployment, String savepointPath, long savepointTime) {
        FlinkDeploymentSpec spec = Serialization.clone(deployment.getSpec());
        spec.getJob().setState(JobState.SUSPENDED);
        FlinkDeploymentStatus status = new FlinkDeploymentStatus();
        deployment.setStatus(status);
        status.getReconciliationStatus().serializeAndSetLastReconciledSpec(spec, deployment);
        status.getReconciliationStatus().setState(ReconciliationState.DEPLOYED);
        status.setJobManagerDeploymentStatus(JobManagerDeploymentStatus.MISSING);
        status.getJobStatus().setJobId(JOB_ID);
        status.getJobStatus().setState(JobStatus.FINISHED);
        status.getJobStatus().setUpgradeSavepointPath(savepointPath);
        status.getJobStatus().getSavepointInfo().updateLastSavepoint(
                new Savepoint(savepointTime, savepointPath, SnapshotTriggerType.UPGRADE, SavepointFormatType.CANONICAL, null));
        return status;
    }

    /** Adds a completed savepoint (as periodic or manual triggers record them) to a status. */
    public static FlinkDeploymentStatus withSavepoint(FlinkDeploymentStatus status, String path, long time, SnapshotTriggerType trigger,
                                                      Long nonce) {
        status.getJobStatus().getSavepointInfo().updateLastSavepoint(
                new Savepoint(time, path, trigger, SavepointFormatType.CANONICAL, nonce));
        return status;
    }

    private static FlinkDeploymentStatus reconciled(FlinkDeployment deployment, ReconciliationState state) {
        FlinkDeploymentStatus status = new FlinkDeploymentStatus();
        deployment.setStatus(status);
        status.getReconciliationStatus().serializeAndSetLastReconciledSpec(Serialization.clone(deployment.getSpec()), deployment);
        status.getReconciliationStatus().setState(state);
        status.setObservedGeneration(deployment.getMetadata().getGeneration());
        return status;
    }
}
