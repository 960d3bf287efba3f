package io.streampipe.operator.status;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.operator.flink.JobReport;
import io.streampipe.operator.plan.FlinkObservation;
import io.streampipe.operator.plan.Problem;
import io.streampipe.operator.status.StatusMapper.Applied;
import org.apache.flink.kubernetes.operator.api.lifecycle.ResourceLifecycleState;
import org.apache.flink.kubernetes.operator.api.status.JobStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An upgrade's course in the status: when it starts (the applied spec hash changes), when it is done (the new job is
 * stable), what it cost, and the spec that ran stable, which a rollback returns to.
 */
final class Upgrades {
    private Upgrades() {
    }

    /**
     * An upgrade starts when the applied spec hash changes on an existing deployment, and ends when Flink runs it and
     * the job is stable: RUNNING, {@code spec.upgrade.stableCheckpoints} checkpoints completed since it started, no
     * restart. FKO 1.10+ counts a job stable as soon as it is seen RUNNING (AbstractFlinkResourceReconciler); that is
     * not enough to call an upgrade done. Without a report from the JobManager, RUNNING is all that can be known.
     */
    static StreamingPipelineStatus.Upgrade upgrade(StreamingPipeline pipeline, StreamingPipelineStatus previous,
                                                           Applied applied, FlinkObservation flink, Optional<JobReport> report,
                                                           Instant now) {
        StreamingPipelineStatus.Upgrade upgrade = null;
        if (flink.exists() && previous.lastAppliedSpecHash != null && !previous.lastAppliedSpecHash.equals(applied.specHash())) {
            upgrade = new StreamingPipelineStatus.Upgrade();
            upgrade.from = previous.lastAppliedSpecHash;
            upgrade.to = applied.specHash();
            upgrade.startTime = now.toString();
            upgrade.generation = pipeline.getMetadata().getGeneration();
        } else if (previous.upgrade != null && Objects.equals(previous.upgrade.to, applied.specHash())) {
            upgrade = new StreamingPipelineStatus.Upgrade();
            upgrade.from = previous.upgrade.from;
            upgrade.to = previous.upgrade.to;
            upgrade.savepoint = previous.upgrade.savepoint;
            upgrade.startTime = previous.upgrade.startTime != null ? previous.upgrade.startTime : now.toString();
            upgrade.deployTime = previous.upgrade.deployTime;
            upgrade.runningTime = previous.upgrade.runningTime;
            upgrade.generation = previous.upgrade.generation != null ? previous.upgrade.generation : pipeline.getMetadata().getGeneration();
        }
        if (upgrade == null) {
            return null;
        }
        boolean running = runningAsApplied(flink, applied);
        if (running && upgrade.runningTime == null) {
            upgrade.runningTime = now.toString();
        }
        // From when FKO takes the spec (the old job has stopped), the upgrade is FKO's deployment of the new one.
        boolean flinkHasIt = flink.tookSpec(applied.specHash());
        if (flinkHasIt && upgrade.deployTime == null) {
            upgrade.deployTime = now.toString();
        }
        boolean suspended = flink.currentSpecReconciled() && flink.lifecycleState().orElse(null) == ResourceLifecycleState.SUSPENDED;
        if (suspended || running && stable(pipeline, report)) {
            return null;
        }
        upgrade.savepoint = flink.upgradeSavepoint(applied.specHash()).orElse(upgrade.savepoint);
        if (pipeline.getSpec().upgrade.mode == io.streampipe.api.v1alpha1.UpgradeSpec.Mode.SAVEPOINT && upgrade.savepoint != null
                && !flink.isSavepoint(upgrade.savepoint)) {
            // AbstractJobReconciler#getJobUpgrade: savepoint mode on a job that is not RUNNING falls back to last-state
            // (kubernetes.operator.job.upgrade.last-state-fallback.enabled), restoring the latest checkpoint.
            upgrade.fallback = "the job was " + flink.jobState().orElse("not running").toLowerCase()
                    + " when the upgrade began, so no savepoint could be taken: the new job restores the latest checkpoint "
                    + upgrade.savepoint + " (the Flink operator's last-state fallback)";
        }
        upgrade.step = running ? "Stabilizing" : !flinkHasIt ? "SpecApplied"
                : flink.lifecycleState().map(state -> state == ResourceLifecycleState.UPGRADING ? "Upgrading" : "Deploying").orElse("Deploying");
        return upgrade;
    }

