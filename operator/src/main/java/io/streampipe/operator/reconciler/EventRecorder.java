package io.streampipe.operator.reconciler;

import io.streampipe.api.v1alpha1.StreamingPipeline;

/** Kubernetes Events about a pipeline, behind an interface so that tests can see what was reported. */
public interface EventRecorder {
    /**
     * @param warning a problem or failure (type Warning), else Normal
     * @param reason  one CamelCase word
     * @param message for humans; never carries a Secret's value
     */
    void emit(StreamingPipeline pipeline, boolean warning, String reason, String message);
}
