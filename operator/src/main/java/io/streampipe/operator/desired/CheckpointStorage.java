package io.streampipe.operator.desired;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.streampipe.api.v1alpha1.CheckpointingSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.PipelineResources;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a pipeline's checkpoints, savepoints and HA metadata live, and what the Flink pods need to reach that place:
 * the built-in filesystem plugin to enable, filesystem settings, extra env and volumes. Credentials are never here:
 * they come from {@link SecretReferences} as env from secretKeyRef (or, for a GCS key file, a Secret volume).
 *
 * @param checkpointsDir      state.checkpoints.dir
 * @param savepointsDir       state.savepoints.dir
 * @param haDir               high-availability.storageDir (used only in last-state mode)
 * @param plugin              the Flink plugin jar in /opt/flink/opt to enable, or null
 * @param flinkConfiguration  filesystem settings (endpoint, path style, key provider)
 * @param env                 plain env values (no secrets)
 * @param volumes             volumes of the Flink pods
 * @param mounts              their mounts in the Flink main container
 */
public record CheckpointStorage(String checkpointsDir, String savepointsDir, String haDir, String plugin,
                                Map<String, String> flinkConfiguration, List<EnvVar> env, List<Volume> volumes,
                                List<VolumeMount> mounts) {
    static final String PVC_VOLUME = "flink-state";
    static final String GCS_KEY_VOLUME = "gcs-credentials";
    static final String GCS_KEY_DIR = "/opt/streampipe/gcs";
    static final String AZURE_KEY_PROVIDER = "org.apache.flink.fs.azurefs.EnvironmentVariableKeyProvider";

    public static CheckpointStorage of(StreamingPipeline pipeline, OperatorDefaults defaults) {
        CheckpointingSpec.Storage storage = pipeline.getSpec().checkpointing.storage;
        Map<String, String> conf = new TreeMap<>();
        List<EnvVar> env = new ArrayList<>();
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        String base;
        String plugin = null;
        if (storage.s3 != null) {
            base = "s3://" + storage.s3.bucket + prefix(storage.s3.prefix);
            plugin = "flink-s3-fs-presto-" + defaults.flinkPatchVersion() + ".jar";
            if (storage.s3.endpoint != null) {
                conf.put("s3.endpoint", storage.s3.endpoint);
            }
            if (storage.s3.pathStyleAccess != null) {
                conf.put("s3.path.style.access", storage.s3.pathStyleAccess.toString());
            }
            if (storage.s3.region != null) {
                env.add(plain("AWS_REGION", storage.s3.region));
            }
        } else if (storage.gcs != null) {
            base = "gs://" + storage.gcs.bucket + prefix(storage.gcs.prefix);
            plugin = "flink-gs-fs-hadoop-" + defaults.flinkPatchVersion() + ".jar";
            if (storage.gcs.credentialsSecretRef != null) {
                volumes.add(new VolumeBuilder().withName(GCS_KEY_VOLUME)
                        .withNewSecret().withSecretName(storage.gcs.credentialsSecretRef.name).endSecret().build());
                mounts.add(new VolumeMountBuilder().withName(GCS_KEY_VOLUME).withMountPath(GCS_KEY_DIR).withReadOnly(true).build());
                env.add(plain("GOOGLE_APPLICATION_CREDENTIALS", GCS_KEY_DIR + "/" + SecretReferences.GCS_KEY_FILE));
            }
        } else if (storage.azure != null) {
            String host = storage.azure.account + ".dfs.core.windows.net";
            base = "abfss://" + storage.azure.container + "@" + host + prefix(storage.azure.prefix);
            plugin = "flink-azure-fs-hadoop-" + defaults.flinkPatchVersion() + ".jar";
            if (storage.azure.credentialsSecretRef != null) {
                conf.put("fs.azure.account.keyprovider." + host, AZURE_KEY_PROVIDER);
            }
        } else if (storage.pvc != null) {
            base = "file://" + PipelineResources.PVC_MOUNT_PATH;
            volumes.add(new VolumeBuilder().withName(PVC_VOLUME)
                    .withNewPersistentVolumeClaim().withClaimName(PipelineResources.statePvcName(pipeline)).endPersistentVolumeClaim()
                    .build());
            mounts.add(new VolumeMountBuilder().withName(PVC_VOLUME).withMountPath(PipelineResources.PVC_MOUNT_PATH).build());
        } else if (storage.path != null) {
            base = storage.path;
        } else {
            throw new IllegalArgumentException("spec.checkpointing.storage: set exactly one of s3, gcs, azure, pvc or path");
        }
        String root = PipelineResources.stateDirectory(base, pipeline);
        return new CheckpointStorage(root + "/checkpoints", root + "/savepoints", root + "/ha", plugin, conf,
                List.copyOf(env), List.copyOf(volumes), List.copyOf(mounts));
    }

    private static String prefix(String prefix) {
        if (prefix == null || prefix.isBlank()) {
            return "";
        }
        String trimmed = prefix.replaceAll("^/+", "").replaceAll("/+$", "");
        return trimmed.isEmpty() ? "" : "/" + trimmed;
    }

    private static EnvVar plain(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }
}
