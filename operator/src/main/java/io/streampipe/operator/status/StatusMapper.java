package io.streampipe.operator.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.AppliedTokens;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.flink.JobReport;
import io.streampipe.operator.plan.DeletionPlan;
import io.streampipe.operator.plan.FlinkObservation;
import io.streampipe.operator.plan.Problem;
import io.streampipe.operator.plan.RollbackPlan;
import org.apache.flink.kubernetes.operator.api.lifecycle.ResourceLifecycleState;
import org.apache.flink.kubernetes.operator.api.status.JobStatus;
import org.apache.flink.kubernetes.operator.api.status.Savepoint;
import org.apache.flink.kubernetes.operator.api.status.SavepointInfo;
import org.apache.flink.kubernetes.operator.api.status.SnapshotTriggerType;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The pipeline's status as a pure function of what was applied, the FlinkDeployment's status (lifecycle state, job
 * status, savepoint and checkpoint info, error) and the problems found before applying. The Ready, Progressing and
 * Degraded conditions are the contract; the phase is a one-word summary for humans.
 */
public final class StatusMapper {
    private static final Set<String> RESTARTING_JOB_STATES = Set.of("FAILING", "RESTARTING");

    private StatusMapper() {
    }

    /**
     * What the operator has applied (or, when blocked by a problem, had applied before): recorded in the status so that
     * the next reconcile, in this process or another, diffs against it.
     */
    public record Applied(String specHash, AppliedTokens tokens, String sourceEpoch, Integer maxParallelism,
                          StreamingPipelineStatus.ResumedFrom resumedFrom) {
        public Applied(String specHash, AppliedTokens tokens, String sourceEpoch, Integer maxParallelism) {
            this(specHash, tokens, sourceEpoch, maxParallelism, null);
        }

        public static Applied from(StreamingPipelineStatus status) {
            return status == null ? new Applied(null, new AppliedTokens(), null, null)
                    : new Applied(status.lastAppliedSpecHash, status.appliedTokens, status.sourceEpoch, status.maxParallelism,
                    status.resumedFrom);
        }
    }

    public static StreamingPipelineStatus map(StreamingPipeline pipeline, Applied applied, FlinkObservation flink,
                                              List<Problem> problems, Instant now) {
        return map(pipeline, applied, flink, Optional.empty(), Optional.empty(), Optional.empty(), problems, now);
    }

