package io.streampipe.operator.desired;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.streampipe.api.JobContract;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.PipelineResources;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pod template shared by JobManager and TaskManagers: the job ConfigMap mounted at {@link JobContract#SPEC_MOUNT_DIR},
 * credentials as env from secretKeyRef (never values), the storage's plugin, env and volumes, the job config hash as an
 * annotation so that a change of the job's view changes the FlinkDeployment spec, and the job's state schema so that
 * the schema of a deployed job can be read back.
 */
public final class FlinkPodTemplate {
    static final String JOB_CONFIG_VOLUME = "pipeline-spec";
    static final String ENV_ENABLE_BUILT_IN_PLUGINS = "ENABLE_BUILT_IN_PLUGINS";

    private FlinkPodTemplate() {
    }

    public static PodTemplateSpec of(StreamingPipeline pipeline, CheckpointStorage storage, String jobConfigHash, String jobConfigMap) {
        List<Volume> volumes = new ArrayList<>();
        volumes.add(new VolumeBuilder().withName(JOB_CONFIG_VOLUME)
                .withNewConfigMap().withName(jobConfigMap).endConfigMap().build());
        volumes.addAll(storage.volumes());
        List<VolumeMount> mounts = new ArrayList<>();
        mounts.add(new VolumeMountBuilder().withName(JOB_CONFIG_VOLUME).withMountPath(JobContract.SPEC_MOUNT_DIR)
                .withReadOnly(true).build());
        mounts.addAll(storage.mounts());

        Map<String, String> annotations = new TreeMap<>();
        annotations.put(PipelineResources.ANNOTATION_JOB_CONFIG_HASH, jobConfigHash);
        annotations.put(PipelineResources.ANNOTATION_STATE_SCHEMA, StateSchema.of(pipeline.getSpec()).toJson());
        return new PodTemplateSpecBuilder()
                .withNewMetadata()
                .withLabels(PipelineResources.labels(pipeline, PipelineResources.COMPONENT_JOB))
                .withAnnotations(annotations)
                .endMetadata()
                .withNewSpec()
                .withContainers(new ContainerBuilder()
                        .withName(PipelineResources.FLINK_MAIN_CONTAINER)
                        .withEnv(env(pipeline, storage))
                        .addNewPort().withName("metrics").withContainerPort(Integer.parseInt(FlinkConfiguration.PROMETHEUS_PORT))
                        .withProtocol("TCP").endPort()
                        .withVolumeMounts(mounts)
                        .build())
                .withVolumes(volumes)
                .endSpec()
                .build();
    }

    private static List<EnvVar> env(StreamingPipeline pipeline, CheckpointStorage storage) {
        List<EnvVar> env = new ArrayList<>();
        for (SecretReferences.SecretKeyUse use : SecretReferences.of(pipeline.getSpec())) {
            if (use.env() != null) {
                env.add(new EnvVarBuilder().withName(use.env())
                        .withNewValueFrom().withNewSecretKeyRef().withName(use.secret()).withKey(use.key()).endSecretKeyRef()
                        .endValueFrom()
                        .build());
            }
        }
        List<EnvVar> plain = new ArrayList<>(storage.env());
        if (storage.plugin() != null) {
            plain.add(new EnvVarBuilder().withName(ENV_ENABLE_BUILT_IN_PLUGINS).withValue(storage.plugin()).build());
        }
        plain.sort(Comparator.comparing(EnvVar::getName));
        env.addAll(plain);
        return env;
    }
}
