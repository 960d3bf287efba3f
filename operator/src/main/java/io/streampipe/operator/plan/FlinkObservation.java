package io.streampipe.operator.plan;

import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.desired.StateSchema;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.lifecycle.ResourceLifecycleState;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.JobStatus;
import org.apache.flink.kubernetes.operator.api.status.ReconciliationState;
import org.apache.flink.kubernetes.operator.api.status.Savepoint;
import org.apache.flink.kubernetes.operator.api.status.SavepointInfo;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Null-safe reading of what the Flink Kubernetes Operator reports in a FlinkDeployment's status. The FlinkDeployment
 * may be absent (not created yet) and its status partly filled (not reconciled yet).
 */
public record FlinkObservation(FlinkDeployment deployment) {
    private static final String LAST_STATE_PLACEHOLDER = "KUBERNETES_OPERATOR_LAST_STATE";

    public static FlinkObservation of(Optional<FlinkDeployment> deployment) {
        return new FlinkObservation(deployment.orElse(null));
    }

    public boolean exists() {
        return deployment != null;
    }

    public Optional<FlinkDeploymentStatus> status() {
        return Optional.ofNullable(deployment).map(FlinkDeployment::getStatus);
    }

    public Optional<ResourceLifecycleState> lifecycleState() {
        return status().map(FlinkDeploymentStatus::getLifecycleState);
    }

    public Optional<JobStatus> jobStatus() {
        return status().map(FlinkDeploymentStatus::getJobStatus);
    }

    /** The job's state name (RUNNING, FAILED, ...), if the Flink operator has observed one. */
    public Optional<String> jobState() {
        return jobStatus().map(JobStatus::getState).map(Enum::name);
    }

    public Optional<String> error() {
        return status().map(FlinkDeploymentStatus::getError).filter(error -> !error.isBlank());
    }

    /** The spec the Flink operator last acted on, from status.reconciliationStatus.lastReconciledSpec. */
    public Optional<FlinkDeploymentSpec> lastReconciledSpec() {
        return status().map(FlinkDeploymentStatus::getReconciliationStatus)
                .filter(reconciliation -> reconciliation.getLastReconciledSpec() != null)
                .map(reconciliation -> reconciliation.deserializeLastReconciledSpec());
    }

    /**
     * Whether the Flink operator has taken in the FlinkDeployment's current generation: it sets
     * status.observedGeneration whenever it reconciles a spec, including a change of only the kinds it ignores, for
     * which it keeps the previous spec as lastReconciledSpec (FKO 1.16 ReconciliationUtils.updateReconciliationMetadata
     * and ReconciliationStatus.serializeAndSetLastReconciledSpec). So the last reconciled spec is never compared with
     * the current one.
     */
    public Optional<String> specHash() {
        return Optional.ofNullable(deployment).map(FlinkDeployment::getMetadata).map(meta -> meta.getAnnotations())
                .map(annotations -> annotations.get(PipelineResources.ANNOTATION_SPEC_HASH));
    }

    /**
     * Whether the Flink operator has deployed a spec like this and is done with it: its last reconciled spec matches
     * and its reconciliation state is DEPLOYED. During a savepoint or stateless upgrade it records the new spec in
     * the first loop, before the job is deployed from it in the second (AbstractJobReconciler#reconcileSpecChange,
     * ReconciliationUtils#updateStatusBeforeDeploymentAttempt with state UPGRADING), so the spec alone says too early.
     */
    public boolean deployed(java.util.function.Predicate<FlinkDeploymentSpec> like) {
        return lastReconciledSpec().filter(like).isPresent()
                && deployment.getStatus().getReconciliationStatus().getState() == ReconciliationState.DEPLOYED;
    }

    /** Whether the path is a savepoint the Flink operator recorded (not a checkpoint it restores for want of one). */
    public boolean isSavepoint(String path) {
        return recordedSavepoints().anyMatch(savepoint -> path.equals(savepoint.getLocation()));
    }

    /** Every savepoint the Flink operator recorded: its last one and its history. */
    public Stream<Savepoint> recordedSavepoints() {
        return jobStatus().map(JobStatus::getSavepointInfo).stream()
                .flatMap(info -> Stream.concat(Stream.ofNullable(info.getLastSavepoint()),
                        info.getSavepointHistory() == null ? Stream.empty() : info.getSavepointHistory().stream()));
    }

    /** The job ConfigMaps the FlinkDeployment names: in its spec, and in the spec Flink last deployed (the running job). */
    public java.util.Set<String> jobConfigMaps() {
        java.util.Set<String> names = new java.util.TreeSet<>();
        Stream.concat(Stream.ofNullable(deployment).map(FlinkDeployment::getSpec), lastReconciledSpec().stream())
                .map(FlinkDeploymentSpec::getPodTemplate).filter(Objects::nonNull)
                .map(template -> template.getSpec()).filter(Objects::nonNull)
                .flatMap(spec -> spec.getVolumes() == null ? Stream.empty() : spec.getVolumes().stream())
                .filter(volume -> volume.getConfigMap() != null)
                .forEach(volume -> names.add(volume.getConfigMap().getName()));
        return names;
    }

