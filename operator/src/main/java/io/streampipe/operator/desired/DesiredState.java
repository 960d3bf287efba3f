package io.streampipe.operator.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.PipelineResources;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;

import java.util.Optional;

/**
 * Everything a pipeline should consist of, as a pure function of the pipeline and the few observed inputs: the
 * FlinkDeployment, the job ConfigMap, the checkpoint PVC when asked for, and a hash of it all that the status records
 * as the last applied spec.
 */
public record DesiredState(FlinkDeployment flinkDeployment, ConfigMap jobConfigMap, Optional<PersistentVolumeClaim> statePvc,
                           String specHash) {
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .build();

    public static DesiredState of(StreamingPipeline pipeline, DeploymentInputs inputs, OperatorDefaults defaults) {
        ConfigMap jobConfigMap = DesiredJobConfigMap.of(pipeline, inputs);
        FlinkDeployment flinkDeployment = DesiredFlinkDeployment.of(pipeline, inputs, defaults,
                DesiredJobConfigMap.contentHash(jobConfigMap), jobConfigMap.getMetadata().getName());
        Optional<PersistentVolumeClaim> pvc = DesiredStatePvc.of(pipeline);
        // The FlinkDeployment spec carries the job config hash, so its spec and the PVC cover everything.
        String hash = Hashes.shortSha256(canonicalJson(flinkDeployment.getSpec()) + canonicalJson(pvc.map(PersistentVolumeClaim::getSpec).orElse(null)));
        // Read back from the FlinkDeployment, it tells which desired state Flink is working on.
        flinkDeployment.getMetadata().setAnnotations(new java.util.TreeMap<>(java.util.Map.of(PipelineResources.ANNOTATION_SPEC_HASH, hash)));
        return new DesiredState(flinkDeployment, jobConfigMap, pvc, hash);
    }

    /**
     * The FlinkDeployment as it is, with a savepoint trigger: what is applied while a backup savepoint is taken before
     * a change that discards state. Its job ConfigMap is a version of its own, and the next one may be created
     * meanwhile, unused until the change is applied. The hash stays the one applied before.
     */
    public static DesiredState holding(FlinkDeployment current, long savepointTriggerNonce, String appliedHash, DesiredState next) {
        FlinkDeployment held = new FlinkDeployment();
        held.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName(current.getMetadata().getName())
                .withNamespace(current.getMetadata().getNamespace())
                .withLabels(next.flinkDeployment().getMetadata().getLabels())
                .withAnnotations(java.util.Map.of(PipelineResources.ANNOTATION_SPEC_HASH, appliedHash))
                .build());
        held.setSpec(io.fabric8.kubernetes.client.utils.Serialization.clone(current.getSpec()));
        held.getSpec().getJob().setSavepointTriggerNonce(savepointTriggerNonce);
        return new DesiredState(held, next.jobConfigMap(), next.statePvc(), appliedHash);
    }

    static String canonicalJson(Object value) {
        try {
            return CANONICAL.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }
}
