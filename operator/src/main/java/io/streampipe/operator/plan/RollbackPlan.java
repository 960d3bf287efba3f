package io.streampipe.operator.plan;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.api.Durations;
import io.streampipe.api.v1alpha1.RestoreSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.Rollback;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.Upgrade;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Rollback in the default mode: savepoint upgrades without Kubernetes HA, which the Flink Kubernetes Operator's own
 * rollback does not cover (it needs HA metadata, AbstractFlinkResourceReconciler#shouldRollBack, and is experimental).
 *
 * <p>An upgrade that is not stable within {@code spec.upgrade.timeout} (see {@link #deadline}) is rolled back, when the
 * spec asks for it, to the last spec that ran stable, restored from the savepoint the upgrade took when it stopped the
 * old job: FKO's {@code savepointRedeployNonce} with {@code initialSavepointPath}
 * (AbstractJobReconciler#redeployWithSavepoint) cancels the failing job and starts the old spec from that savepoint.
 * Nothing the failed job did after the savepoint is kept, which is safe because the sink upserts by key: the restored
 * job writes the same rows again.
 *
 * <p>The decision is recorded in {@code status.rollback} with the failed generation, so the same spec is not tried
 * again; the next spec change is applied as usual.
 */
public final class RollbackPlan {
    private RollbackPlan() {
    }

    /** The rollback in force for the pipeline's generation: one decided earlier, or a new one now. */
    public static Optional<Rollback> of(StreamingPipeline pipeline, String shortfall, Instant now) {
        StreamingPipelineStatus status = pipeline.getStatus();
        if (status == null) {
            return Optional.empty();
        }
        Long generation = pipeline.getMetadata().getGeneration();
        if (status.rollback != null && Objects.equals(status.rollback.generation, generation)) {
            return Optional.of(status.rollback);
        }
        Upgrade upgrade = status.upgrade;
        if (upgrade == null || !pipeline.getSpec().upgrade.rollbackOnFailure || !Objects.equals(upgrade.generation, generation)
                || !timedOut(pipeline, upgrade, now) || !impossible(pipeline, upgrade).isEmpty()) {
            return Optional.empty();
        }
        Rollback rollback = new Rollback();
        rollback.generation = generation;
        rollback.toGeneration = status.lastStable.generation;
        rollback.savepoint = upgrade.savepoint;
        rollback.time = now.toString();
        rollback.reason = "The upgrade to generation " + generation + " was not stable within "
                + timeoutDescription(pipeline, upgrade) + ": " + shortfall + ". Rolled back to generation "
                + rollback.toGeneration + " from savepoint " + rollback.savepoint + "; change the spec to try again";
        return Optional.of(rollback);
    }

    /** The pipeline as the rollback applies it: the last stable spec, redeployed from the upgrade's savepoint. */
    public static StreamingPipeline rolledBack(StreamingPipeline pipeline, Rollback rollback) {
        StreamingPipeline target = Serialization.clone(pipeline);
        StreamingPipelineSpec stable = Serialization.unmarshal(pipeline.getStatus().lastStable.spec, StreamingPipelineSpec.class);
        RestoreSpec restore = new RestoreSpec();
        restore.token = "rollback-" + rollback.generation;
        restore.savepointPath = rollback.savepoint;
        stable.restore = restore;
        target.setSpec(stable);
        return target;
    }

    public static boolean timedOut(StreamingPipeline pipeline, Upgrade upgrade, Instant now) {
        return deadline(pipeline, upgrade).filter(now::isAfter).isPresent();
    }

    /**
     * When an upgrade counts as failed: {@code spec.upgrade.timeout} after the Flink operator took the new spec, which
     * is when the old job has stopped. FKO's own readiness timeout, which the pipeline sets to the same value
     * (FlinkConfiguration), counts from there too: from the reconciliation timestamp that
     * ReconciliationUtils#updateStatusForSpecReconciliation stamps after the stop (AbstractFlinkResourceReconciler
     * #shouldRollBack). The stop-with-savepoint before it may take up to {@code spec.checkpointing.timeout}
     * (AbstractFlinkService#savepointJobOrError); the old job runs on meanwhile, so that is not downtime, and an
     * upgrade FKO has not taken after both has failed too.
     */
    public static Optional<Instant> deadline(StreamingPipeline pipeline, Upgrade upgrade) {
        if (upgrade.startTime == null) {
            return Optional.empty();
        }
        Instant from = upgrade.deployTime != null ? Instant.parse(upgrade.deployTime)
                : Instant.parse(upgrade.startTime).plus(Durations.parse("spec.checkpointing.timeout", pipeline.getSpec().checkpointing.timeout));
        return Optional.of(from.plus(Durations.parse("spec.upgrade.timeout", pipeline.getSpec().upgrade.timeout)));
    }

    /** The timeout that ran out, for a human: what it counts from. */
    public static String timeoutDescription(StreamingPipeline pipeline, Upgrade upgrade) {
        return upgrade.deployTime != null
                ? "spec.upgrade.timeout (" + pipeline.getSpec().upgrade.timeout + ") after the Flink operator took it at " + upgrade.deployTime
                : "spec.checkpointing.timeout (" + pipeline.getSpec().checkpointing.timeout + ", the longest its stop-with-savepoint may take) and spec.upgrade.timeout ("
                + pipeline.getSpec().upgrade.timeout + ") after the change at " + upgrade.startTime;
    }

    /** Why a timed-out upgrade cannot be rolled back, or empty when it can. */
    public static String impossible(StreamingPipeline pipeline, Upgrade upgrade) {
        StreamingPipelineStatus status = pipeline.getStatus();
        if (status == null || status.lastStable == null) {
            return "no spec has run stable yet";
        }
        if (upgrade.savepoint == null) {
            return "the upgrade took no savepoint to return to (spec.upgrade.mode "
                    + pipeline.getSpec().upgrade.mode.name().toLowerCase().replace('_', '-') + ")";
        }
        if (status.rollback != null && Objects.equals(status.rollback.generation, pipeline.getMetadata().getGeneration())) {
            return "generation " + status.rollback.generation + " was rolled back already";
        }
        return "";
    }
}
