package io.streampipe.operator.metrics;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

import java.util.Map;

/**
 * java-operator-sdk's metrics, passed through, plus one duty: when the SDK is done with a deleted pipeline
 * ({@link #cleanupDoneFor}, called on the informer's delete event for the primary resource, in
 * {@code EventProcessor.cleanupForDeletedEvent}), that pipeline's series are removed. It fires however the pipeline
 * went, with or without our finalizer's cleanup.
 */
public final class RemoveOnDeletion implements Metrics {
    private final Metrics sdk;
    private final PipelineMetrics pipelines;

    public RemoveOnDeletion(Metrics sdk, PipelineMetrics pipelines) {
        this.sdk = sdk;
        this.pipelines = pipelines;
    }

    @Override
    public void cleanupDoneFor(ResourceID resourceID, Map<String, Object> metadata) {
        sdk.cleanupDoneFor(resourceID, metadata);
        pipelines.remove(resourceID.getNamespace().orElse(""), resourceID.getName());
    }

    @Override
    public void controllerRegistered(Controller<? extends HasMetadata> controller) {
        sdk.controllerRegistered(controller);
    }

    @Override
    public void receivedEvent(Event event, Map<String, Object> metadata) {
        sdk.receivedEvent(event, metadata);
    }

    @Override
    public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
        sdk.reconcileCustomResource(resource, retryInfo, metadata);
    }

    @Override
    public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
        sdk.failedReconciliation(resource, exception, metadata);
    }

    @Override
    public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
        sdk.reconciliationExecutionStarted(resource, metadata);
    }

    @Override
    public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
        sdk.reconciliationExecutionFinished(resource, metadata);
    }

    @Override
    public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
        sdk.finishedReconciliation(resource, metadata);
    }

    @Override
    public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
        return sdk.timeControllerExecution(execution);
    }

    @Override
    public <T extends Map<?, ?>> T monitorSizeOf(T map, String name) {
        return sdk.monitorSizeOf(map, name);
    }
}
