package io.streampipe.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The Kubernetes Events a status transition deserves: one per change a human would want to see in {@code kubectl describe}. */
public final class StatusEvents {
    private StatusEvents() {
    }

    /** An Event to emit on the pipeline; {@code warning} for problems and failures. */
    public record PipelineEvent(boolean warning, String reason, String message) {
    }

    public static List<PipelineEvent> between(StreamingPipelineStatus before, StreamingPipelineStatus after) {
        StreamingPipelineStatus old = before == null ? new StreamingPipelineStatus() : before;
        List<PipelineEvent> events = new ArrayList<>();
        Optional<Condition> oldReady = Conditions.find(old.conditions, Conditions.READY);
        Optional<Condition> newReady = Conditions.find(after.conditions, Conditions.READY);
        boolean readyChanged = newReady.isPresent() && (oldReady.isEmpty()
                || !Objects.equals(oldReady.get().getStatus(), newReady.get().getStatus())
                || !Objects.equals(oldReady.get().getReason(), newReady.get().getReason()));
        if (readyChanged) {
            Condition ready = newReady.get();
            boolean warning = "False".equals(ready.getStatus()) && Reasons.isProblem(ready.getReason());
            events.add(new PipelineEvent(warning, ready.getReason(), ready.getMessage()));
        }
        Optional<Condition> newDegraded = Conditions.find(after.conditions, Conditions.DEGRADED);
        boolean sameAsReady = newDegraded.isPresent() && readyChanged
                && newDegraded.get().getReason().equals(newReady.get().getReason());
        if (newDegraded.isPresent() && "True".equals(newDegraded.get().getStatus())
                && !Conditions.isTrue(old.conditions, Conditions.DEGRADED) && !sameAsReady) {
            events.add(new PipelineEvent(true, newDegraded.get().getReason(), newDegraded.get().getMessage()));
        }
        if (!Objects.equals(old.phase, after.phase) && !readyChanged) {
            events.add(new PipelineEvent(false, after.phase, "Phase changed from " + Objects.requireNonNullElse(old.phase, "none")
                    + " to " + after.phase));
        }
        if (after.lastSavepoint != null && after.lastSavepoint.path != null
                && (old.lastSavepoint == null || !after.lastSavepoint.path.equals(old.lastSavepoint.path))) {
            events.add(new PipelineEvent(false, Reasons.SAVEPOINT_COMPLETED,
                    "Completed " + after.lastSavepoint.reason + " savepoint " + after.lastSavepoint.path));
        }
        if (after.upgrade != null && after.upgrade.fallback != null && (old.upgrade == null || old.upgrade.fallback == null)) {
            events.add(new PipelineEvent(true, Reasons.UPGRADE_FROM_CHECKPOINT, "Upgrade to generation " + after.upgrade.generation
                    + ": " + after.upgrade.fallback));
        }
        if (after.backup != null && "Taken".equals(after.backup.step) && after.backup.savepoint != null
                && (old.backup == null || !after.backup.savepoint.equals(old.backup.savepoint))) {
            events.add(new PipelineEvent(false, Reasons.BACKUP_SAVEPOINT, "Took backup savepoint " + after.backup.savepoint
                    + " before " + after.backup.reason));
        }
        if (after.resumedFrom != null && old.resumedFrom == null) {
            events.add(new PipelineEvent(false, Reasons.RESUMED_FROM_FINAL_SAVEPOINT, "Starting from savepoint "
                    + after.resumedFrom.savepoint + ", the final savepoint of the deleted pipeline recorded in ConfigMap "
                    + after.resumedFrom.record));
        }
        if (after.plan != null && after.plan.warning != null && (old.plan == null
                || !Objects.equals(old.plan.generation, after.plan.generation) || !Objects.equals(old.plan.warning, after.plan.warning))) {
            events.add(new PipelineEvent(true, Reasons.TRANSACTION_TIMEOUT_RISK, "Generation " + after.plan.generation + " ("
                    + after.plan.action + "): " + after.plan.warning));
        }
        tokenApplied(events, Reasons.SAVEPOINT_TRIGGERED, "savepoints.triggerToken", tokens(old).savepoint, tokens(after).savepoint);
        tokenApplied(events, Reasons.OFFSET_RESET_APPLIED, "offsetReset.token", tokens(old).offsetReset, tokens(after).offsetReset);
        tokenApplied(events, Reasons.RESTORE_APPLIED, "restore.token", tokens(old).restore, tokens(after).restore);
        return events;
    }

    private static void tokenApplied(List<PipelineEvent> events, String reason, String field, String before, String after) {
        if (after != null && !after.equals(before)) {
            events.add(new PipelineEvent(false, reason, "Applied " + field + " '" + after + "'"));
        }
    }

    private static StreamingPipelineStatus.AppliedTokens tokens(StreamingPipelineStatus status) {
        return status.appliedTokens == null ? new StreamingPipelineStatus.AppliedTokens() : status.appliedTokens;
    }

}