    /**
     * Whether the Flink operator has taken in the FlinkDeployment with this spec hash. For a change to a running job it
     * records the new spec, and with it observedGeneration, only once the old job has stopped, with its savepoint in
     * savepoint mode (AbstractJobReconciler#reconcileSpecChange: cancelJob, then
     * ReconciliationUtils#updateStatusBeforeDeploymentAttempt); that stop may take up to execution.checkpointing.timeout
     * (AbstractFlinkService#savepointJobOrError).
     */
    public boolean tookSpec(String specHash) {
        return generationObserved() && specHash().map(specHash::equals).orElse(true);
    }

    /**
     * The savepoint (or, in FKO's last-state fallback, the checkpoint) the new job of an upgrade to this spec hash
     * restores. Before the Flink operator has taken the spec, jobStatus.upgradeSavepointPath is an earlier upgrade's
     * savepoint or a finished job's latest checkpoint: FKO sets it when a stop returns
     * (AbstractJobReconciler#setUpgradeSavepointPath, SnapshotObserver#observeLatestCheckpoint) and never clears it.
     * After a last-state upgrade it holds a placeholder, not a path (AbstractJobReconciler.LAST_STATE_DUMMY_SP_PATH).
     */
    public Optional<String> upgradeSavepoint(String specHash) {
        return jobStatus().filter(job -> tookSpec(specHash)).map(JobStatus::getUpgradeSavepointPath)
                .filter(path -> !path.isEmpty() && !path.equals(LAST_STATE_PLACEHOLDER));
    }

    public boolean generationObserved() {
        return exists() && deployment.getStatus() != null && deployment.getMetadata().getGeneration() != null
                && deployment.getMetadata().getGeneration().equals(deployment.getStatus().getObservedGeneration());
    }

    /**
     * Whether the Flink operator has finished acting on the current generation: it has observed it, is not in the
     * middle of an upgrade or rollback (reconciliationStatus.state UPGRADING or ROLLING_BACK, during which FKO records
     * the target spec with job.state suspended: ReconciliationUtils.updateStatusBeforeDeploymentAttempt), and the job
     * state it last reconciled is the one asked for.
     */
    public boolean currentSpecReconciled() {
        if (!generationObserved()) {
            return false;
        }
        ReconciliationState state = deployment.getStatus().getReconciliationStatus().getState();
        if (state == ReconciliationState.UPGRADING || state == ReconciliationState.ROLLING_BACK) {
            return false;
        }
        return lastReconciledSpec().map(spec -> spec.getJob().getState() == deployment.getSpec().getJob().getState()).orElse(false);
    }

    /**
     * Whether the Flink operator is still on its first deployment: it records that in the metadata of the last
     * reconciled spec (FKO 1.16 ReconciliationMetadata.firstDeployment), and its lifecycle reads UPGRADING meanwhile.
     */
    public boolean firstDeploymentInProgress() {
        return status().map(FlinkDeploymentStatus::getReconciliationStatus)
                .filter(reconciliation -> reconciliation.getLastReconciledSpec() != null)
                .map(reconciliation -> reconciliation.deserializeLastReconciledSpecWithMeta().getMeta())
                .map(meta -> meta.isFirstDeployment())
                .orElse(false);
    }

    /**
     * A FlinkDeployment created with job.state suspended is never deployed, and the Flink operator writes nothing for
     * it (FKO 1.16 AbstractFlinkResourceReconciler.reconcile returns before the first deployment).
     */
    public boolean neverDeployedAndSuspended() {
        return exists() && lastReconciledSpec().isEmpty() && deployment.getSpec().getJob().getState() == JobState.SUSPENDED;
    }

    /**
     * The newest savepoint the Flink operator recorded. In its legacy snapshot mode every savepoint it takes, the one
     * that stops a job for an upgrade or suspend included, lands in savepointInfo (FKO 1.16
     * AbstractJobReconciler.setUpgradeSavepointPath). upgradeSavepointPath is not a savepoint to report: FKO points it
     * at a stopped job's latest checkpoint (SnapshotObserver.observeLatestCheckpoint), at a restore's
     * initialSavepointPath, or at the KUBERNETES_OPERATOR_LAST_STATE placeholder.
     */
    public Optional<Savepoint> lastSavepoint() {
        return jobStatus().map(JobStatus::getSavepointInfo).map(SavepointInfo::getLastSavepoint)
                .filter(savepoint -> savepoint.getLocation() != null);
    }

    /** The state schema of the job Flink last deployed, from the last reconciled spec's pod template. */
    public Optional<StateSchema> deployedStateSchema() {
        return lastReconciledSpec().map(FlinkDeploymentSpec::getPodTemplate)
                .map(template -> template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
                .flatMap(annotations -> StateSchema.fromJson(annotations.get(PipelineResources.ANNOTATION_STATE_SCHEMA)));
    }

    /** The job arguments of the last reconciled spec (they carry the source epoch). */
    public Optional<List<String>> lastReconciledArgs() {
        return lastReconciledSpec().map(FlinkDeploymentSpec::getJob).map(job -> List.of(job.getArgs()));
    }

}
