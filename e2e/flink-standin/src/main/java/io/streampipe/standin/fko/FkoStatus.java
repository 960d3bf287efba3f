package io.streampipe.standin.fko;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.JobManagerDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.ReconciliationState;
import org.apache.flink.kubernetes.operator.api.status.Savepoint;
import org.apache.flink.kubernetes.operator.api.status.SavepointFormatType;
import org.apache.flink.kubernetes.operator.api.status.SnapshotTriggerType;
import org.apache.flink.kubernetes.operator.api.status.TaskManagerInfo;
import org.apache.flink.kubernetes.operator.api.utils.SpecUtils;

import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * What the Flink Kubernetes Operator 1.16 writes into a FlinkDeployment's status at each step of its reconcile loop,
 * as pure functions of the resource. Each method names the FKO method it follows (module
 * {@code flink-kubernetes-operator} unless said otherwise); the sandbox's stand-in calls them in FKO's order, and tests
 * that need a FlinkDeployment status build it with them, so a wrong reading of FKO is wrong in this one place.
 *
 * <p>The status classes themselves come from FKO's API jar, so derived fields (the lifecycle state, the Running
 * condition) are computed by FKO's own code.
 */
public final class FkoStatus {
    /** ApplicationReconciler / AbstractJobReconciler: the savepoint path FKO records for a last-state restore. */
    public static final String LAST_STATE_DUMMY_SP_PATH = "KUBERNETES_OPERATOR_LAST_STATE";
    /** AbstractFlinkDeploymentObserver.onMissingDeployment. */
    public static final String MISSING_JOB_MANAGER = "Missing JobManager deployment";
    /** JobStatusObserver.JOB_NOT_FOUND_ERR. */
    public static final String JOB_NOT_FOUND = "Job Not Found";

    private FkoStatus() {
    }

    public static FlinkDeploymentStatus statusOf(FlinkDeployment deployment) {
        if (deployment.getStatus() == null) {
            deployment.setStatus(new FlinkDeploymentStatus());
        }
        return deployment.getStatus();
    }

    /**
     * AbstractFlinkResourceReconciler.updateStatusBeforeFirstDeployment: the upgrade mode of the first deploy is
     * SAVEPOINT when an initialSavepointPath is given (which is also recorded as the upgrade savepoint), else STATELESS;
     * then the spec is recorded as in {@link #beforeDeploymentAttempt}.
     */
    public static void beforeFirstDeployment(FlinkDeployment deployment, Instant now) {
        String initialSavepoint = deployment.getSpec().getJob().getInitialSavepointPath();
        if (initialSavepoint != null) {
            statusOf(deployment).getJobStatus().setUpgradeSavepointPath(initialSavepoint);
        }
        beforeDeploymentAttempt(withUpgradeMode(deployment, firstDeploymentMode(deployment)), now);
    }

    /**
     * The upgrade mode FKO records for a first deploy, whatever the spec says: SAVEPOINT when it starts from an
     * initialSavepointPath, else STATELESS (AbstractFlinkResourceReconciler.updateStatusBeforeFirstDeployment).
     */
    public static UpgradeMode firstDeploymentMode(FlinkDeployment deployment) {
        return deployment.getSpec().getJob().getInitialSavepointPath() != null ? UpgradeMode.SAVEPOINT : UpgradeMode.STATELESS;
    }

    /** ReconciliationUtils.updateStatusBeforeDeploymentAttempt: the spec recorded as SUSPENDED, state UPGRADING. */
    public static void beforeDeploymentAttempt(FlinkDeployment deployment, Instant now) {
        specReconciled(deployment, JobState.SUSPENDED, true, now);
    }

    /** ReconciliationUtils.updateStatusForDeployedSpec: the spec recorded with its own job state, state DEPLOYED. */
    public static void deployedSpec(FlinkDeployment deployment, Instant now) {
        specReconciled(deployment, deployment.getSpec().getJob().getState(), false, now);
    }

