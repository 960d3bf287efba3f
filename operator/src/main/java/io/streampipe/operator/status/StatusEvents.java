package io.streampipe.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Kubernetes Events a reconcile deserves: one per change a human would want to see in {@code kubectl describe}. What
 * the reconcile created or updated is told in the Event of the Ready (or phase) change it caused, or else in one
 * Created or Updated Event, never one per child: a new pipeline gets a single Event ("Created ConfigMap … and
 * FlinkDeployment … for generation 1; Flink is deploying …"), where it once got four; Events were 40 % of the operator's
 * writes at creation (e2e/bench/README.md, issue 15).
 */
public final class StatusEvents {
    private StatusEvents() {
    }

    /** An Event to emit on the pipeline; {@code warning} for problems and failures. */
    public record PipelineEvent(boolean warning, String reason, String message) {
    }

    /** A child one reconcile wrote: {@code verb} is {@link Reasons#CREATED} or {@link Reasons#UPDATED}. */
    public record Change(String verb, String kind, String namespace, String name) {
        public String describe() {
            return verb + " " + kind + " " + namespace + "/" + name;
        }
    }

    public static List<PipelineEvent> between(StreamingPipelineStatus before, StreamingPipelineStatus after) {
        return of(before, after, List.of());
    }

    /**
     * @param before  the status the reconcile started from (not the one it wrote before applying: that one is only
     *                what a restarted operator resumes from, and lasts for the apply)
     * @param after   the status it ended with
     * @param changes the children it created or updated, in the order it wrote them
     */
    public static List<PipelineEvent> of(StreamingPipelineStatus before, StreamingPipelineStatus after, List<Change> changes) {
        String applied = changes.isEmpty() ? null : applied(changes, after.observedGeneration);
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
            events.add(new PipelineEvent(warning, ready.getReason(), withApplied(applied, ready.getMessage())));
        }
        Optional<Condition> newDegraded = Conditions.find(after.conditions, Conditions.DEGRADED);
        boolean sameAsReady = newDegraded.isPresent() && readyChanged
                && newDegraded.get().getReason().equals(newReady.get().getReason());
        if (newDegraded.isPresent() && "True".equals(newDegraded.get().getStatus())
                && !Conditions.isTrue(old.conditions, Conditions.DEGRADED) && !sameAsReady) {
            events.add(new PipelineEvent(true, newDegraded.get().getReason(), newDegraded.get().getMessage()));
        }
        boolean phaseChanged = !Objects.equals(old.phase, after.phase) && !readyChanged;
        if (phaseChanged) {
            events.add(new PipelineEvent(false, after.phase, withApplied(applied, "Phase changed from "
                    + Objects.requireNonNullElse(old.phase, "none") + " to " + after.phase)));
        }
        if (applied != null && !readyChanged && !phaseChanged) {
            boolean updated = changes.stream().anyMatch(change -> Reasons.UPDATED.equals(change.verb()));
            events.add(0, new PipelineEvent(false, updated ? Reasons.UPDATED : Reasons.CREATED, applied));
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

    /** "Created ConfigMap a/x-job-1 and FlinkDeployment a/x for generation 1": each verb once, its objects listed. */
    static String applied(List<Change> changes, Long generation) {
        Map<String, List<String>> byVerb = new LinkedHashMap<>();
        changes.forEach(change -> byVerb.computeIfAbsent(change.verb(), verb -> new ArrayList<>())
                .add(change.kind() + " " + change.namespace() + "/" + change.name()));
        List<String> clauses = new ArrayList<>();
        byVerb.forEach((verb, objects) -> clauses.add((clauses.isEmpty() ? verb : verb.toLowerCase(Locale.ROOT)) + " " + list(objects)));
        return list(clauses) + (generation == null ? "" : " for generation " + generation);
    }

    private static String list(List<String> items) {
        return items.size() == 1 ? items.get(0)
                : String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.get(items.size() - 1);
    }

    private static String withApplied(String applied, String message) {
        return applied == null ? message : applied + "; " + message;
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
