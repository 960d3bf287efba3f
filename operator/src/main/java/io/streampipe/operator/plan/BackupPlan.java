package io.streampipe.operator.plan;

import io.streampipe.api.v1alpha1.OffsetResetSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.AppliedTokens;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.Backup;
import io.streampipe.api.v1alpha1.UpgradeSpec;
import io.streampipe.operator.desired.Hashes;
import io.streampipe.operator.status.Reasons;
import org.apache.flink.kubernetes.operator.api.status.Savepoint;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A backup savepoint before any change that throws the running job's state away: a restore from another savepoint
 * (FKO's savepointRedeployNonce path cancels the job without one, AbstractJobReconciler#redeployWithSavepoint), an
 * offset reset without state, a state-incompatible change the spec opted into, and any upgrade in stateless mode.
 *
 * <p>While the backup is pending the FlinkDeployment and the job ConfigMap stay as they are, except for a
 * {@code savepointTriggerNonce} derived from the change: FKO takes a manual savepoint and records it with that nonce
 * (SnapshotObserver#observeTriggeredSavepoint). Once it is there the change is applied, and the savepoint is in
 * {@code status.backup} and in the savepoint history with its reason. When FKO gives up on it (it then records the
 * nonce as reconciled without a savepoint, ReconciliationUtils#updateLastReconciledSnapshotTriggerNonce, and emits a
 * SavepointError Event) nothing is changed and the pipeline is Ready=False. A job that is not running has no state to
 * keep beyond its last checkpoint: the change goes ahead at once, and the backup reads Skipped.
 *
 * @param hold    keep the FlinkDeployment as it is, with {@link #nonce()} as its savepoint trigger
 * @param nonce   the savepointTriggerNonce of the backup
 * @param backup  what status.backup says
 * @param problem why the change is not applied, when the backup failed
 */
public record BackupPlan(boolean hold, long nonce, Optional<Backup> backup, Optional<Problem> problem) {
    public static final String REQUESTED = "Requested";
    public static final String TAKEN = "Taken";
    public static final String SKIPPED = "Skipped";
    public static final String FAILED = "Failed";

    /** No backup: the status keeps what it says about the last one. */
    public static BackupPlan none(StreamingPipeline pipeline) {
        return new BackupPlan(false, 0, Optional.ofNullable(pipeline.getStatus()).map(status -> status.backup), Optional.empty());
    }

    public static BackupPlan of(StreamingPipeline pipeline, String desiredHash, boolean startWithoutState, FlinkObservation flink, Instant now) {
        StreamingPipelineStatus status = Optional.ofNullable(pipeline.getStatus()).orElseGet(StreamingPipelineStatus::new);
        Backup previous = status.backup;
        Optional<String> reason = discards(pipeline.getSpec(), status, desiredHash, startWithoutState);
        if (reason.isEmpty() || !flink.exists() || status.lastAppliedSpecHash == null || desiredHash.equals(status.lastAppliedSpecHash)) {
            return new BackupPlan(false, 0, Optional.ofNullable(previous), Optional.empty());
        }
        long nonce = Hashes.nonce("backup-" + desiredHash);
        Backup backup = new Backup();
        backup.reason = reason.get();
        backup.forSpecHash = desiredHash;
        backup.nonce = nonce;
        backup.time = previous != null && desiredHash.equals(previous.forSpecHash) && previous.time != null ? previous.time : now.toString();
        boolean sameChange = previous != null && desiredHash.equals(previous.forSpecHash);

        Optional<Savepoint> taken = savepointWithNonce(flink, nonce);
        if (taken.isPresent() || sameChange && TAKEN.equals(previous.step)) {
            backup.step = TAKEN;
            backup.savepoint = taken.map(Savepoint::getLocation).orElse(previous != null ? previous.savepoint : null);
            return new BackupPlan(false, nonce, Optional.of(backup), Optional.empty());
        }
        if (sameChange && SKIPPED.equals(previous.step)) {
            backup.step = SKIPPED;
            return new BackupPlan(false, nonce, Optional.of(backup), Optional.empty());
        }
        boolean requested = sameChange && REQUESTED.equals(previous.step);
        if (requested && flink.lastReconciledSpec().map(spec -> Objects.equals(spec.getJob().getSavepointTriggerNonce(), nonce)).orElse(false)) {
            backup.step = FAILED;
            return new BackupPlan(true, nonce, Optional.of(backup), Optional.of(new Problem(Reasons.BACKUP_SAVEPOINT_FAILED,
                    "The backup savepoint before " + backup.reason + " failed (see the SavepointError Event); nothing was"
                            + " changed. Change the spec again to retry, or find out why the job cannot take a savepoint")));
        }
        if (!requested && !"RUNNING".equals(flink.jobState().orElse(null))) {
            backup.step = SKIPPED;
            return new BackupPlan(false, nonce, Optional.of(backup), Optional.empty());
        }
        backup.step = REQUESTED;
        return new BackupPlan(true, nonce, Optional.of(backup), Optional.empty());
    }

    /** What in the pending change discards the running job's state, if anything. */
    static Optional<String> discards(StreamingPipelineSpec spec, StreamingPipelineStatus status, String desiredHash, boolean startWithoutState) {
        AppliedTokens applied = Optional.ofNullable(status.appliedTokens).orElseGet(AppliedTokens::new);
        if (spec.restore != null && !spec.restore.token.equals(applied.restore)) {
            return Optional.of("restore " + spec.restore.token + " from " + spec.restore.savepointPath);
        }
        OffsetResetSpec reset = spec.offsetReset;
        if (reset != null && !reset.keepState && !reset.token.equals(applied.offsetReset)) {
            return Optional.of("offset reset " + reset.token + " without state");
        }
        if (startWithoutState) {
            return Optional.of("a state-incompatible change (spec.upgrade.allowIncompatibleState)");
        }
        if (spec.upgrade.mode == UpgradeSpec.Mode.STATELESS && !desiredHash.equals(status.lastAppliedSpecHash)) {
            return Optional.of("a stateless upgrade");
        }
        return Optional.empty();
    }

    private static Optional<Savepoint> savepointWithNonce(FlinkObservation flink, long nonce) {
        return flink.recordedSavepoints()
                .filter(savepoint -> Objects.equals(savepoint.getTriggerNonce(), nonce) && savepoint.getLocation() != null)
                .findFirst();
    }
}