    /**
     * @param report   what the job's JobManager says (checkpoints, restarts, latest exception), when it answered
     * @param rollback the rollback in force for this generation, if the operator decided one
     * @param backup   the backup savepoint of the pending or last change that discards state
     */
    public static StreamingPipelineStatus map(StreamingPipeline pipeline, Applied applied, FlinkObservation flink,
                                              Optional<JobReport> report, Optional<StreamingPipelineStatus.Rollback> rollback,
                                              Optional<StreamingPipelineStatus.Backup> backup, List<Problem> problems, Instant now) {
        Optional<JobReport> jobReport = report.filter(r -> flink.jobStatus().map(JobStatus::getJobId).filter(r.jobId()::equals).isPresent());
        StreamingPipelineStatus previous = Optional.ofNullable(pipeline.getStatus()).orElseGet(StreamingPipelineStatus::new);
        StreamingPipelineStatus status = new StreamingPipelineStatus();
        status.observedGeneration = pipeline.getMetadata().getGeneration();
        status.flinkDeployment = flink.exists() ? PipelineResources.flinkDeploymentName(pipeline) : null;
        status.maxParallelism = applied.maxParallelism();
        status.lastAppliedSpecHash = applied.specHash();
        status.appliedTokens = applied.tokens() != null ? applied.tokens() : new AppliedTokens();
        status.sourceEpoch = applied.sourceEpoch();
        status.resumedFrom = applied.resumedFrom();
        status.job = job(flink, jobReport, previous.job);
        // Without the JobManager's answer, FKO's record of a checkpoint it triggered counts only if newer than what the
        // status holds: an older one in its place would be a write now and another at the next answer.
        status.lastCheckpoint = jobReport.flatMap(StatusMapper::lastCheckpoint)
                .or(() -> lastCheckpoint(flink).filter(checkpoint -> newer(checkpoint, previous.lastCheckpoint)))
                .orElse(previous.lastCheckpoint);
        boolean suspendWanted = pipeline.getSpec().state == StreamingPipelineSpec.State.SUSPENDED;
        status.savepointHistory = keepReasons(savepointHistory(flink, suspendWanted), previous);
        status.lastSavepoint = lastSavepoint(flink, suspendWanted).map(savepoint -> keepReason(savepoint, previous))
                .orElse(previous.lastSavepoint);
        if (status.savepointHistory.isEmpty() && !previous.savepointHistory.isEmpty()) {
            status.savepointHistory = previous.savepointHistory;
        }
        status.backup = backup.orElse(previous.backup);
        if (status.backup != null && status.backup.savepoint != null) {
            String reason = "backup before " + status.backup.reason;
            Stream.concat(Stream.ofNullable(status.lastSavepoint), status.savepointHistory.stream())
                    .filter(savepoint -> status.backup.savepoint.equals(savepoint.path) && "manual".equals(savepoint.reason))
                    .forEach(savepoint -> savepoint.reason = reason);
        }
        status.upgrade = Upgrades.upgrade(pipeline, previous, applied, flink, jobReport, now);
        status.lastUpgradeDowntime = previous.upgrade != null && status.upgrade == null && previous.upgrade.startTime != null
                ? Upgrades.downtime(previous.upgrade, now) : previous.lastUpgradeDowntime;
        status.rollback = rollback.orElse(previous.rollback);
        status.lastStable = Upgrades.lastStable(pipeline, previous, applied, flink, status.upgrade, rollback, problems);

        Optional<Instant> lastSavepointTime = Optional.ofNullable(status.lastSavepoint).map(savepoint -> savepoint.time)
                .flatMap(StatusMapper::instant);
        Summary summary = summarize(pipeline, flink, status.upgrade, jobReport, rollback, problems, lastSavepointTime, now);
        if (problems.isEmpty() && status.backup != null && "Requested".equals(status.backup.step)) {
            summary = summary.backingUp("Taking a backup savepoint before " + status.backup.reason + "; the change is applied once it is taken");
        }
        status.phase = summary.phase;
        status.message = summary.readyMessage;
        Long generation = status.observedGeneration;
        List<Condition> old = previous.conditions;
        status.conditions = new ArrayList<>(List.of(
                Conditions.of(Conditions.READY, summary.ready, summary.readyReason, summary.readyMessage, generation, old, now),
                Conditions.of(Conditions.PROGRESSING, summary.progressing, summary.progressingReason, summary.progressingMessage, generation, old, now),
                Conditions.of(Conditions.DEGRADED, summary.degraded, summary.degradedReason, summary.degradedMessage, generation, old, now)));
        return status;
    }

    /**
     * The status while a pipeline is being deleted: what it showed before, with phase Deleting and conditions saying
     * what the deletion waits for, or why it went ahead without a final savepoint.
     */
    public static StreamingPipelineStatus deleting(StreamingPipeline pipeline, DeletionPlan plan, Instant now) {
        StreamingPipelineStatus previous = Optional.ofNullable(pipeline.getStatus()).orElseGet(StreamingPipelineStatus::new);
        StreamingPipelineStatus status = Serialization.clone(previous);
        boolean timedOut = plan.step() == DeletionPlan.Step.RELEASE_AFTER_TIMEOUT;
        String reason = plan.reason();
        status.phase = "Deleting";
        status.message = plan.message();
        Long generation = pipeline.getMetadata().getGeneration();
        List<Condition> old = previous.conditions;
        status.conditions = new ArrayList<>(List.of(
                Conditions.of(Conditions.READY, false, reason, plan.message(), generation, old, now),
                Conditions.of(Conditions.PROGRESSING, !plan.releases(), plan.releases() ? reason : Reasons.FINAL_SAVEPOINT, plan.message(), generation, old, now),
                Conditions.find(old, Conditions.DEGRADED).filter(c -> !timedOut)
                        .orElseGet(() -> Conditions.of(Conditions.DEGRADED, timedOut, timedOut ? reason : Reasons.HEALTHY,
                                timedOut ? plan.message() : "No failure reported", generation, old, now))));
        return status;
    }

