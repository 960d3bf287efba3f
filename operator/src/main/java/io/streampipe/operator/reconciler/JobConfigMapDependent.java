package io.streampipe.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.desired.DesiredState;
import io.streampipe.operator.plan.FlinkObservation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/** The ConfigMap the job reads its spec from. */
@KubernetesDependent(informer = @Informer(labelSelector = PipelineResources.LABEL_COMPONENT + "=" + PipelineResources.COMPONENT_JOB_CONFIG))
public class JobConfigMapDependent extends PipelineDependent<ConfigMap> {
    private static final Logger LOG = LoggerFactory.getLogger(JobConfigMapDependent.class);

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

    /**
     * Job ConfigMaps are versioned by content; once the FlinkDeployment names a new one, versions that neither its spec
     * nor the spec Flink runs name are deleted. (A rollback writes its version again.)
     */
    static void removeUnusedVersions(StreamingPipeline pipeline, DesiredState desired, FlinkObservation flink,
                                     Context<StreamingPipeline> context) {
        Set<String> used = new HashSet<>(flink.jobConfigMaps());
        used.add(desired.jobConfigMap().getMetadata().getName());
        for (ConfigMap version : context.getSecondaryResources(ConfigMap.class)) {
            String name = version.getMetadata().getName();
            if (name.startsWith(PipelineResources.jobConfigMapPrefix(pipeline)) && !used.contains(name)) {
                context.getClient().resource(version).delete();
                LOG.info("Deleted ConfigMap {}/{}: a job configuration no FlinkDeployment spec names any more",
                        PipelineResources.namespace(pipeline), name);
            }
        }
    }
}