    /** From the spec change until the new job was seen running (or until now, when it ended unseen). */
    static String downtime(StreamingPipelineStatus.Upgrade upgrade, Instant now) {
        Instant end = upgrade.runningTime != null ? Instant.parse(upgrade.runningTime) : now;
        return Duration.between(Instant.parse(upgrade.startTime), end).toSeconds() + "s";
    }

    /** The job runs, and it is the one of the applied desired state (not the FlinkDeployment before it was written). */
    static boolean runningAsApplied(FlinkObservation flink, Applied applied) {
        return flink.specHash().map(hash -> hash.equals(applied.specHash())).orElse(true) && flink.currentSpecReconciled() && "RUNNING".equals(flink.jobState().orElse(null))
                && flink.lifecycleState().map(state -> state == ResourceLifecycleState.STABLE || state == ResourceLifecycleState.DEPLOYED)
                .orElse(false);
    }

    private static boolean stable(StreamingPipeline pipeline, Optional<JobReport> report) {
        return report.map(job -> job.restarts() == 0 && job.completedCheckpoints() >= pipeline.getSpec().upgrade.stableCheckpoints)
                .orElse(true);
    }


    /** Why a job does not count as stable yet, for a human. */
    public static String stabilityShortfall(StreamingPipeline pipeline, FlinkObservation flink, Optional<JobReport> report) {
        String state = flink.jobState().orElse("not running");
        if (!"RUNNING".equals(state)) {
            // Between restarts FKO may see the job RECONCILING or CREATED, when its JobManager has no report: the last
            // exception it reported is still the reason.
            Optional<String> jobId = flink.jobStatus().map(JobStatus::getJobId);
            Optional<String> lastKnown = Optional.ofNullable(pipeline.getStatus()).map(status -> status.job)
                    .filter(job -> job.id != null && jobId.filter(job.id::equals).isPresent()).map(job -> job.lastException);
            return "the job is " + state.toLowerCase().replace('_', ' ')
                    + report.flatMap(JobReport::latestException).or(() -> flink.error().map(StatusMapper::errorMessage))
                    .or(() -> lastKnown).map(e -> " (" + e + ")").orElse("");
        }
        if (flink.exists() && !flink.generationObserved()) {
            // The Flink operator's reconcile of the new spec failed before it deployed it (e.g. the stop-with-savepoint
            // of the old job did not complete): ReconciliationUtils.toErrorStatusUpdateControl records the error and
            // leaves observedGeneration where it was. The job that runs, and its checkpoints, are the previous one's.
            return "the Flink Kubernetes Operator has not applied generation " + flink.deployment().getMetadata().getGeneration()
                    + " of FlinkDeployment " + flink.deployment().getMetadata().getName() + ", the previous job runs on"
                    + flink.error().map(StatusMapper::errorMessage).map(e -> " (" + e + ")").orElse("");
        }
        return report.map(job -> job.restarts() > 0
                        ? "the job restarted " + job.restarts() + " times" + job.latestException().map(e -> " (" + e + ")").orElse("")
                        : "the job completed " + job.completedCheckpoints() + " of " + pipeline.getSpec().upgrade.stableCheckpoints
                        + " checkpoints")
                .orElse("the job is running");
    }

    /**
     * The spec a rollback returns to: recorded when a spec runs stable (an upgrade ends, or a first deployment is
     * stable), kept otherwise.
     */
    static StreamingPipelineStatus.StableSpec lastStable(StreamingPipeline pipeline, StreamingPipelineStatus previous,
                                                                 Applied applied, FlinkObservation flink,
                                                                 StreamingPipelineStatus.Upgrade upgrade,
                                                                 Optional<StreamingPipelineStatus.Rollback> rollback,
                                                                 List<Problem> problems) {
        boolean stableNow = upgrade == null && problems.isEmpty() && runningAsApplied(flink, applied) && rollback.isEmpty()
                && (previous.upgrade != null || previous.lastStable == null);
        if (!stableNow || applied.specHash() == null) {
            return previous.lastStable;
        }
        StreamingPipelineStatus.StableSpec stable = new StreamingPipelineStatus.StableSpec();
        stable.generation = pipeline.getMetadata().getGeneration();
        stable.specHash = applied.specHash();
        stable.sourceEpoch = applied.sourceEpoch();
        stable.spec = Serialization.asJson(pipeline.getSpec());
        return stable;
    }
}
