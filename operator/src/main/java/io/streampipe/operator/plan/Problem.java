package io.streampipe.operator.plan;

import io.streampipe.operator.status.Reasons;

/**
 * A reason the pipeline cannot be applied as specified, found before anything is written. It becomes the Ready=False
 * condition: {@code reason} is one of {@link Reasons}, {@code message} names the offending field.
 */
public record Problem(String reason, String message) {
    /** A child (FlinkDeployment, ConfigMap, PVC) the API server did not take. */
    public static Problem applyFailed(String child, String error) {
        return new Problem(Reasons.APPLY_FAILED, "Could not apply " + child + ": " + error);
    }

    /** An unexpected failure of a whole reconcile; java-operator-sdk retries it. */
    public static Problem reconcileFailed(String error) {
        return new Problem(Reasons.RECONCILE_FAILED, "Reconciling failed and will be retried: " + error);
    }
}
