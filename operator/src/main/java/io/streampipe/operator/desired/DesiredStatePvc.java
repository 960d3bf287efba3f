package io.streampipe.operator.desired;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.streampipe.api.v1alpha1.CheckpointingSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.PipelineResources;

import java.util.Map;
import java.util.Optional;

/**
 * The PersistentVolumeClaim holding checkpoints and savepoints when the spec asks for {@code storage.pvc}. JobManager
 * and TaskManagers mount the same claim, so it is ReadWriteMany.
 */
public final class DesiredStatePvc {
    private DesiredStatePvc() {
    }

    public static Optional<PersistentVolumeClaim> of(StreamingPipeline pipeline) {
        CheckpointingSpec.Pvc pvc = pipeline.getSpec().checkpointing.storage.pvc;
        if (pvc == null) {
            return Optional.empty();
        }
        return Optional.of(new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(PipelineResources.statePvcName(pipeline))
                .withNamespace(PipelineResources.namespace(pipeline))
                .withLabels(PipelineResources.labels(pipeline, PipelineResources.COMPONENT_STATE_VOLUME))
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteMany")
                .withStorageClassName(pvc.storageClassName)
                .withNewResources().withRequests(Map.of("storage", new Quantity(pvc.size))).endResources()
                .endSpec()
                .build());
    }
}
