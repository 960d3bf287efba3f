package io.streampipe.operator.reconciler;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.metrics.PipelineMetrics;
import io.streampipe.operator.status.StatusDiff;
import io.streampipe.operator.status.StatusEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;

/**
 * Writes a pipeline's status subresource, only when it changed, and reports the transition as Events and metrics. The
 * written status is cached so that the next reconcile starts from it.
 */
final class StatusWriter {
    private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);

    private final EventRecorder events;
    private final PipelineMetrics metrics;

    StatusWriter(EventRecorder events, PipelineMetrics metrics) {
        this.events = events;
        this.metrics = metrics;
    }

    /** @return the pipeline as it is now stored (unchanged when nothing needed writing) */
    StreamingPipeline write(StreamingPipeline pipeline, StreamingPipelineStatus status, Context<StreamingPipeline> context) {
        StreamingPipelineStatus before = pipeline.getStatus();
        // Also when unchanged: an operator that just started reports every pipeline from its first reconcile.
        metrics.observe(PipelineResources.namespace(pipeline), PipelineResources.name(pipeline), before, status);
        if (!StatusDiff.changed(before, status)) {
            return pipeline;
        }
        StreamingPipeline fresh = new StreamingPipeline();
        fresh.getMetadata().setName(pipeline.getMetadata().getName());
        fresh.getMetadata().setNamespace(pipeline.getMetadata().getNamespace());
        fresh.setStatus(status);
        StreamingPipeline written = PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(pipeline, fresh, context);
        if (before == null || !Objects.equals(before.phase, status.phase)) {
            LOG.info("StreamingPipeline {} is {}: {}", PipelineResources.qualifiedName(pipeline), status.phase, status.message);
        }
        for (StatusEvents.PipelineEvent event : StatusEvents.between(before, status)) {
            events.emit(pipeline, event.warning(), event.reason(), event.message());
        }
        return written;
    }
}
