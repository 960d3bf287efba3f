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

import java.util.List;
import java.util.Objects;

/**
 * Writes a pipeline's status subresource, only when it changed, and reports the transition as Events and metrics. The
 * written status is cached so that the next reconcile starts from it. A reconcile that applies writes twice (before the
 * apply, what it is about to apply; after, the outcome) and reports one transition, from where it started to the outcome.
 */
final class StatusWriter {
    private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);

    private final EventRecorder events;
    private final PipelineMetrics metrics;

    StatusWriter(EventRecorder events, PipelineMetrics metrics) {
        this.events = events;
        this.metrics = metrics;
    }

    /** A status written on its own (a refusal, a failure, a deletion step): its Events are those of the transition. */
    StreamingPipeline write(StreamingPipeline pipeline, StreamingPipelineStatus status, Context<StreamingPipeline> context) {
        return write(pipeline, status, context, pipeline.getStatus(), List.of());
    }

    /**
     * The status a reconcile writes before it applies anything, which a restarted operator resumes from. No Events:
     * they are told once, with what was applied, by the write of the outcome.
     *
     * @return the pipeline as it is now stored (unchanged when nothing needed writing)
     */
    StreamingPipeline writeBeforeApply(StreamingPipeline pipeline, StreamingPipelineStatus status, Context<StreamingPipeline> context) {
        return store(pipeline, status, context);
    }

    /**
     * The outcome of a reconcile, and its Events: from the status the reconcile started from to this one, with the
     * children it wrote (also when this status needs no write: the one before the apply may have said it already).
     *
     * @param started the status before the reconcile wrote anything
     * @return the pipeline as it is now stored (unchanged when nothing needed writing)
     */
    StreamingPipeline write(StreamingPipeline pipeline, StreamingPipelineStatus status, Context<StreamingPipeline> context,
                            StreamingPipelineStatus started, List<StatusEvents.Change> changes) {
        StreamingPipeline written = store(pipeline, status, context);
        for (StatusEvents.PipelineEvent event : StatusEvents.of(started, status, changes)) {
            events.emit(pipeline, event.warning(), event.reason(), event.message());
        }
        return written;
    }

    private StreamingPipeline store(StreamingPipeline pipeline, StreamingPipelineStatus status, Context<StreamingPipeline> context) {
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
        return written;
    }
}