    /** The three conditions and the phase, before they are dressed as Kubernetes conditions. */
    private record Summary(String phase, boolean ready, String readyReason, String readyMessage,
                           boolean progressing, String progressingReason, String progressingMessage,
                           boolean degraded, String degradedReason, String degradedMessage) {
        /** The job runs as before while a backup savepoint is taken: Ready stays, Progressing says what waits. */
        Summary backingUp(String message) {
            return new Summary(phase, ready, readyReason, readyMessage, true, Reasons.BACKING_UP, message, degraded, degradedReason,
                    degradedMessage);
        }
    }

    private static Summary summarize(StreamingPipeline pipeline, FlinkObservation flink, StreamingPipelineStatus.Upgrade upgrade,
                                     Optional<JobReport> report, Optional<StreamingPipelineStatus.Rollback> rollback,
                                     List<Problem> problems, Optional<Instant> lastSavepoint, Instant now) {
        boolean upgrading = upgrade != null;
        String name = PipelineResources.qualifiedName(pipeline);
        ResourceLifecycleState lifecycle = flink.lifecycleState().orElse(null);
        String jobState = flink.jobState().orElse(null);
        boolean suspendWanted = pipeline.getSpec().state == StreamingPipelineSpec.State.SUSPENDED;
        boolean reconciled = flink.currentSpecReconciled();
        // Our change is on the FlinkDeployment, but the Flink operator has not taken it in yet: the job runs as before.
        boolean pending = flink.exists() && !flink.generationObserved() && !flink.neverDeployedAndSuspended();

        boolean degraded = false;
        String degradedReason = Reasons.HEALTHY;
        String degradedMessage = "No failure reported by the Flink Kubernetes Operator";
        if (lifecycle == ResourceLifecycleState.FAILED || "FAILED".equals(jobState)) {
            degraded = true;
            degradedReason = Reasons.JOB_FAILED;
            degradedMessage = "Flink job failed" + flink.error().map(e -> ": " + errorMessage(e)).orElse("");
        } else if (lifecycle == ResourceLifecycleState.ROLLED_BACK) {
            degraded = true;
            degradedReason = Reasons.ROLLED_BACK;
            degradedMessage = "The Flink Kubernetes Operator rolled the job back to the last stable spec";
        } else if (restarting(jobState)) {
            degraded = true;
            degradedReason = Reasons.JOB_RESTARTING;
            degradedMessage = "Flink job is " + jobState.toLowerCase() + report.flatMap(JobReport::latestException)
                    .or(() -> flink.error().map(StatusMapper::errorMessage)).map(e -> ": " + e).orElse("");
        } else if ("RUNNING".equals(jobState) && report.filter(StatusMapper::restartLoop).isPresent()) {
            // FKO may observe the job between two restarts: RUNNING, but it has not completed a checkpoint since it last failed.
            JobReport job = report.get();
            degraded = true;
            degradedReason = Reasons.JOB_RESTARTING;
            degradedMessage = "Flink job restarted " + job.restarts() + " times and has not completed a checkpoint since it last failed"
                    + job.latestException().map(e -> ": " + e).orElse("");
        } else if (rollback.isPresent()) {
            degraded = true;
            degradedReason = Reasons.ROLLED_BACK;
            degradedMessage = rollback.get().reason;
        } else if (upgrade != null && RollbackPlan.timedOut(pipeline, upgrade, now)) {
            degraded = true;
            degradedReason = Reasons.UPGRADE_TIMED_OUT;
            degradedMessage = "The upgrade to generation " + upgrade.generation + " is not stable after "
                    + RollbackPlan.timeoutDescription(pipeline, upgrade) + ": " + Upgrades.stabilityShortfall(pipeline, flink, report)
                    + (pipeline.getSpec().upgrade.rollbackOnFailure && !RollbackPlan.impossible(pipeline, upgrade).isEmpty()
                    ? "; no rollback: " + RollbackPlan.impossible(pipeline, upgrade) : "");
        } else if ("RUNNING".equals(jobState) && report.filter(JobReport::checkpointsFailing).isPresent()) {
            degraded = true;
            degradedReason = Reasons.CHECKPOINT_FAILING;
            JobReport.FailedCheckpoint failure = report.get().latestFailure().get();
            degradedMessage = "Checkpoint " + failure.id() + " failed at " + failure.failed() + ": " + failure.message();
        } else if ("RUNNING".equals(jobState) && report.filter(r -> r.savepointFailedSince(lastSavepoint)).isPresent()) {
            degraded = true;
            degradedReason = Reasons.SAVEPOINT_FAILED;
            JobReport.FailedCheckpoint failure = report.get().latestFailure().get();
            degradedMessage = "Savepoint " + failure.id() + " failed at " + failure.failed() + ": " + failure.message()
                    + "; the job runs on, and the newest savepoint is " + lastSavepoint.map(Instant::toString).orElse("none")
                    + (upgrading ? "; the Flink operator retries the upgrade's savepoint"
                    : "; once the cause is fixed, take another (spec.savepoints.triggerToken)");
        } else if (flink.error().isPresent()) {
            degraded = true;
            degradedReason = Reasons.FLINK_DEPLOYMENT_ERROR;
            degradedMessage = errorMessage(flink.error().get());
        }

        String phase;
        String reason;
        String message;
        if (!flink.exists()) {
            phase = "Pending";
            reason = Reasons.DEPLOYING;
            message = "FlinkDeployment " + name + " does not exist yet";
        } else if (suspendWanted && (lifecycle == ResourceLifecycleState.SUSPENDED || reconciled && !"RUNNING".equals(jobState)
                || flink.neverDeployedAndSuspended())) {
            phase = "Suspended";
            reason = Reasons.SUSPENDED;
            message = "Job is suspended as requested by spec.state";
        } else if (degradedReason.equals(Reasons.JOB_FAILED)) {
            phase = "Failed";
            reason = Reasons.JOB_FAILED;
            message = degradedMessage;
        } else if (rollback.isPresent() && (reconciled || pending) && "RUNNING".equals(jobState)
                && lifecycle != ResourceLifecycleState.UPGRADING) {
            phase = Reasons.ROLLED_BACK;
            reason = Reasons.ROLLED_BACK;
            message = degradedMessage;
        } else if ((reconciled || pending) && ("RUNNING".equals(jobState) || restarting(jobState))
                && lifecycle != ResourceLifecycleState.UPGRADING) {
            phase = "Running";
            reason = degraded ? degradedReason : Reasons.RUNNING;
            message = degraded ? degradedMessage : "Job " + flink.jobStatus().map(JobStatus::getJobId).orElse("?") + " is running";
        } else if ((upgrading || lifecycle == ResourceLifecycleState.UPGRADING || lifecycle == ResourceLifecycleState.ROLLING_BACK)
                && !flink.firstDeploymentInProgress()) {
            phase = "Upgrading";
            reason = Reasons.UPGRADING;
            message = "Flink is applying the new spec to " + name;
        } else {
            phase = "Deploying";
            reason = Reasons.DEPLOYING;
            message = "Flink is deploying " + name;
        }

        if (!problems.isEmpty()) {
            String problemMessage = problems.stream().map(Problem::message).collect(Collectors.joining("; "));
            return new Summary(phase, false, problems.get(0).reason(), problemMessage,
                    false, problems.get(0).reason(), "Waiting for the spec to be fixed: " + problemMessage,
                    degraded, degradedReason, degradedMessage);
        }
        boolean ready = phase.equals("Running") && "RUNNING".equals(jobState) && !degraded;
        boolean specApplied = phase.equals("Running") && pending;
        boolean progressing = phase.equals("Pending") || phase.equals("Deploying") || phase.equals("Upgrading") || specApplied;
        String progressingReason = specApplied ? Reasons.SPEC_APPLIED : progressing ? reason : phase.equals("Running") ? Reasons.STABLE : reason;
        String progressingMessage = specApplied
                ? "FlinkDeployment " + name + " has changed; the Flink Kubernetes Operator has not acted on it yet"
                : progressing ? message : phase.equals("Running") ? "The running job matches the spec" : message;
        return new Summary(phase, ready, reason, message, progressing, progressingReason, progressingMessage,
                degraded, degradedReason, degradedMessage);
    }

