package io.streampipe.operator.plan;

import io.streampipe.api.JobContract;
import io.streampipe.api.v1alpha1.OffsetResetSpec;
import io.streampipe.api.v1alpha1.RestoreSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.AppliedTokens;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.ResumedFrom;
import io.streampipe.api.v1alpha1.UpgradeSpec;
import io.streampipe.operator.desired.DeploymentInputs;
import io.streampipe.operator.desired.Hashes;
import io.streampipe.operator.desired.StateSchema;
import io.streampipe.operator.status.Reasons;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the next apply should be, derived only from the pipeline (spec and status) and what is observed: the inputs of
 * the desired state, the tokens that will count as applied, and the problems that block applying at all. A change of
 * the state schema against the job Flink runs is refused, or, when the spec opts in, applied by starting without state
 * until Flink has deployed it.
 *
 * <p>This is what makes the operator restartable: the pinned max parallelism, the source epoch and the applied tokens
 * live in the pipeline's status (recorded before the FlinkDeployment is written), so a restarted operator computes
 * the same desired state and never applies a token twice.
 *
 * @param inputs   of the desired state; null when the spec itself is invalid (then the plan is {@link #blocked()})
 * @param tokens   the tokens that count as applied once this plan is applied
 * @param problems what blocks applying; empty when the plan can be applied
 */
public record DeploymentPlan(DeploymentInputs inputs, AppliedTokens tokens, List<Problem> problems) {

    public static DeploymentPlan of(StreamingPipeline pipeline, FlinkObservation observed, Map<String, Set<String>> secretKeys) {
        return of(pipeline, observed, secretKeys, new ResumePlan(Optional.empty(), Optional.empty()));
    }

    /** @param resume whether a first deployment starts from a deleted pipeline's final savepoint */
    public static DeploymentPlan of(StreamingPipeline pipeline, FlinkObservation observed, Map<String, Set<String>> secretKeys,
                                    ResumePlan resume) {
        StreamingPipelineSpec spec = pipeline.getSpec();
        StreamingPipelineStatus status = Optional.ofNullable(pipeline.getStatus()).orElseGet(StreamingPipelineStatus::new);
        // A pipeline resuming a deleted one's final savepoint continues from what that one had applied, until its
        // own first deployment records the same in its status.
        Optional<ResumedFrom> resumed = resume.resume().filter(from -> status.lastAppliedSpecHash == null);
        AppliedTokens applied = resumed.map(from -> from.appliedTokens)
                .or(() -> Optional.ofNullable(status.appliedTokens)).orElseGet(AppliedTokens::new);
        Integer pinnedMaxParallelism = status.maxParallelism != null ? status.maxParallelism
                : resumed.map(from -> from.maxParallelism).orElse(null);
        String currentEpoch = status.sourceEpoch != null ? status.sourceEpoch : resumed.map(from -> from.sourceEpoch).orElse(null);
        List<Problem> problems = new ArrayList<>(Preflight.problems(pipeline, secretKeys, pinnedMaxParallelism));
        if (problems.stream().anyMatch(problem -> problem.reason().equals(Reasons.INVALID_SPEC))) {
            // Nothing is derived from a spec that breaks its own rules (a token may be missing, a section absent).
            return new DeploymentPlan(null, applied, problems);
        }

        int maxParallelism = pinnedMaxParallelism != null ? pinnedMaxParallelism
                : spec.maxParallelism != null ? spec.maxParallelism : DeploymentInputs.DEFAULT_MAX_PARALLELISM;
        OffsetResetSpec reset = spec.offsetReset;
        boolean newReset = reset != null && !reset.token.equals(applied.offsetReset);
        String sourceEpoch = newReset ? sourceEpoch(reset.token)
                : currentEpoch != null ? currentEpoch : JobContract.INITIAL_SOURCE_EPOCH;
        List<String> incompatible = spec.upgrade.mode == UpgradeSpec.Mode.STATELESS ? List.of()
                : observed.deployedStateSchema().map(StateSchema.of(spec)::incompatibleChangesFrom).orElse(List.of());
        // The reset a resumed pipeline's savepoint was taken after is in that savepoint, not pending.
        boolean inTheResumedSavepoint = reset != null && resume.resume().map(from -> from.appliedTokens)
                .map(tokens -> reset.token.equals(tokens.offsetReset)).orElse(false);
        boolean resetPending = reset != null && (newReset
                || !inTheResumedSavepoint && !observed.deployed(deployed -> runsEpoch(deployed, sourceEpoch)));
        boolean startWithoutState = reset != null && !reset.keepState && resetPending
                || !incompatible.isEmpty() && spec.upgrade.allowIncompatibleState;
        RestoreSpec restore = spec.restore;
        boolean restorePending = restore != null && (!restore.token.equals(applied.restore)
                || !observed.deployed(deployed -> Long.valueOf(Hashes.nonce(restore.token)).equals(deployed.getJob().getSavepointRedeployNonce())));
        boolean allowNonRestoredState = reset != null && reset.keepState && resetPending
                || restore != null && restore.allowNonRestoredState && restorePending;

        AppliedTokens tokens = new AppliedTokens();
        String trigger = spec.savepoints == null ? null : spec.savepoints.triggerToken;
        tokens.savepoint = trigger != null && !trigger.isEmpty() ? trigger : applied.savepoint;
        tokens.offsetReset = reset != null ? reset.token : applied.offsetReset;
        tokens.restore = spec.restore != null ? spec.restore.token : applied.restore;

        if (!incompatible.isEmpty() && !spec.upgrade.allowIncompatibleState) {
            problems.add(new Problem(Reasons.INCOMPATIBLE_STATE_CHANGE, String.join(", ", incompatible)
                    + ": the running job's state cannot be restored after this change; set spec.upgrade.allowIncompatibleState: true"
                    + " to start without state"));
        }
        resume.problem().ifPresent(problems::add);
        // The final savepoint a re-created pipeline resumed from is its initial state as long as the spec's restore (if
        // any) is the one the deleted pipeline had applied; a later restore token names the savepoint to start from.
        String resumeSavepoint = resume.resume()
                .filter(from -> restore == null || from.appliedTokens != null && restore.token.equals(from.appliedTokens.restore))
                .map(from -> from.savepoint).orElse(null);
        return new DeploymentPlan(new DeploymentInputs(maxParallelism, sourceEpoch, startWithoutState, allowNonRestoredState,
                resumeSavepoint),
                tokens, problems);
    }

    /**
     * The plan of a rollback: the last stable spec with the inputs it ran with (its source epoch, the pinned max
     * parallelism), and the tokens as already applied, so that no token of either spec is applied by the rollback.
     */
    public static DeploymentPlan rollback(StreamingPipeline target, Map<String, Set<String>> secretKeys) {
        StreamingPipelineStatus status = target.getStatus();
        AppliedTokens applied = Optional.ofNullable(status.appliedTokens).orElseGet(AppliedTokens::new);
        AppliedTokens tokens = new AppliedTokens();
        tokens.savepoint = applied.savepoint;
        tokens.offsetReset = applied.offsetReset;
        tokens.restore = applied.restore;
        int maxParallelism = status.maxParallelism != null ? status.maxParallelism : DeploymentInputs.DEFAULT_MAX_PARALLELISM;
        String sourceEpoch = status.lastStable.sourceEpoch != null ? status.lastStable.sourceEpoch : JobContract.INITIAL_SOURCE_EPOCH;
        return new DeploymentPlan(new DeploymentInputs(maxParallelism, sourceEpoch, false), tokens,
                new ArrayList<>(Preflight.problems(target, secretKeys, status.maxParallelism)));
    }

    /** The source epoch of an offset reset: its token, which the job makes part of the Kafka source's uid. */
    static String sourceEpoch(String offsetResetToken) {
        return offsetResetToken;
    }

    /** Whether a FlinkDeployment spec runs the job with this source epoch. */
    private static boolean runsEpoch(FlinkDeploymentSpec deployed, String epoch) {
        List<String> args = deployed.getJob() == null || deployed.getJob().getArgs() == null ? List.of() : List.of(deployed.getJob().getArgs());
        int at = args.indexOf(JobContract.ARG_SOURCE_EPOCH);
        return at >= 0 && at + 1 < args.size() && args.get(at + 1).equals(epoch);
    }

    public boolean blocked() {
        return !problems.isEmpty();
    }
}
