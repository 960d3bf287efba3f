package io.streampipe.operator.reconciler;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.desired.DesiredState;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;

/** The pipeline's FlinkDeployment. */
@KubernetesDependent(informer = @Informer(labelSelector = PipelineResources.LABEL_MANAGED_BY + "=" + PipelineResources.MANAGED_BY))
public class FlinkDeploymentDependent extends PipelineDependent<FlinkDeployment> {
    public FlinkDeploymentDependent() {
        super(FlinkDeployment.class);
    }

    @Override
    FlinkDeployment select(DesiredState desired) {
        return desired.flinkDeployment();
    }

    @Override
    boolean sameContent(FlinkDeployment actual, FlinkDeployment desired) {
        return Serialization.jsonMapper().valueToTree(actual.getSpec()).equals(Serialization.jsonMapper().valueToTree(desired.getSpec()))
                && java.util.Objects.equals(annotation(actual), annotation(desired));
    }

    private static String annotation(FlinkDeployment deployment) {
        var annotations = deployment.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(PipelineResources.ANNOTATION_SPEC_HASH);
    }
}