    /** The same, for a spec whose upgrade mode FKO overrides with the mode it actually used (restore or fallback). */
    public static FlinkDeployment withUpgradeMode(FlinkDeployment deployment, UpgradeMode mode) {
        FlinkDeployment copy = new FlinkDeployment();
        copy.setMetadata(deployment.getMetadata());
        copy.setSpec(SpecUtils.clone(deployment.getSpec()));
        copy.getSpec().getJob().setUpgradeMode(mode);
        copy.setStatus(statusOf(deployment));
        return copy;
    }

    /**
     * ReconciliationUtils.updateStatusForSpecReconciliation: clears the error, stamps the reconciliation time, moves
     * the reconciliation state (ROLLING_BACK stays/ends as ROLLED_BACK), and records a copy of the spec whose job state
     * is {@code stateAfterReconcile} and whose snapshot trigger nonces are the last reconciled ones (a pending trigger
     * is not lost). ReconciliationStatus.serializeAndSetLastReconciledSpec (API jar) sets observedGeneration. A spec
     * suspended by the user is marked stable at once.
     */
    static void specReconciled(FlinkDeployment deployment, JobState stateAfterReconcile, boolean upgrading, Instant now) {
        FlinkDeploymentStatus status = statusOf(deployment);
        var reconciliation = status.getReconciliationStatus();
        status.setError(null);
        reconciliation.setReconciliationTimestamp(now.toEpochMilli());
        ReconciliationState state = reconciliation.getState() == ReconciliationState.ROLLING_BACK
                ? (upgrading ? ReconciliationState.ROLLING_BACK : ReconciliationState.ROLLED_BACK)
                : (upgrading ? ReconciliationState.UPGRADING : ReconciliationState.DEPLOYED);
        reconciliation.setState(state);
        if (state == ReconciliationState.ROLLING_BACK || state == ReconciliationState.ROLLED_BACK) {
            updateLastReconciledSpec(deployment, (spec, meta) -> spec.getJob().setUpgradeMode(deployment.getSpec().getJob().getUpgradeMode()));
            return;
        }
        FlinkDeploymentSpec recorded = SpecUtils.clone(deployment.getSpec());
        recorded.getJob().setState(stateAfterReconcile);
        // getTaskManagerInfo: the TaskManagers a running application has (FlinkUtils.getNumTaskManagers), none otherwise
        status.setTaskManager(stateAfterReconcile == JobState.RUNNING
                ? new TaskManagerInfo("component=taskmanager,app=" + deployment.getMetadata().getName(), taskManagers(deployment.getSpec()))
                : new TaskManagerInfo("", 0));
        FlinkDeploymentSpec last = reconciliation.deserializeLastReconciledSpec();
        if (last != null) {
            recorded.getJob().setSavepointTriggerNonce(last.getJob().getSavepointTriggerNonce());
            recorded.getJob().setCheckpointTriggerNonce(last.getJob().getCheckpointTriggerNonce());
        }
        reconciliation.serializeAndSetLastReconciledSpec(recorded, deployment);
        if (deployment.getSpec().getJob().getState() == JobState.SUSPENDED) {
            reconciliation.markReconciledSpecAsStable();
        }
    }

    /** FlinkUtils.getNumTaskManagers: enough TaskManagers for the job's parallelism at the configured slots each. */
    public static int taskManagers(FlinkDeploymentSpec spec) {
        int slots = Integer.parseInt(spec.getFlinkConfiguration().asFlatMap().getOrDefault("taskmanager.numberOfTaskSlots", "1"));
        int parallelism = Math.max(1, spec.getJob().getParallelism());
        return (parallelism + slots - 1) / slots;
    }

