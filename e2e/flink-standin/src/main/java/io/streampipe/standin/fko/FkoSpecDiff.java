package io.streampipe.standin.fko;

import org.apache.flink.kubernetes.operator.api.diff.DiffType;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.KubernetesDeploymentMode;
import org.apache.flink.kubernetes.operator.api.utils.SpecUtils;
import org.apache.flink.kubernetes.operator.reconciler.diff.DiffResult;
import org.apache.flink.kubernetes.operator.reconciler.diff.ReflectiveDiffBuilder;

/**
 * How FKO 1.16 classifies a spec change (IGNORE, SCALE, UPGRADE, SAVEPOINT_REDEPLOY): FKO's own
 * {@code reconciler/diff/ReflectiveDiffBuilder}, loaded from its served jar, driven by the {@code @SpecDiff}
 * annotations of the API classes. Nothing here re-derives its rules.
 */
public record FkoSpecDiff(DiffType type, String description) {

    public static FkoSpecDiff between(FlinkDeploymentSpec lastReconciled, FlinkDeploymentSpec current) {
        KubernetesDeploymentMode mode = KubernetesDeploymentMode.getDeploymentMode(current);
        // The builder clears ignored fields of what it is given: give it copies.
        DiffResult<FlinkDeploymentSpec> result = new ReflectiveDiffBuilder<>(mode, SpecUtils.clone(lastReconciled),
                SpecUtils.clone(current)).build();
        return new FkoSpecDiff(result.getType(), describe(result));
    }

    private static String describe(DiffResult<FlinkDeploymentSpec> result) {
        try {
            return result.toString();
        } catch (LinkageError jsonPatchMissing) {
            return result.getNumDiffs() + " field(s) changed";
        }
    }
}
