package io.streampipe.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.FlinkDeploymentList;
import org.apache.flink.kubernetes.operator.api.lifecycle.ResourceLifecycleState;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.JobManagerSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.spec.TaskManagerSpec;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.JobManagerDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.JobStatus;
import org.apache.flink.kubernetes.operator.api.status.ReconciliationState;
import org.apache.flink.kubernetes.operator.api.status.Savepoint;
import org.apache.flink.kubernetes.operator.api.status.SavepointFormatType;
import org.apache.flink.kubernetes.operator.api.status.SavepointInfo;
import org.apache.flink.kubernetes.operator.api.status.SnapshotTriggerType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The FlinkDeployment model of flink-kubernetes-operator-api 1.16.1 was compiled against fabric8
 * 7.8.0; we run it with fabric8 7.5.2 (the version java-operator-sdk 5.2 is built against). These tests prove that the combination serializes every
 * field we use and that the real API server (with the real CRD's schema) keeps them.
 *
 * <p>Objects are compared as JSON trees: the model's equals() does not compare specs by value.
 */
class FlinkDeploymentRoundTripTest {

    @RegisterExtension
    static final KubeApiServer apiServer = new KubeApiServer();

    private final MixedOperation<FlinkDeployment, FlinkDeploymentList, Resource<FlinkDeployment>> flinkDeployments =
            apiServer.client().resources(FlinkDeployment.class, FlinkDeploymentList.class);

    @Test
    void survivesYamlSerialization() {
        FlinkDeployment deployment = sensorAnomalies("yaml-round-trip");

        String yaml = Serialization.asYaml(deployment);
        FlinkDeployment parsed = Serialization.unmarshal(yaml, FlinkDeployment.class);

        assertThat(tree(parsed)).isEqualTo(tree(deployment));
        // The CRD's spellings, not the Java enum names.
        assertThat(yaml).contains("flinkVersion: \"v1_20\"", "upgradeMode: \"savepoint\"", "state: \"running\"");
    }

    @Test
    void survivesTheApiServer() {
        FlinkDeployment deployment = sensorAnomalies("api-round-trip");

        flinkDeployments.resource(deployment).create();
        FlinkDeployment read = flinkDeployments.inNamespace("default").withName("api-round-trip").get();

        assertThat(tree(read.getSpec())).isEqualTo(tree(deployment.getSpec()));
        assertThat(read.getMetadata().getLabels()).isEqualTo(deployment.getMetadata().getLabels());
        // Spot checks, in case a field were lost on both sides of the tree comparison.
        JobSpec job = read.getSpec().getJob();
        assertThat(job.getUpgradeMode()).isEqualTo(UpgradeMode.SAVEPOINT);
        assertThat(job.getState()).isEqualTo(JobState.RUNNING);
        assertThat(job.getSavepointTriggerNonce()).isEqualTo(3L);
        assertThat(job.getInitialSavepointPath()).endsWith("savepoint-1b2c3d-5e6f7a8b9c0d");
        assertThat(job.getAllowNonRestoredState()).isTrue();
        assertThat(read.getSpec().getFlinkVersion()).isEqualTo(FlinkVersion.v1_20);
        assertThat(read.getSpec().getTaskManager().getResource().getCpu()).isEqualTo(2.0);
        assertThat(read.getSpec().getPodTemplate().getSpec().getContainers().get(0).getEnv().get(0)
                .getValueFrom().getSecretKeyRef().getName()).isEqualTo("kafka-creds");
        assertThat(read.getSpec().getPodTemplate().getSpec().getVolumes().get(0).getConfigMap().getName())
                .isEqualTo("api-round-trip-config");
    }

    @Test
    void keepsTheStatusWrittenThroughTheStatusSubresource() {
        FlinkDeployment created = flinkDeployments.resource(sensorAnomalies("status-round-trip")).create();
        FlinkDeploymentStatus status = runningWithSavepoint(created);
        created.setStatus(status);

        flinkDeployments.resource(created).updateStatus();
        FlinkDeployment read = flinkDeployments.inNamespace("default").withName("status-round-trip").get();

        assertThat(tree(read.getStatus())).isEqualTo(tree(status));
        assertThat(read.getStatus().getLifecycleState()).isEqualTo(ResourceLifecycleState.STABLE);
        assertThat(read.getStatus().getJobStatus().getState()).isEqualTo(org.apache.flink.api.common.JobStatus.RUNNING);
        assertThat(read.getStatus().getJobStatus().getSavepointInfo().getLastSavepoint().getLocation())
                .isEqualTo("s3://streampipe-state/savepoints/sensor-anomalies/savepoint-7f3a21-0c5e1d2b9a4f");
        assertThat(tree(read.getStatus().getReconciliationStatus().deserializeLastReconciledSpec()))
                .isEqualTo(tree(created.getSpec()));
        assertThat(tree(read.getSpec())).isEqualTo(tree(created.getSpec()));
    }

    @Test
    void isRefusedByTheCrdSchemaWhenTheUpgradeModeIsUnknown() {
        ObjectNode json = (ObjectNode) tree(sensorAnomalies("bogus-upgrade-mode"));
        ((ObjectNode) json.path("spec").path("job")).put("upgradeMode", "bogus");
        GenericKubernetesResource invalid = Serialization.jsonMapper().convertValue(json, GenericKubernetesResource.class);

        assertThatThrownBy(() -> apiServer.client()
                .genericKubernetesResources("flink.apache.org/v1beta1", "FlinkDeployment")
                .resource(invalid).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("spec.job.upgradeMode", "\"bogus\"");
                });
    }

    /** A FlinkDeployment as the operator would write it for the sensor-anomalies example. */
    private static FlinkDeployment sensorAnomalies(String name) {
        FlinkDeploymentSpec spec = new FlinkDeploymentSpec();
        spec.setImage("ghcr.io/streampipe/pipeline-job:0.1.0");
        spec.setImagePullPolicy("IfNotPresent");
        spec.setFlinkVersion(FlinkVersion.v1_20);
        spec.setServiceAccount("flink");
        spec.setFlinkConfiguration(Map.of(
                "taskmanager.numberOfTaskSlots", "2",
                "pipeline.max-parallelism", "128",
                "execution.checkpointing.interval", "10s",
                "state.backend.type", "rocksdb",
                "state.checkpoints.dir", "s3://streampipe-state/checkpoints/sensor-anomalies",
                "state.savepoints.dir", "s3://streampipe-state/savepoints/sensor-anomalies"));
        spec.setJobManager(new JobManagerSpec(new org.apache.flink.kubernetes.operator.api.spec.Resource(1.0, "2048m", null), null, 1, null));
        spec.setTaskManager(new TaskManagerSpec(new org.apache.flink.kubernetes.operator.api.spec.Resource(2.0, "4096m", "10Gi"), null, null, null));
        spec.setPodTemplate(podTemplate(name));

        JobSpec job = new JobSpec();
        job.setJarURI("local:///opt/flink/usrlib/pipeline-job.jar");
        job.setEntryClass("io.streampipe.job.PipelineJob");
        job.setArgs(new String[] {"--config", "/etc/streampipe/pipeline.json"});
        job.setParallelism(4);
        job.setUpgradeMode(UpgradeMode.SAVEPOINT);
        job.setState(JobState.RUNNING);
        job.setSavepointTriggerNonce(3L);
        job.setInitialSavepointPath("s3://streampipe-state/savepoints/sensor-anomalies/savepoint-1b2c3d-5e6f7a8b9c0d");
        job.setAllowNonRestoredState(true);
        spec.setJob(job);

        FlinkDeployment deployment = new FlinkDeployment();
        deployment.setMetadata(new ObjectMetaBuilder()
                .withName(name)
                .withNamespace("default")
                .addToLabels("app.kubernetes.io/managed-by", "streampipe")
                .addToLabels("streampipe.io/pipeline", "sensor-anomalies")
                .build());
        deployment.setSpec(spec);
        return deployment;
    }

    /** Credentials come from a Secret by reference; the job config from a ConfigMap volume. */
    private static PodTemplateSpec podTemplate(String name) {
        return new PodTemplateSpecBuilder()
                .withNewMetadata().addToLabels("streampipe.io/pipeline", "sensor-anomalies").endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("flink-main-container")
                .addNewEnv().withName("KAFKA_PASSWORD")
                .withNewValueFrom().withNewSecretKeyRef().withName("kafka-creds").withKey("password").endSecretKeyRef().endValueFrom()
                .endEnv()
                .addNewEnv().withName("PG_PASSWORD")
                .withNewValueFrom().withNewSecretKeyRef().withName("pg-creds").withKey("password").endSecretKeyRef().endValueFrom()
                .endEnv()
                .addNewVolumeMount().withName("pipeline-config").withMountPath("/etc/streampipe").withReadOnly(true).endVolumeMount()
                .endContainer()
                .addNewVolume().withName("pipeline-config").withNewConfigMap().withName(name + "-config").endConfigMap().endVolume()
                .endSpec()
                .build();
    }

    /** The status the Flink operator writes for a running job that took a manual savepoint. */
    private static FlinkDeploymentStatus runningWithSavepoint(FlinkDeployment deployment) {
        SavepointInfo savepointInfo = new SavepointInfo();
        savepointInfo.updateLastSavepoint(new Savepoint(1_763_700_000_000L,
                "s3://streampipe-state/savepoints/sensor-anomalies/savepoint-7f3a21-0c5e1d2b9a4f",
                SnapshotTriggerType.MANUAL, SavepointFormatType.CANONICAL, 3L));

        JobStatus jobStatus = new JobStatus();
        jobStatus.setJobName("sensor-anomalies");
        jobStatus.setJobId("7f3a21c4e8d94b0fa1e2c3d4b5a69788");
        jobStatus.setState(org.apache.flink.api.common.JobStatus.RUNNING);
        jobStatus.setStartTime("1763699000000");
        jobStatus.setUpdateTime("1763700000000");
        jobStatus.setSavepointInfo(savepointInfo);

        FlinkDeploymentStatus status = new FlinkDeploymentStatus();
        status.setJobStatus(jobStatus);
        status.setJobManagerDeploymentStatus(JobManagerDeploymentStatus.READY);
        status.setObservedGeneration(deployment.getMetadata().getGeneration());
        status.setClusterInfo(Map.of("flink-version", "1.20.3", "total-cpu", "5.0"));
        status.getReconciliationStatus().serializeAndSetLastReconciledSpec(deployment.getSpec(), deployment);
        status.getReconciliationStatus().setState(ReconciliationState.DEPLOYED);
        status.getReconciliationStatus().markReconciledSpecAsStable();
        return status;
    }

    private static JsonNode tree(Object value) {
        return Serialization.jsonMapper().valueToTree(value);
    }
}
