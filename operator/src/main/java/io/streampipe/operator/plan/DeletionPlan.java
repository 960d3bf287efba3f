package io.streampipe.operator.plan;

import io.streampipe.api.Durations;
import io.streampipe.api.v1alpha1.DeletionSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.status.Reasons;
import org.apache.flink.kubernetes.operator.api.lifecycle.ResourceLifecycleState;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.apache.flink.kubernetes.operator.api.status.JobStatus;
import org.apache.flink.kubernetes.operator.api.status.Savepoint;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The next step of deleting a pipeline, from the pipeline (policy, timeout, deletion time) and the FlinkDeployment's
 * status alone, so that an operator restarted mid-way continues where the last one stopped.
 *
 * <p>With {@code deletion.policy: savepoint} the job is suspended with a final savepoint (the Flink Kubernetes
 * Operator's documented way: {@code job.state: suspended} with {@code upgradeMode: savepoint}); once the
 * FlinkDeployment's status shows the suspension, its savepoint path is recorded and the pipeline's resources are let
 * go. After {@code deletion.timeout} the resources are let go without a final savepoint, so the finalizer never blocks
 * forever.
 */
public record DeletionPlan(Step step, String savepointPath, String message, Duration recheckAfter) {
    public static final Duration RECHECK = Duration.ofSeconds(5);

    public enum Step {
        /** Patch the FlinkDeployment to suspend the job with a savepoint, then wait. */
        SUSPEND_WITH_SAVEPOINT,
        /** The suspension is under way; check again. */
        WAIT,
        /** Let the resources go (remove the finalizer), recording the final savepoint if there is one. */
        RELEASE,
        /** Let the resources go after the timeout passed without a final savepoint. */
        RELEASE_AFTER_TIMEOUT
    }

    public static DeletionPlan of(StreamingPipeline pipeline, FlinkObservation flink, Instant now) {
        DeletionSpec deletion = pipeline.getSpec().deletion;
        if (deletion.policy == DeletionSpec.Policy.CANCEL) {
            return release(null, "Deletion policy is cancel: the job is cancelled without a savepoint");
        }
        if (!flink.exists()) {
            return release(null, "No FlinkDeployment exists, so there is no job to save");
        }
        if (suspended(flink)) {
            String path = savepointOfSuspension(flink).orElse(null);
            return release(path, path == null ? "The job was stopped without a savepoint"
                    : "Took final savepoint " + path + "; recorded in ConfigMap " + PipelineResources.namespace(pipeline) + "/"
                    + PipelineResources.finalSavepointConfigMapName(pipeline));
        }
        // The Flink operator assigns the job id before it submits (FKO 1.16 ApplicationReconciler.setJobIdIfNecessary):
        // a job never seen running has no start time yet.
        if (flink.jobStatus().map(JobStatus::getStartTime).isEmpty()) {
            return release(null, "The job never started, so there is no state to save");
        }
        Optional<String> lastKnown = lastKnownSavepoint(pipeline);
        if (flink.lifecycleState().orElse(null) == ResourceLifecycleState.FAILED) {
            return release(lastKnown.orElse(null), "The job had failed and cannot take a savepoint"
                    + lastKnown.map(path -> "; the last known savepoint " + path + " is recorded in ConfigMap "
                    + PipelineResources.namespace(pipeline) + "/" + PipelineResources.finalSavepointConfigMapName(pipeline)).orElse(""));
        }
        Duration timeout = timeout(deletion);
        Instant deadline = deletionTime(pipeline).orElse(now).plus(timeout);
        if (!now.isBefore(deadline)) {
            return new DeletionPlan(Step.RELEASE_AFTER_TIMEOUT, lastKnown.orElse(null),
                    "No final savepoint within spec.deletion.timeout (" + deletion.timeout + ")"
                            + lastKnown.map(path -> "; the last known savepoint " + path + " is recorded in ConfigMap "
                            + PipelineResources.namespace(pipeline) + "/" + PipelineResources.finalSavepointConfigMapName(pipeline))
                            .orElse(""), Duration.ZERO);
        }
        Duration recheck = Duration.between(now, deadline).compareTo(RECHECK) < 0 ? Duration.between(now, deadline) : RECHECK;
        var job = flink.deployment().getSpec().getJob();
        if (job.getState() != JobState.SUSPENDED || job.getUpgradeMode() != UpgradeMode.SAVEPOINT) {
            return new DeletionPlan(Step.SUSPEND_WITH_SAVEPOINT, null, "Suspending the job with a final savepoint", recheck);
        }
        return new DeletionPlan(Step.WAIT, null, "Waiting for the final savepoint", recheck);
    }

    /**
     * spec.deletion.timeout, or its default when it does not parse: the pre-flight check reports a malformed one while
     * the pipeline lives, but a deletion must still come to an end.
     */
    private static Duration timeout(DeletionSpec deletion) {
        try {
            return Durations.parse("spec.deletion.timeout", deletion.timeout);
        } catch (IllegalArgumentException malformed) {
            return Durations.parse("spec.deletion.timeout", new DeletionSpec().timeout);
        }
    }

    private static DeletionPlan release(String savepointPath, String message) {
        return new DeletionPlan(Step.RELEASE, savepointPath, message, Duration.ZERO);
    }

    /** The Flink operator has acted on a suspended job spec: the job is stopped. */
    private static boolean suspended(FlinkObservation flink) {
        return flink.lifecycleState().orElse(null) == ResourceLifecycleState.SUSPENDED
                && flink.lastReconciledSpec().map(spec -> spec.getJob().getState() == JobState.SUSPENDED).orElse(false);
    }

    /** The savepoint the suspension took: the newest the Flink operator recorded. */
    private static Optional<String> savepointOfSuspension(FlinkObservation flink) {
        return flink.lastSavepoint().map(Savepoint::getLocation);
    }

    private static Optional<String> lastKnownSavepoint(StreamingPipeline pipeline) {
        return Optional.ofNullable(pipeline.getStatus()).map(status -> status.lastSavepoint)
                .map(savepoint -> savepoint.path);
    }

    private static Optional<Instant> deletionTime(StreamingPipeline pipeline) {
        return Optional.ofNullable(pipeline.getMetadata().getDeletionTimestamp()).map(Instant::parse);
    }

    /** The one CamelCase word that says where the deletion stands (the Ready condition's reason). */
    public String reason() {
        return switch (step) {
            case RELEASE_AFTER_TIMEOUT -> Reasons.FINAL_SAVEPOINT_TIMED_OUT;
            case RELEASE -> savepointPath != null ? Reasons.FINAL_SAVEPOINT : Reasons.DELETING;
            case SUSPEND_WITH_SAVEPOINT, WAIT -> Reasons.DELETING;
        };
    }

    public boolean releases() {
        return step == Step.RELEASE || step == Step.RELEASE_AFTER_TIMEOUT;
    }
}
