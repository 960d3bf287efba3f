package io.streampipe.operator.reconciler;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.PipelineResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/** Writes core/v1 Events (what {@code kubectl describe} shows) about a pipeline. */
public final class KubernetesEventRecorder implements EventRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesEventRecorder.class);
    private static final int MAX_MESSAGE = 1024;

    private final KubernetesClient client;
    private final String instance;
    private final Clock clock;

    public KubernetesEventRecorder(KubernetesClient client, String instance, Clock clock) {
        this.client = client;
        this.instance = instance;
        this.clock = clock;
    }

    @Override
    public void emit(StreamingPipeline pipeline, boolean warning, String reason, String message) {
        String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        String text = message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 1) + "…";
        var event = new EventBuilder()
                .withNewMetadata()
                .withGenerateName(PipelineResources.name(pipeline) + ".")
                .withNamespace(PipelineResources.namespace(pipeline))
                .withLabels(Map.of(PipelineResources.LABEL_PIPELINE, PipelineResources.name(pipeline)))
                .endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder()
                        .withApiVersion(pipeline.getApiVersion())
                        .withKind(pipeline.getKind())
                        .withNamespace(PipelineResources.namespace(pipeline))
                        .withName(PipelineResources.name(pipeline))
                        .withUid(pipeline.getMetadata().getUid())
                        .build())
                .withType(warning ? "Warning" : "Normal")
                .withReason(reason)
                .withMessage(text)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withNewSource().withComponent(PipelineResources.MANAGED_BY).endSource()
                .withReportingComponent(PipelineResources.MANAGED_BY)
                .withReportingInstance(instance)
                .build();
        try {
            client.v1().events().inNamespace(PipelineResources.namespace(pipeline)).resource(event).create();
        } catch (KubernetesClientException e) {
            // An Event is a courtesy; failing to write one must not fail the reconcile.
            LOG.warn("Could not record Event {} on StreamingPipeline {}: {}", reason, PipelineResources.qualifiedName(pipeline), e.getMessage());
        }
    }
}