    private static boolean restarting(String jobState) {
        return jobState != null && RESTARTING_JOB_STATES.contains(jobState);
    }

    private static StreamingPipelineStatus.Job job(FlinkObservation flink, Optional<JobReport> report, StreamingPipelineStatus.Job previousJob) {
        return flink.jobStatus().filter(job -> job.getJobId() != null || job.getState() != null).map(observed -> {
            StreamingPipelineStatus.Job job = new StreamingPipelineStatus.Job();
            job.id = observed.getJobId();
            job.state = observed.getState() == null ? null : observed.getState().name();
            // Until FKO observes a newly submitted job (RECONCILING), startTime is still the previous job's.
            job.startTime = observed.getState() == org.apache.flink.api.common.JobStatus.RECONCILING ? null
                    : epochMillis(observed.getStartTime());
            if ("RUNNING".equals(job.state)) {
                job.parallelism = flink.lastReconciledSpec().map(spec -> spec.getJob().getParallelism()).orElse(null);
            }
            report.ifPresent(r -> {
                job.restarts = r.restarts();
                job.lastException = r.latestException().orElse(null);
            });
            if (report.isEmpty() && previousJob != null && job.id != null && job.id.equals(previousJob.id)) {
                // The same job, between two answers of its JobManager: what it said last still holds.
                job.restarts = previousJob.restarts;
                job.lastException = previousJob.lastException;
            }
            return job;
        }).orElse(null);
    }

