package io.streampipe.operator.desired;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.PipelineResources;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The small ConfigMap that records a deleted pipeline's final savepoint. It has no owner, so it outlives the pipeline:
 * whoever re-creates the pipeline finds where to restore from (and a ready-made {@code restore} snippet).
 */
public final class FinalSavepointRecord {
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
        data.put("pipelineUid", pipeline.getMetadata().getUid());
        data.put("savepointPath", savepointPath);
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
}
