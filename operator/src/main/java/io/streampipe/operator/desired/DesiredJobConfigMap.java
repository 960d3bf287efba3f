package io.streampipe.operator.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.streampipe.api.JobContract;
import io.streampipe.api.PipelineSpecs;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.operator.PipelineResources;

import java.util.Map;
import java.util.TreeMap;

/**
 * The ConfigMap the job reads its spec from ({@link JobContract#SPEC_MOUNT_DIR}/{@link JobContract#SPEC_FILE_NAME}).
 *
 * <p>It carries the job's view of the spec: what the job computes and how it reads and writes. Fields that only steer
 * the operator (savepoint schedule and tokens, restore, deletion, upgrade policy, desired state) are left out, so that
 * changing them does not change the job's configuration and does not redeploy the job. Fields that the
 * FlinkDeployment carries anyway (image, resources, Flink configuration) are left out for the same reason. Secrets are
 * never in it: the spec holds only Secret names, and values reach the pods as env.
 */
public final class DesiredJobConfigMap {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DesiredJobConfigMap() {
    }

    public static ConfigMap of(StreamingPipeline pipeline, DeploymentInputs inputs) {
        Map<String, String> data = data(pipeline.getSpec(), inputs);
        return new ConfigMapBuilder()
                .withNewMetadata()
                .withName(PipelineResources.jobConfigMapName(pipeline, contentHash(data)))
                .withNamespace(PipelineResources.namespace(pipeline))
                .withLabels(PipelineResources.labels(pipeline, PipelineResources.COMPONENT_JOB_CONFIG))
                .endMetadata()
                .withData(data)
                .build();
    }

    /** Hash of the ConfigMap's content; on the pod template, it turns a change of the job's view into an upgrade. */
    public static String contentHash(ConfigMap configMap) {
        return contentHash(configMap.getData());
    }

    private static String contentHash(Map<String, String> data) {
        StringBuilder content = new StringBuilder();
        new TreeMap<>(data).forEach((key, value) -> content.append(key).append('\0').append(value).append('\0'));
        return Hashes.shortSha256(content.toString());
    }

    static Map<String, String> data(StreamingPipelineSpec spec, DeploymentInputs inputs) {
        Map<String, String> data = new TreeMap<>();
        data.put(JobContract.SPEC_FILE_NAME, prettyPrinted(PipelineSpecs.toJson(jobView(spec, inputs))));
        return data;
    }

    /** The same JSON, indented, so that {@code kubectl get configmap -o yaml} and reviews can read it. */
    private static String prettyPrinted(String json) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(json)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("PipelineSpecs wrote unreadable JSON", e);
        }
    }

    /** A copy of the spec without the operator-only fields, with the pinned max parallelism. */
    static StreamingPipelineSpec jobView(StreamingPipelineSpec spec, DeploymentInputs inputs) {
        StreamingPipelineSpec view = PipelineSpecs.fromJson(PipelineSpecs.toJson(spec));
        view.maxParallelism = inputs.maxParallelism();
        view.image = null;
        view.resources = null;
        view.serviceAccount = null;
        view.flinkConfiguration = null;
        view.upgrade = null;
        view.savepoints = null;
        view.restore = null;
        view.state = null;
        view.deletion = null;
        return view;
    }
}