    /**
     * ReconciliationUtils.updateReconciliationMetadata: for a spec change FKO ignores (only IGNORE-kind fields), the
     * last reconciled spec is kept as it was; only its metadata and observedGeneration follow the resource.
     */
    public static void metadataOnly(FlinkDeployment deployment) {
        FlinkDeploymentStatus status = statusOf(deployment);
        var reconciliation = status.getReconciliationStatus();
        var last = reconciliation.deserializeLastReconciledSpecWithMeta();
        var meta = org.apache.flink.kubernetes.operator.api.reconciler.ReconciliationMetadata.from(deployment);
        reconciliation.setLastReconciledSpec(SpecUtils.writeSpecWithMeta(last.getSpec(), meta));
        status.setObservedGeneration(deployment.getMetadata().getGeneration());
    }

    /** ReconciliationUtils.updateLastReconciledSpec: edits the recorded spec and its metadata in place. */
    public static void updateLastReconciledSpec(FlinkDeployment deployment,
                                                BiConsumer<FlinkDeploymentSpec, org.apache.flink.kubernetes.operator.api.reconciler.ReconciliationMetadata> edit) {
        var reconciliation = statusOf(deployment).getReconciliationStatus();
        var last = reconciliation.deserializeLastReconciledSpecWithMeta();
        edit.accept(last.getSpec(), last.getMeta());
        reconciliation.setLastReconciledSpec(SpecUtils.writeSpecWithMeta(last.getSpec(), last.getMeta()));
    }

    /**
     * ReconciliationUtils.updateLastReconciledSnapshotTriggerNonce: once a MANUAL savepoint completes (or fails for
     * good), its nonce is copied into the last reconciled spec; until then it is held back.
     */
    public static void savepointNonceReconciled(FlinkDeployment deployment, SnapshotTriggerType trigger, Instant now) {
        if (trigger != SnapshotTriggerType.MANUAL) {
            return;
        }
        var reconciliation = statusOf(deployment).getReconciliationStatus();
        FlinkDeploymentSpec last = reconciliation.deserializeLastReconciledSpec();
        last.getJob().setSavepointTriggerNonce(deployment.getSpec().getJob().getSavepointTriggerNonce());
        reconciliation.serializeAndSetLastReconciledSpec(last, deployment);
        reconciliation.setReconciliationTimestamp(now.toEpochMilli());
    }

    /** JobStatusObserver.markSuspended: a job seen CANCELED (or terminal after CANCELLING) is recorded as suspended. */
    public static void markSuspended(FlinkDeployment deployment) {
        updateLastReconciledSpec(deployment, (spec, meta) -> {
            spec.getJob().setState(JobState.SUSPENDED);
            meta.setFirstDeployment(false);
        });
    }

    /**
     * AbstractJobReconciler.reconcileSpecChange, async cancel branch: the new spec is recorded with the restore mode
     * while the old job is still being cancelled.
     */
    public static void cancelPending(FlinkDeployment deployment, UpgradeMode restoreMode) {
        statusOf(deployment).getReconciliationStatus().setState(ReconciliationState.UPGRADING);
        updateLastReconciledSpec(deployment, (spec, meta) -> {
            spec.getJob().setUpgradeMode(restoreMode);
            meta.setFirstDeployment(false);
        });
    }

    /**
     * AbstractJobReconciler.setUpgradeSavepointPath (legacy snapshot mode): the savepoint taken to stop the job is the
     * upgrade savepoint and also the last savepoint, of trigger type UPGRADE, timed when the cancel began, in the
     * format kubernetes.operator.savepoint.format.type names.
     */
    public static void upgradeSavepoint(FlinkDeployment deployment, String location, Instant cancelStarted, SavepointFormatType format) {
        var jobStatus = statusOf(deployment).getJobStatus();
        jobStatus.setUpgradeSavepointPath(location);
        jobStatus.getSavepointInfo().updateLastSavepoint(new Savepoint(cancelStarted.toEpochMilli(), location,
                SnapshotTriggerType.UPGRADE, format, null));
    }

