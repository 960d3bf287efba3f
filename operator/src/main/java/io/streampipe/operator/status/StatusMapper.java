package io.streampipe.operator.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.AppliedTokens;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.plan.DeletionPlan;
import io.streampipe.operator.plan.FlinkObservation;
import io.streampipe.operator.plan.Problem;
import org.apache.flink.kubernetes.operator.api.lifecycle.ResourceLifecycleState;
import org.apache.flink.kubernetes.operator.api.status.JobStatus;
import org.apache.flink.kubernetes.operator.api.status.Savepoint;
import org.apache.flink.kubernetes.operator.api.status.SavepointInfo;
import org.apache.flink.kubernetes.operator.api.status.SnapshotTriggerType;

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
    public record Applied(String specHash, AppliedTokens tokens, String sourceEpoch, Integer maxParallelism) {
        public static Applied from(StreamingPipelineStatus status) {
            return status == null ? new Applied(null, new AppliedTokens(), null, null)
                    : new Applied(status.lastAppliedSpecHash, status.appliedTokens, status.sourceEpoch, status.maxParallelism);
        }
    }

    public static StreamingPipelineStatus map(StreamingPipeline pipeline, Applied applied, FlinkObservation flink,
                                              List<Problem> problems, Instant now) {
        StreamingPipelineStatus previous = Optional.ofNullable(pipeline.getStatus()).orElseGet(StreamingPipelineStatus::new);
        StreamingPipelineStatus status = new StreamingPipelineStatus();
        status.observedGeneration = pipeline.getMetadata().getGeneration();
        status.flinkDeployment = flink.exists() ? PipelineResources.flinkDeploymentName(pipeline) : null;
        status.maxParallelism = applied.maxParallelism();
        status.lastAppliedSpecHash = applied.specHash();
        status.appliedTokens = applied.tokens() != null ? applied.tokens() : new AppliedTokens();
        status.sourceEpoch = applied.sourceEpoch();
        status.job = job(flink);
        status.lastCheckpoint = lastCheckpoint(flink).orElse(previous.lastCheckpoint);
        boolean suspendWanted = pipeline.getSpec().state == StreamingPipelineSpec.State.SUSPENDED;
        status.savepointHistory = keepReasons(savepointHistory(flink, suspendWanted, pipeline.getSpec().savepoints.retain.count), previous);
        status.lastSavepoint = lastSavepoint(flink, suspendWanted).map(savepoint -> keepReason(savepoint, previous))
                .orElse(previous.lastSavepoint);
        if (status.savepointHistory.isEmpty() && !previous.savepointHistory.isEmpty()) {
            status.savepointHistory = previous.savepointHistory;
        }
        status.upgrade = upgrade(previous, applied, flink);

        Summary summary = summarize(pipeline, flink, status.upgrade != null, problems);
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
    }

    private static Summary summarize(StreamingPipeline pipeline, FlinkObservation flink, boolean upgrading, List<Problem> problems) {
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
            degradedMessage = "Flink job is " + jobState.toLowerCase() + flink.error().map(e -> ": " + errorMessage(e)).orElse("");
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

    private static StreamingPipelineStatus.Job job(FlinkObservation flink) {
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
            return job;
        }).orElse(null);
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

    private static Optional<StreamingPipelineStatus.Savepoint> lastSavepoint(FlinkObservation flink, boolean suspendWanted) {
        return flink.lastSavepoint().map(savepoint -> savepoint(savepoint, suspendWanted));
    }

    private static List<StreamingPipelineStatus.Savepoint> savepointHistory(FlinkObservation flink, boolean suspendWanted, int retain) {
        List<Savepoint> history = flink.jobStatus().map(JobStatus::getSavepointInfo)
                .map(SavepointInfo::getSavepointHistory).orElse(List.of());
        List<StreamingPipelineStatus.Savepoint> newestFirst = new ArrayList<>();
        for (int i = history.size() - 1; i >= 0 && newestFirst.size() < retain; i--) {
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

    /** An upgrade starts when the applied spec hash changes on an existing deployment and ends when Flink runs it. */
    private static StreamingPipelineStatus.Upgrade upgrade(StreamingPipelineStatus previous, Applied applied, FlinkObservation flink) {
        StreamingPipelineStatus.Upgrade upgrade = null;
        if (flink.exists() && previous.lastAppliedSpecHash != null && !previous.lastAppliedSpecHash.equals(applied.specHash())) {
            upgrade = new StreamingPipelineStatus.Upgrade();
            upgrade.from = previous.lastAppliedSpecHash;
            upgrade.to = applied.specHash();
        } else if (previous.upgrade != null && Objects.equals(previous.upgrade.to, applied.specHash())) {
            upgrade = new StreamingPipelineStatus.Upgrade();
            upgrade.from = previous.upgrade.from;
            upgrade.to = previous.upgrade.to;
            upgrade.savepoint = previous.upgrade.savepoint;
        }
        if (upgrade == null) {
            return null;
        }
        boolean running = flink.currentSpecReconciled() && "RUNNING".equals(flink.jobState().orElse(null))
                && flink.lifecycleState().map(state -> state == ResourceLifecycleState.STABLE || state == ResourceLifecycleState.DEPLOYED)
                .orElse(false);
        boolean suspended = flink.currentSpecReconciled() && flink.lifecycleState().orElse(null) == ResourceLifecycleState.SUSPENDED;
        if (running || suspended) {
            return null;
        }
        upgrade.savepoint = flink.jobStatus().map(JobStatus::getUpgradeSavepointPath).orElse(upgrade.savepoint);
        upgrade.step = !flink.generationObserved() ? "SpecApplied"
                : flink.lifecycleState().map(state -> state == ResourceLifecycleState.UPGRADING ? "Upgrading" : "Deploying").orElse("Deploying");
        return upgrade;
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

    private static String epochMillis(String millis) {
        if (millis == null || millis.isBlank()) {
            return null;
        }
        try {
            return Instant.ofEpochMilli(Long.parseLong(millis)).toString();
        } catch (NumberFormatException notMillis) {
            return millis;
        }
    }
}
