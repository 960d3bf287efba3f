package io.streampipe.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.desired.DesiredState;

import java.util.Objects;

/** The ConfigMap the job reads its spec from. */
@KubernetesDependent(informer = @Informer(labelSelector = PipelineResources.LABEL_COMPONENT + "=" + PipelineResources.COMPONENT_JOB_CONFIG))
public class JobConfigMapDependent extends PipelineDependent<ConfigMap> {
    public JobConfigMapDependent() {
        super(ConfigMap.class);
    }

    @Override
    ConfigMap select(DesiredState desired) {
        return desired.jobConfigMap();
    }

    @Override
    boolean sameContent(ConfigMap actual, ConfigMap desired) {
        return Objects.equals(actual.getData(), desired.getData());
    }
}
