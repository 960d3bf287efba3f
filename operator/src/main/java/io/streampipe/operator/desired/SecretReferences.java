package io.streampipe.operator.desired;

import io.streampipe.api.JobContract;
import io.streampipe.api.v1alpha1.CheckpointingSpec;
import io.streampipe.api.v1alpha1.EnrichSpec;
import io.streampipe.api.v1alpha1.SecretKeyRef;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Every Secret key a pipeline uses, with the spec field that names it and how it reaches the pods. The pod template
 * builds its env from this list and the preflight checks look each key up, so the two never disagree.
 */
public final class SecretReferences {
    /** Keys of the storage credential Secrets, as documented on the storage fields. */
    public static final String S3_ACCESS_KEY_ID = "accessKeyId";
    public static final String S3_SECRET_ACCESS_KEY = "secretAccessKey";
    public static final String GCS_KEY_FILE = "key.json";
    public static final String AZURE_ACCOUNT_KEY = "accountKey";

    public static final String ENV_AWS_ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
    public static final String ENV_AWS_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
    /** Read by Flink's org.apache.flink.fs.azurefs.EnvironmentVariableKeyProvider. */
    public static final String ENV_AZURE_STORAGE_KEY = "AZURE_STORAGE_KEY";

    private SecretReferences() {
    }

    /**
     * One key of one Secret.
     *
     * @param field  the spec field naming the Secret, for messages
     * @param secret Secret name, in the pipeline's namespace
     * @param key    key inside the Secret
     * @param env    environment variable it fills, or null when the Secret is mounted as files instead
     */
    public record SecretKeyUse(String field, String secret, String key, String env) {
    }

    public static List<SecretKeyUse> of(StreamingPipelineSpec spec) {
        List<SecretKeyUse> uses = new ArrayList<>();
        if (spec.sink != null && spec.sink.postgres != null) {
            credentials(uses, "spec.sink.postgres.credentialsSecretRef", spec.sink.postgres.credentialsSecretRef,
                    JobContract.ENV_POSTGRES_USERNAME, JobContract.ENV_POSTGRES_PASSWORD);
        }
        if (spec.source != null && spec.source.kafka != null) {
            credentials(uses, "spec.source.kafka.credentialsSecretRef", spec.source.kafka.credentialsSecretRef,
                    JobContract.ENV_KAFKA_USERNAME, JobContract.ENV_KAFKA_PASSWORD);
        }
        if (spec.sink != null && spec.sink.kafka != null) {
            credentials(uses, "spec.sink.kafka.credentialsSecretRef", spec.sink.kafka.credentialsSecretRef,
                    JobContract.ENV_KAFKA_SINK_USERNAME, JobContract.ENV_KAFKA_SINK_PASSWORD);
        }
        if (spec.transform != null && spec.transform.enrich != null) {
            for (int i = 0; i < spec.transform.enrich.size(); i++) {
                EnrichSpec dimension = spec.transform.enrich.get(i);
                if (dimension.postgres != null && dimension.name != null) {
                    credentials(uses, "spec.transform.enrich[" + i + "].postgres.credentialsSecretRef",
                            dimension.postgres.credentialsSecretRef,
                            JobContract.enrichUsernameEnv(dimension.name), JobContract.enrichPasswordEnv(dimension.name));
                }
            }
        }
        CheckpointingSpec.Storage storage = spec.checkpointing == null ? null : spec.checkpointing.storage;
        if (storage != null) {
            String prefix = "spec.checkpointing.storage.";
            if (storage.s3 != null && storage.s3.credentialsSecretRef != null) {
                String secret = storage.s3.credentialsSecretRef.name;
                uses.add(new SecretKeyUse(prefix + "s3.credentialsSecretRef", secret, S3_ACCESS_KEY_ID, ENV_AWS_ACCESS_KEY_ID));
                uses.add(new SecretKeyUse(prefix + "s3.credentialsSecretRef", secret, S3_SECRET_ACCESS_KEY, ENV_AWS_SECRET_ACCESS_KEY));
            }
            if (storage.gcs != null && storage.gcs.credentialsSecretRef != null) {
                uses.add(new SecretKeyUse(prefix + "gcs.credentialsSecretRef", storage.gcs.credentialsSecretRef.name, GCS_KEY_FILE, null));
            }
            if (storage.azure != null && storage.azure.credentialsSecretRef != null) {
                uses.add(new SecretKeyUse(prefix + "azure.credentialsSecretRef", storage.azure.credentialsSecretRef.name,
                        AZURE_ACCOUNT_KEY, ENV_AZURE_STORAGE_KEY));
            }
        }
        return uses;
    }

    private static void credentials(List<SecretKeyUse> uses, String field, SecretKeyRef ref, String usernameEnv, String passwordEnv) {
        if (ref == null) {
            return;
        }
        uses.add(new SecretKeyUse(field, ref.name, ref.usernameKey, usernameEnv));
        uses.add(new SecretKeyUse(field, ref.name, ref.passwordKey, passwordEnv));
    }
}
