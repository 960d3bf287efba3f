package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** Checkpoints and where checkpoints and savepoints are stored. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckpointingSpec {
    @Default("10s")
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("Checkpoint interval. With a window it is also when rows appear: the PostgreSQL result and late-data tables get what a window decided once the checkpoint holding that state completes, up to one interval after the window fired.")
    public String interval = "10s";

    @Default("exactly-once")
    @JsonPropertyDescription("exactly-once or at-least-once. at-least-once only without spec.transform.window: without aligned barriers, events after a checkpoint's barrier can be in the windows' state that checkpoint saves, and are counted again when they are replayed after a restore.")
    public Mode mode = Mode.EXACTLY_ONCE;

    @Default("10m")
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("A checkpoint that takes longer is aborted.")
    public String timeout = "10m";

    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("Minimum pause between checkpoints. Default: half the interval.")
    public String minPause;

    @Required
    @JsonPropertyDescription("Where checkpoints and savepoints live; each pipeline gets its own namespace/name directories under it.")
    public Storage storage;

    public enum Mode {
        @JsonProperty("exactly-once") EXACTLY_ONCE,
        @JsonProperty("at-least-once") AT_LEAST_ONCE
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "[has(self.s3), has(self.gcs), has(self.azure), has(self.pvc), has(self.path)].exists_one(x, x)",
            message = "checkpointing.storage: set exactly one of s3, gcs, azure, pvc or path")
    public static class Storage {
        @JsonPropertyDescription("Amazon S3 or an S3-compatible store.")
        public S3 s3;
        @JsonPropertyDescription("Google Cloud Storage.")
        public Gcs gcs;
        @JsonPropertyDescription("Azure Blob Storage (ABFS).")
        public Azure azure;
        @JsonPropertyDescription("A PersistentVolumeClaim the operator creates, owns and mounts in every Flink pod.")
        public Pvc pvc;
        @Pattern(Patterns.URI)
        @JsonPropertyDescription("A Flink filesystem URI used as given, e.g. file:///mnt/flink or hdfs://nn/flink.")
        public String path;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class S3 {
        @Required
        @Pattern("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
        @JsonPropertyDescription("Bucket name.")
        public String bucket;
        @JsonPropertyDescription("Key prefix inside the bucket.")
        public String prefix;
        @JsonPropertyDescription("Endpoint for S3-compatible stores (MinIO, Ceph).")
        public String endpoint;
        @JsonPropertyDescription("Region.")
        public String region;
        @JsonPropertyDescription("Use path-style access (needed by most S3-compatible stores).")
        public Boolean pathStyleAccess;
        @JsonPropertyDescription("Secret with the access key (keys accessKeyId and secretAccessKey). Omit to use the pod's identity (IRSA).")
        public CloudCredentials credentialsSecretRef;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Gcs {
        @Required
        @JsonPropertyDescription("Bucket name.")
        public String bucket;
        @JsonPropertyDescription("Object prefix inside the bucket.")
        public String prefix;
        @JsonPropertyDescription("Secret with a service-account JSON key (key: key.json). Omit to use Workload Identity.")
        public CloudCredentials credentialsSecretRef;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Azure {
        @Required
        @JsonPropertyDescription("Storage account name.")
        public String account;
        @Required
        @JsonPropertyDescription("Blob container.")
        public String container;
        @JsonPropertyDescription("Path prefix inside the container.")
        public String prefix;
        @JsonPropertyDescription("Secret with the account key (key: accountKey). Omit to use workload identity.")
        public CloudCredentials credentialsSecretRef;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class CloudCredentials {
        @Required
        @Pattern(Patterns.K8S_NAME)
        @JsonPropertyDescription("Name of the Secret in the pipeline's namespace.")
        public String name;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Pvc {
        @Required
        @Pattern(Patterns.QUANTITY)
        @JsonPropertyDescription("Requested size, e.g. 10Gi.")
        public String size;
        @JsonPropertyDescription("Storage class; must support ReadWriteMany so JobManager and TaskManagers share it.")
        public String storageClassName;
    }
}
