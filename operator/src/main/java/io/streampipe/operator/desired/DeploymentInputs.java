package io.streampipe.operator.desired;

/**
 * The little the desired state needs beyond the spec: values remembered in the pipeline's status (so that a restarted
 * operator derives the same output) and one flag derived from the FlinkDeployment's status.
 *
 * @param maxParallelism    pinned at first deploy (status.maxParallelism); never changes afterwards
 * @param sourceEpoch       part of the Kafka source's uid (status.sourceEpoch); an offset reset starts a new one
 * @param startWithoutState the pending change must start the job with empty state (an offset reset with keepState false,
 *                          or a state-incompatible change the spec opted into); cleared once Flink has deployed it
 * @param resumeSavepoint   the final savepoint of a deleted pipeline of the same name that this one starts from
 *                          (status.resumedFrom), as the first deployment's initialSavepointPath; else null
 * @param allowNonRestoredState the pending redeploy may leave state of the savepoint unclaimed (an offset reset that
 *                          keeps state gives the source a new uid; a restore may opt in); cleared once Flink has
 *                          deployed it, so that a later upgrade never silently drops state
 */
public record DeploymentInputs(int maxParallelism, String sourceEpoch, boolean startWithoutState, boolean allowNonRestoredState,
                               String resumeSavepoint) {
    public static final int DEFAULT_MAX_PARALLELISM = 128;

    public DeploymentInputs(int maxParallelism, String sourceEpoch, boolean startWithoutState) {
        this(maxParallelism, sourceEpoch, startWithoutState, false, null);
    }

    public DeploymentInputs(int maxParallelism, String sourceEpoch, boolean startWithoutState, boolean allowNonRestoredState) {
        this(maxParallelism, sourceEpoch, startWithoutState, allowNonRestoredState, null);
    }
}