    /** AbstractFlinkService.updateStatusAfterClusterDeletion: JM MISSING; a job not yet terminal reads FINISHED. */
    public static void clusterDeleted(FlinkDeploymentStatus status) {
        status.setJobManagerDeploymentStatus(JobManagerDeploymentStatus.MISSING);
        JobStatus state = status.getJobStatus().getState();
        if (state == null || !state.isGloballyTerminalState()) {
            status.getJobStatus().setState(JobStatus.FINISHED);
        }
    }

    /** AbstractFlinkService.cancelJob: after a savepoint or stateless cancel the job reads FINISHED. */
    public static void jobCancelled(FlinkDeploymentStatus status) {
        status.getJobStatus().setState(JobStatus.FINISHED);
    }

    /** ApplicationReconciler.deploy: after submitting the application cluster. */
    public static void submitted(FlinkDeploymentStatus status) {
        status.getJobStatus().setState(JobStatus.RECONCILING);
        status.setJobManagerDeploymentStatus(JobManagerDeploymentStatus.DEPLOYING);
    }

    /**
     * JobStatusObserver.updateJobStatus: state, name and start time from Flink; the update time and an event only when
     * the state changed. Returns the event message, or null when the state did not change.
     */
    public static String jobObserved(FlinkDeploymentStatus status, JobStatus state, String name, long startTime, Instant now) {
        var jobStatus = status.getJobStatus();
        JobStatus previous = jobStatus.getState();
        jobStatus.setState(state);
        jobStatus.setJobName(name);
        jobStatus.setStartTime(String.valueOf(startTime));
        if (state == previous) {
            return null;
        }
        jobStatus.setUpdateTime(String.valueOf(now.toEpochMilli()));
        return previous == null ? "Job status changed to " + state : "Job status changed from " + previous + " to " + state;
    }

    /**
     * ReconciliationUtils.checkAndUpdateStableSpec: with the spec DEPLOYED, a RUNNING job is marked stable at once
     * ("Running jobs are currently always marked stable"), as is a job that FINISHED on its own.
     */
    public static void checkAndUpdateStableSpec(FlinkDeploymentStatus status) {
        var reconciliation = status.getReconciliationStatus();
        if (reconciliation.getState() != ReconciliationState.DEPLOYED) {
            return;
        }
        JobStatus state = status.getJobStatus().getState();
        if (state == JobStatus.RUNNING) {
            reconciliation.markReconciledSpecAsStable();
        } else if (state == JobStatus.FINISHED && reconciliation.deserializeLastReconciledSpec().getJob().getState() == JobState.RUNNING) {
            reconciliation.markReconciledSpecAsStable();
        }
    }

    /**
     * AbstractFlinkDeploymentObserver.clearErrorsIfDeploymentIsHealthy: the error is cleared once the JM is not in
     * ERROR, the job has not FAILED and the last reconciled spec is stable.
     */
    public static void clearErrorIfHealthy(FlinkDeploymentStatus status) {
        if (status.getJobManagerDeploymentStatus() != JobManagerDeploymentStatus.ERROR
                && status.getJobStatus().getState() != JobStatus.FAILED
                && status.getReconciliationStatus().isLastReconciledSpecStable()) {
            status.setError(null);
        }
    }

    /**
     * FlinkResourceExceptionUtils.updateFlinkResourceException: the error as JSON, {@code type} and {@code message} of
     * the throwable, {@code additionalMetadata}, and the chain of its causes in {@code throwableList} (without stack
     * traces, FKO's default).
     *
     * @param chain the throwable first, then its causes: pairs of type and message
     */
    public static void error(FlinkDeploymentStatus status, List<String[]> chain) {
        ObjectNode error = exception(chain.get(0));
        ArrayNode causes = error.putArray("throwableList");
        chain.stream().skip(1).limit(2).forEach(cause -> causes.add(exception(cause)));
        status.setError(error.toString());
    }

    private static ObjectNode exception(String[] typeAndMessage) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("type", typeAndMessage[0]);
        if (typeAndMessage[1] != null) {
            node.put("message", typeAndMessage[1]);
        }
        node.putObject("additionalMetadata");
        return node;
    }
}
