package io.streampipe.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.desired.FinalSavepointRecord;
import io.streampipe.operator.plan.DeletionPlan;
import io.streampipe.operator.status.StatusMapper.Applied;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The writes of a savepoint deletion: suspend the job, then record the savepoint where it outlives the pipeline. Both are
 * idempotent; the Events about them come from the status transitions (phase Deleting, Ready reason FinalSavepoint or
 * FinalSavepointTimedOut), so a repeated cleanup reports nothing twice.
 */
final class FinalSavepoint {
    private static final Logger LOG = LoggerFactory.getLogger(FinalSavepoint.class);
    private static final String SUSPEND_WITH_SAVEPOINT = "{\"spec\":{\"job\":{\"state\":\"suspended\",\"upgradeMode\":\"savepoint\"}}}";

    void suspend(StreamingPipeline pipeline, FlinkDeployment deployment, KubernetesClient client) {
        client.resource(deployment).patch(new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE)
                .withFieldManager(PipelineResources.FIELD_MANAGER).build(), SUSPEND_WITH_SAVEPOINT);
        String name = PipelineResources.namespace(pipeline) + "/" + deployment.getMetadata().getName();
        LOG.info("Suspended FlinkDeployment {} with a final savepoint before deleting StreamingPipeline {}", name,
                PipelineResources.qualifiedName(pipeline));
    }

    /**
     * Records the final savepoint (if any) in an owner-less ConfigMap and an Event. A PVC holding it loses its owner
     * reference, so that garbage collection does not take the savepoint with the pipeline.
     */
    void release(StreamingPipeline pipeline, DeletionPlan plan, KubernetesClient client, Instant now) {
        if (plan.savepointPath() == null) {
            LOG.info("Released StreamingPipeline {} without a final savepoint: {}", PipelineResources.qualifiedName(pipeline), plan.message());
            return;
        }
        String statePvc = pipeline.getSpec().checkpointing.storage.pvc != null ? PipelineResources.statePvcName(pipeline) : null;
        if (statePvc != null) {
            keep(client, pipeline, statePvc);
        }
        ConfigMap record = FinalSavepointRecord.of(pipeline, plan.savepointPath(), plan.message(), statePvc, now);
        client.resource(record).forceConflicts().fieldManager(PipelineResources.FIELD_MANAGER).serverSideApply();
        String recordName = PipelineResources.namespace(pipeline) + "/" + record.getMetadata().getName();
        LOG.info("Recorded savepoint {} of StreamingPipeline {} in ConfigMap {}", plan.savepointPath(),
                PipelineResources.qualifiedName(pipeline), recordName);
    }

    private static void keep(KubernetesClient client, StreamingPipeline pipeline, String pvcName) {
        var pvc = client.persistentVolumeClaims().inNamespace(PipelineResources.namespace(pipeline)).withName(pvcName);
        if (pvc.get() != null) {
            pvc.edit((PersistentVolumeClaim claim) -> {
                claim.getMetadata().setOwnerReferences(null);
                return claim;
            });
            LOG.info("Kept PersistentVolumeClaim {}/{}: it holds the final savepoint", PipelineResources.namespace(pipeline), pvcName);
        }
    }

    /** The owner-less ConfigMap in which a deleted pipeline of this name recorded its final savepoint, if any. */
    static Optional<ConfigMap> record(StreamingPipeline pipeline, KubernetesClient client) {
        return Optional.ofNullable(client.configMaps().inNamespace(PipelineResources.namespace(pipeline))
                .withName(PipelineResources.finalSavepointConfigMapName(pipeline)).get());
    }

    /**
     * The FlinkDeployment that starts from a deleted pipeline's final savepoint is written: mark the record as used by
     * this pipeline, so that no pipeline created later starts from it again.
     */
    static Applied consume(StreamingPipeline pipeline, Applied applied, KubernetesClient client, Instant now) {
        String patch = Serialization.asJson(Map.of("data", Map.of(FinalSavepointRecord.CONSUMED_BY, pipeline.getMetadata().getUid(),
                FinalSavepointRecord.CONSUMED_AT, now.toString())));
        client.configMaps().inNamespace(PipelineResources.namespace(pipeline))
                .withName(PipelineResources.finalSavepointConfigMapName(pipeline))
                .patch(new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE).withFieldManager(PipelineResources.FIELD_MANAGER).build(), patch);
        LOG.info("StreamingPipeline {} starts from savepoint {}, the final savepoint of the deleted pipeline recorded in ConfigMap {}",
                PipelineResources.qualifiedName(pipeline), applied.resumedFrom().savepoint, applied.resumedFrom().record);
        StreamingPipelineStatus.ResumedFrom consumed = Serialization.clone(applied.resumedFrom());
        consumed.consumed = true;
        return new Applied(applied.specHash(), applied.tokens(), applied.sourceEpoch(), applied.maxParallelism(), consumed);
    }
}