    private static Optional<StreamingPipelineStatus.Checkpoint> lastCheckpoint(JobReport report) {
        return report.latestCheckpoint().map(observed -> {
            StreamingPipelineStatus.Checkpoint checkpoint = new StreamingPipelineStatus.Checkpoint();
            checkpoint.id = observed.id();
            checkpoint.time = observed.completed().toString();
            checkpoint.path = observed.path().orElse(null);
            checkpoint.duration = seconds(observed.duration());
            checkpoint.sizeBytes = observed.sizeBytes();
            checkpoint.completedSinceStart = report.completedCheckpoints();
            return checkpoint;
        });
    }

    private static String seconds(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString() + "s";
    }

    private static Optional<StreamingPipelineStatus.Checkpoint> lastCheckpoint(FlinkObservation flink) {
        return flink.jobStatus().map(JobStatus::getCheckpointInfo)
                .map(info -> info.getLastCheckpoint())
                .filter(checkpoint -> checkpoint.getTimeStamp() > 0)
                .map(observed -> {
                    StreamingPipelineStatus.Checkpoint checkpoint = new StreamingPipelineStatus.Checkpoint();
                    checkpoint.time = Instant.ofEpochMilli(observed.getTimeStamp()).toString();
                    return checkpoint;
                });
    }

    private static boolean newer(StreamingPipelineStatus.Checkpoint checkpoint, StreamingPipelineStatus.Checkpoint than) {
        Optional<Instant> known = Optional.ofNullable(than).map(c -> c.time).flatMap(StatusMapper::instant);
        return known.isEmpty() || instant(checkpoint.time).filter(time -> time.isAfter(known.get())).isPresent();
    }

    private static Optional<StreamingPipelineStatus.Savepoint> lastSavepoint(FlinkObservation flink, boolean suspendWanted) {
        return flink.lastSavepoint().map(savepoint -> savepoint(savepoint, suspendWanted));
    }

