package io.streampipe.operator;

import io.streampipe.api.v1alpha1.StreamingPipeline;

import java.util.Map;
import java.util.TreeMap;

/**
 * The names, labels and annotation keys of everything the operator creates for a pipeline, in one place, derived from
 * the pipeline alone.
 */
public final class PipelineResources {
    public static final String MANAGED_BY = "streampipe-operator";
    public static final String LABEL_NAME = "app.kubernetes.io/name";
    public static final String LABEL_INSTANCE = "app.kubernetes.io/instance";
    public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
    public static final String LABEL_PART_OF = "app.kubernetes.io/part-of";
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    /** The pipeline a resource belongs to; also on the retained savepoint record, which outlives it. */
    public static final String LABEL_PIPELINE = "streampipe.io/pipeline";

    /** Hash of the job ConfigMap's content on the pod template, so a change of what the job computes upgrades it. */
    public static final String ANNOTATION_JOB_CONFIG_HASH = "streampipe.io/job-config-hash";

    /** The state schema ({@link io.streampipe.operator.desired.StateSchema}) of the job, on the pod template. */
    /** On the FlinkDeployment: the hash of the desired state it was written from (the status's lastAppliedSpecHash). */
    public static final String ANNOTATION_SPEC_HASH = "streampipe.io/spec-hash";
    public static final String ANNOTATION_STATE_SCHEMA = "streampipe.io/state-schema";

    /** The finalizer that lets a savepoint deletion policy take its final savepoint. */
    public static final String FINALIZER = "streampipe.io/final-savepoint";

    /** Field manager of every write the operator makes. */
    public static final String FIELD_MANAGER = "streampipe-operator";

    /** Where the operator-created checkpoint PVC is mounted in every Flink pod. */
    public static final String PVC_MOUNT_PATH = "/flink-data";
    /** The container of the Flink pod template that the Flink Kubernetes Operator merges into its own. */
    public static final String FLINK_MAIN_CONTAINER = "flink-main-container";

    public static final String COMPONENT_JOB = "flink-job";
    public static final String COMPONENT_JOB_CONFIG = "job-config";
    public static final String COMPONENT_STATE_VOLUME = "state-volume";
    public static final String COMPONENT_FINAL_SAVEPOINT = "final-savepoint";

    private PipelineResources() {
    }

    public static String namespace(StreamingPipeline pipeline) {
        return pipeline.getMetadata().getNamespace();
    }

    public static String name(StreamingPipeline pipeline) {
        return pipeline.getMetadata().getName();
    }

    /** "namespace/name", how logs and events name the pipeline. */
    public static String qualifiedName(StreamingPipeline pipeline) {
        return namespace(pipeline) + "/" + name(pipeline);
    }

    public static String flinkDeploymentName(StreamingPipeline pipeline) {
        return name(pipeline);
    }

    /**
     * One ConfigMap per version of the job's configuration, named after its content: a FlinkDeployment names the one it
     * was written with, so a JobManager failover or a rollback never pairs a job with another version's configuration.
     */
    public static String jobConfigMapName(StreamingPipeline pipeline, String contentHash) {
        return jobConfigMapPrefix(pipeline) + contentHash.substring(0, Math.min(10, contentHash.length()));
    }

    public static String jobConfigMapPrefix(StreamingPipeline pipeline) {
        return name(pipeline) + "-job-";
    }

    public static String statePvcName(StreamingPipeline pipeline) {
        return name(pipeline) + "-state";
    }

    /** The ConfigMap that records the final savepoint; it has no owner, so it outlives the pipeline. */
    public static String finalSavepointConfigMapName(StreamingPipeline pipeline) {
        return name(pipeline) + "-final-savepoint";
    }

    /** Labels of a child resource; sorted, so that output is deterministic. */
    public static Map<String, String> labels(StreamingPipeline pipeline, String component) {
        Map<String, String> labels = new TreeMap<>();
        labels.put(LABEL_NAME, "streampipe-pipeline");
        labels.put(LABEL_INSTANCE, name(pipeline));
        labels.put(LABEL_COMPONENT, component);
        labels.put(LABEL_PART_OF, "streampipe");
        labels.put(LABEL_MANAGED_BY, MANAGED_BY);
        labels.put(LABEL_PIPELINE, name(pipeline));
        return labels;
    }

    /** The directory of this pipeline under a storage base URI: unique per namespace and name. */
    public static String stateDirectory(String baseUri, StreamingPipeline pipeline) {
        String base = baseUri.endsWith("/") ? baseUri.substring(0, baseUri.length() - 1) : baseUri;
        return base + "/" + namespace(pipeline) + "/" + name(pipeline);
    }
}
