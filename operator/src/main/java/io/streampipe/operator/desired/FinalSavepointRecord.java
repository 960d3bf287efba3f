package io.streampipe.operator.desired;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.operator.PipelineResources;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The small ConfigMap that records a deleted pipeline's final savepoint. It has no owner, so it outlives the pipeline:
 * whoever re-creates the pipeline finds where to restore from (and a ready-made {@code restore} snippet).
 */
public final class FinalSavepointRecord {
    public static final String SAVEPOINT_PATH = "savepointPath";
    public static final String PIPELINE_UID = "pipelineUid";
    public static final String STATE_SCHEMA = "stateSchema";
    /** What the savepoint's state was saved under and with: the Kafka source epoch, the max parallelism, the tokens applied. */
    public static final String SOURCE_EPOCH = "sourceEpoch";
    public static final String MAX_PARALLELISM = "maxParallelism";
    public static final String SAVEPOINT_TOKEN = "appliedSavepointToken";
    public static final String OFFSET_RESET_TOKEN = "appliedOffsetResetToken";
    public static final String RESTORE_TOKEN = "appliedRestoreToken";
    /** Set when a re-created pipeline started from the savepoint: the new pipeline's uid. */
    public static final String CONSUMED_BY = "consumedBy";
    public static final String CONSUMED_AT = "consumedAt";

    private FinalSavepointRecord() {
    }

    /**
     * @param savepointPath the final savepoint (or, after a timeout, the last known one)
     * @param note          how it was obtained, for humans
     * @param statePvc      the PVC holding it, left in place, when the storage is a PVC; else null
     */
    public static ConfigMap of(StreamingPipeline pipeline, String savepointPath, String note, String statePvc, Instant now) {
        Map<String, String> data = new TreeMap<>();
        data.put("pipeline", PipelineResources.qualifiedName(pipeline));
        data.put(PIPELINE_UID, pipeline.getMetadata().getUid());
        data.put(SAVEPOINT_PATH, savepointPath);
        data.put(STATE_SCHEMA, StateSchema.of(pipeline.getSpec()).toJson());
        StreamingPipelineStatus status = pipeline.getStatus();
        if (status != null) {
            putIfSet(data, SOURCE_EPOCH, status.sourceEpoch);
            putIfSet(data, MAX_PARALLELISM, status.maxParallelism == null ? null : status.maxParallelism.toString());
            if (status.appliedTokens != null) {
                putIfSet(data, SAVEPOINT_TOKEN, status.appliedTokens.savepoint);
                putIfSet(data, OFFSET_RESET_TOKEN, status.appliedTokens.offsetReset);
                putIfSet(data, RESTORE_TOKEN, status.appliedTokens.restore);
            }
        }
        data.put("recordedAt", now.toString());
        data.put("note", note);
        if (statePvc != null) {
            data.put("statePvc", statePvc);
        }
        data.put("restore.yaml", "restore:\n  token: restore-" + Hashes.shortSha256(savepointPath).substring(0, 8)
                + "\n  savepointPath: " + savepointPath + "\n");
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(PipelineResources.finalSavepointConfigMapName(pipeline))
                .withNamespace(PipelineResources.namespace(pipeline))
                .withLabels(PipelineResources.labels(pipeline, PipelineResources.COMPONENT_FINAL_SAVEPOINT))
                .endMetadata()
                .withData(data)
                .build();
    }

    private static void putIfSet(Map<String, String> data, String key, String value) {
        if (value != null) {
            data.put(key, value);
        }
    }
}
