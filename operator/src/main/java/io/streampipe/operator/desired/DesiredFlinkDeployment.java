package io.streampipe.operator.desired;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.streampipe.api.JobContract;
import io.streampipe.api.v1alpha1.OffsetResetSpec;
import io.streampipe.api.v1alpha1.ResourcesSpec;
import io.streampipe.api.v1alpha1.RestoreSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.UpgradeSpec;
import io.streampipe.operator.PipelineResources;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.ConfigObjectNode;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.JobManagerSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.spec.KubernetesDeploymentMode;
import org.apache.flink.kubernetes.operator.api.spec.Resource;
import org.apache.flink.kubernetes.operator.api.spec.TaskManagerSpec;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The FlinkDeployment that runs a pipeline: an application-mode Flink 1.20 cluster started from the pipeline-job jar
 * as {@link JobContract} describes it.
 *
 * <p>Token actions map onto the Flink Kubernetes Operator's documented fields: {@code savepoints.triggerToken} becomes
 * {@code job.savepointTriggerNonce}; {@code restore} becomes {@code initialSavepointPath} plus a
 * {@code savepointRedeployNonce} (the operator's way to redeploy a running job from a given savepoint); an offset
 * reset is a new source epoch in the job's arguments, restored with {@code allowNonRestoredState} when it keeps state,
 * or applied with a {@code stateless} upgrade when it does not. Each nonce is derived from its token, so the same
 * spec always gives the same FlinkDeployment. A pipeline created again over a deleted one's final savepoint starts
 * from that savepoint ({@link DeploymentInputs#resumeSavepoint()}), even when the manifest still names the restore
 * the deleted pipeline had applied.
 */
public final class DesiredFlinkDeployment {
    private DesiredFlinkDeployment() {
    }

    public static FlinkDeployment of(StreamingPipeline pipeline, DeploymentInputs inputs, OperatorDefaults defaults,
                                     String jobConfigHash, String jobConfigMap) {
        StreamingPipelineSpec spec = pipeline.getSpec();
        CheckpointStorage storage = CheckpointStorage.of(pipeline, defaults);
        FlinkDeployment deployment = new FlinkDeployment();
        deployment.setMetadata(new ObjectMetaBuilder()
                .withName(PipelineResources.flinkDeploymentName(pipeline))
                .withNamespace(PipelineResources.namespace(pipeline))
                .withLabels(PipelineResources.labels(pipeline, PipelineResources.COMPONENT_JOB))
                .build());
        deployment.setSpec(FlinkDeploymentSpec.builder()
                .image(spec.image != null ? spec.image : defaults.image())
                .serviceAccount(spec.serviceAccount != null ? spec.serviceAccount : defaults.serviceAccount())
                .flinkVersion(FlinkVersion.v1_20)
                .mode(KubernetesDeploymentMode.NATIVE)
                .flinkConfiguration(flinkConfiguration(FlinkConfiguration.of(spec, inputs, storage)))
                .podTemplate(FlinkPodTemplate.of(pipeline, storage, jobConfigHash, jobConfigMap))
                .jobManager(new JobManagerSpec(resource(spec.resources.jobManager), null, 1, null))
                .taskManager(new TaskManagerSpec(resource(spec.resources.taskManager), null, null, null))
                .job(job(pipeline, inputs))
                .build());
        deployment.setStatus(null);
        return deployment;
    }

    private static JobSpec job(StreamingPipeline pipeline, DeploymentInputs inputs) {
        StreamingPipelineSpec spec = pipeline.getSpec();
        RestoreSpec restore = spec.restore;
        String triggerToken = spec.savepoints.triggerToken;
        return JobSpec.builder()
                .jarURI(JobContract.JAR_URI)
                .entryClass(JobContract.MAIN_CLASS)
                .args(args(pipeline, inputs))
                .parallelism(spec.parallelism)
                .state(spec.state == StreamingPipelineSpec.State.SUSPENDED ? JobState.SUSPENDED : JobState.RUNNING)
                .upgradeMode(inputs.startWithoutState() ? UpgradeMode.STATELESS : upgradeMode(spec.upgrade.mode))
                .savepointTriggerNonce(triggerToken == null || triggerToken.isEmpty() ? null : Hashes.nonce(triggerToken))
                .initialSavepointPath(inputs.resumeSavepoint() != null ? inputs.resumeSavepoint() : restore != null ? restore.savepointPath : null)
                .savepointRedeployNonce(restore == null ? null : Hashes.nonce(restore.token))
                .allowNonRestoredState(inputs.allowNonRestoredState() ? Boolean.TRUE : null)
                .build();
    }

    /**
     * The job's command line ({@link JobContract}). {@code --pipeline} only with a Kafka sink, whose transactional ids
     * derive from it: other pipelines' FlinkDeployments stay as they were.
     */
    private static String[] args(StreamingPipeline pipeline, DeploymentInputs inputs) {
        List<String> args = new ArrayList<>(List.of(
                JobContract.ARG_SPEC_FILE, JobContract.SPEC_MOUNT_DIR + "/" + JobContract.SPEC_FILE_NAME));
        if (pipeline.getSpec().sink != null && pipeline.getSpec().sink.kafka != null) {
            args.add(JobContract.ARG_PIPELINE);
            args.add(PipelineResources.namespace(pipeline) + "/" + PipelineResources.name(pipeline));
        }
        args.add(JobContract.ARG_SOURCE_EPOCH);
        args.add(inputs.sourceEpoch());
        return args.toArray(String[]::new);
    }

    /** Flat string keys, as every Flink operator release from 1.13 to 1.16 reads them (1.16 also takes nested YAML). */
    private static ConfigObjectNode flinkConfiguration(Map<String, String> keys) {
        ConfigObjectNode configuration = new ConfigObjectNode();
        configuration.putAllFrom(keys);
        return configuration;
    }

    static UpgradeMode upgradeMode(UpgradeSpec.Mode mode) {
        return switch (mode) {
            case SAVEPOINT -> UpgradeMode.SAVEPOINT;
            case LAST_STATE -> UpgradeMode.LAST_STATE;
            case STATELESS -> UpgradeMode.STATELESS;
        };
    }

    private static Resource resource(ResourcesSpec.Pod pod) {
        Double cpu = pod.cpu == null ? null : new Quantity(pod.cpu).getNumericalAmount().doubleValue();
        return new Resource(cpu, pod.memory, null);
    }
}