    /**
     * Every savepoint the Flink operator's history holds, newest first. It prunes to {@code savepoints.retain} itself
     * (the history's max count and age are written from it) and, since 1.15, removes an entry only once it has
     * disposed of the savepoint (SnapshotObserver.cleanupSavepointHistoryLegacy): one it could not dispose stays, and
     * so stays here, beyond the retained count, for as long as its files are there.
     */
    private static List<StreamingPipelineStatus.Savepoint> savepointHistory(FlinkObservation flink, boolean suspendWanted) {
        List<Savepoint> history = flink.jobStatus().map(JobStatus::getSavepointInfo)
                .map(SavepointInfo::getSavepointHistory).orElse(List.of());
        List<StreamingPipelineStatus.Savepoint> newestFirst = new ArrayList<>();
        for (int i = history.size() - 1; i >= 0; i--) {
            if (history.get(i).getLocation() != null) {
                newestFirst.add(savepoint(history.get(i), suspendWanted));
            }
        }
        return newestFirst;
    }

    /**
     * FKO records an upgrade's and a suspend's savepoint alike (trigger type UPGRADE); which one it was is decided from
     * the spec when the savepoint is first seen, and kept: a later suspend or resume does not relabel it.
     */
    private static List<StreamingPipelineStatus.Savepoint> keepReasons(List<StreamingPipelineStatus.Savepoint> history,
                                                                     StreamingPipelineStatus previous) {
        return history.stream().map(savepoint -> keepReason(savepoint, previous)).toList();
    }

    private static StreamingPipelineStatus.Savepoint keepReason(StreamingPipelineStatus.Savepoint savepoint, StreamingPipelineStatus previous) {
        Stream<StreamingPipelineStatus.Savepoint> known = Stream.concat(Stream.ofNullable(previous.lastSavepoint),
                previous.savepointHistory == null ? Stream.empty() : previous.savepointHistory.stream());
        known.filter(seen -> Objects.equals(seen.path, savepoint.path) && seen.reason != null).findFirst()
                .ifPresent(seen -> savepoint.reason = seen.reason);
        return savepoint;
    }

    private static StreamingPipelineStatus.Savepoint savepoint(Savepoint observed, boolean suspendWanted) {
        StreamingPipelineStatus.Savepoint savepoint = new StreamingPipelineStatus.Savepoint();
        savepoint.path = observed.getLocation();
        savepoint.time = observed.getTimeStamp() > 0 ? Instant.ofEpochMilli(observed.getTimeStamp()).toString() : null;
        SnapshotTriggerType trigger = observed.getTriggerType();
        savepoint.reason = trigger == null ? "unknown" : switch (trigger) {
            case UPGRADE -> suspendWanted ? "suspend" : "upgrade";
            case PERIODIC -> "periodic";
            case MANUAL -> "manual";
            case UNKNOWN -> "unknown";
        };
        return savepoint;
    }

    /** A job that restarted and has not completed a checkpoint since its latest failure. */
    private static boolean restartLoop(JobReport report) {
        return report.restarts() > 0 && report.latestException().isPresent()
                && report.latestCheckpoint().isEmpty();
    }

    /** Why the job does not count as stable yet, for a human (a rollback's reason says it). */
    public static String stabilityShortfall(StreamingPipeline pipeline, FlinkObservation flink, Optional<JobReport> report) {
        return Upgrades.stabilityShortfall(pipeline, flink, report);
    }

    /** The Flink operator writes errors as JSON ({"type":..., "message":...}); the message is what a human needs. */
    static String errorMessage(String error) {
        try {
            JsonNode json = Serialization.jsonMapper().readTree(error);
            if (json.hasNonNull("message")) {
                return json.get("message").asText();
            }
        } catch (Exception notJson) {
            // A plain-text error is its own message.
        }
        return error;
    }

    static String epochMillis(String millis) {
        if (millis == null || millis.isBlank()) {
            return null;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(millis)).toString();
        } catch (NumberFormatException notMillis) {
            return millis;
        }
    }

    private static Optional<Instant> instant(String text) {
        try {
            return Optional.of(Instant.parse(text));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
