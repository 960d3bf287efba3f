package io.streampipe.operator.desired;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.api.JobContract;
import io.streampipe.api.PipelineSpecs;
import io.streampipe.api.SpecValidator;
import io.streampipe.api.v1alpha1.CheckpointingSpec;
import io.streampipe.api.v1alpha1.DeletionSpec;
import io.streampipe.api.v1alpha1.OffsetResetSpec;
import io.streampipe.api.v1alpha1.RestoreSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.UpgradeSpec;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.testing.Examples;
import io.streampipe.operator.testing.Trees;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.JobSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class DesiredStateTest {
    static final List<String> EXAMPLES = Examples.NAMES;

    private static DesiredState desired(StreamingPipeline pipeline) {
        return DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS);
    }

    private static DesiredState changed(String example, Consumer<StreamingPipeline> change) {
        StreamingPipeline pipeline = Examples.load(example);
        change.accept(pipeline);
        return desired(pipeline);
    }

    private static Map<String, String> flinkConfiguration(DesiredState desired) {
        return desired.flinkDeployment().getSpec().getFlinkConfiguration().asFlatMap();
    }

    private static JobSpec job(DesiredState desired) {
        return desired.flinkDeployment().getSpec().getJob();
    }

    private static String jobConfigHash(DesiredState desired) {
        return desired.flinkDeployment().getSpec().getPodTemplate().getMetadata().getAnnotations()
                .get(PipelineResources.ANNOTATION_JOB_CONFIG_HASH);
    }

    @ParameterizedTest
    @FieldSource("EXAMPLES")
    void equalInputsGiveEqualOutput(String example) {
        DesiredState first = desired(Examples.load(example));
        DesiredState second = desired(Examples.load(example));

        assertThat(Trees.tree(second.flinkDeployment())).isEqualTo(Trees.tree(first.flinkDeployment()));
        assertThat(Serialization.asYaml(second.jobConfigMap())).isEqualTo(Serialization.asYaml(first.jobConfigMap()));
        assertThat(second.specHash()).isEqualTo(first.specHash());
    }

    @Test
    void theOrderOfTheSpecsOwnFlinkConfigurationDoesNotMatter() {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a.key", "1");
        ab.put("b.key", "2");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b.key", "2");
        ba.put("a.key", "1");

        DesiredState first = changed("sensor-anomalies", p -> p.getSpec().flinkConfiguration = ab);
        DesiredState second = changed("sensor-anomalies", p -> p.getSpec().flinkConfiguration = ba);

        assertThat(second.specHash()).isEqualTo(first.specHash());
        assertThat(Serialization.asYaml(second.flinkDeployment())).isEqualTo(Serialization.asYaml(first.flinkDeployment()));
    }

    @Test
    void streampipesOwnKeysWinOverTheSpecsFlinkConfiguration() {
        DesiredState desired = changed("sensor-anomalies",
                p -> p.getSpec().flinkConfiguration = Map.of("pipeline.max-parallelism", "4096", "taskmanager.memory.jvm-metaspace.size", "512m"));

        assertThat(flinkConfiguration(desired))
                .contains(entry("pipeline.max-parallelism", "128"), entry("taskmanager.memory.jvm-metaspace.size", "512m"));
    }

    static final List<String> JOB_AFFECTING_CHANGES = List.of("parallelism", "window size", "image", "schema field", "having",
            "sink table", "checkpoint interval", "task slots");

    @ParameterizedTest
    @FieldSource("JOB_AFFECTING_CHANGES")
    void aChangeOfWhatTheJobComputesOrHowItRunsChangesTheFlinkDeploymentSpec(String change) {
        DesiredState before = desired(Examples.load("sensor-anomalies"));
        DesiredState after = changed("sensor-anomalies", p -> {
            StreamingPipelineSpec spec = p.getSpec();
            switch (change) {
                case "parallelism" -> spec.parallelism = 4;
                case "window size" -> spec.transform.window.size = "10m";
                case "image" -> spec.image = "ghcr.io/streampipe/pipeline-job:0.2.0";
                case "schema field" -> spec.source.schema.get(2).max = 150.0;
                case "having" -> spec.transform.having.get(0).value = 50.0;
                case "sink table" -> spec.sink.postgres.table = "sensor_alerts_v2";
                case "checkpoint interval" -> spec.checkpointing.interval = "30s";
                case "task slots" -> spec.resources.taskManager.slots = 4;
                default -> throw new IllegalArgumentException(change);
            }
        });

        assertThat(Trees.tree(after.flinkDeployment().getSpec())).isNotEqualTo(Trees.tree(before.flinkDeployment().getSpec()));
        assertThat(after.specHash()).isNotEqualTo(before.specHash());
    }

    @Test
    void whatTheJobComputesReachesItThroughTheConfigMapHashOnThePodTemplate() {
        DesiredState before = desired(Examples.load("sensor-anomalies"));
        DesiredState after = changed("sensor-anomalies", p -> p.getSpec().transform.having.get(0).value = 50.0);

        assertThat(jobConfigHash(after)).isNotEqualTo(jobConfigHash(before));
        JsonNode beforeSpec = Trees.tree(before.flinkDeployment().getSpec());
        JsonNode afterSpec = Trees.tree(after.flinkDeployment().getSpec());
        ((ObjectNode) afterSpec.path("podTemplate").path("metadata").path("annotations"))
                .put(PipelineResources.ANNOTATION_JOB_CONFIG_HASH, jobConfigHash(before));
        // The ConfigMap is versioned by content: the FlinkDeployment names the new version.
        assertThat(afterSpec.path("podTemplate").path("spec").path("volumes").get(0).path("configMap").path("name").asText())
                .isEqualTo(after.jobConfigMap().getMetadata().getName())
                .isNotEqualTo(before.jobConfigMap().getMetadata().getName());
        ((ObjectNode) afterSpec.path("podTemplate").path("spec").path("volumes").get(0).path("configMap"))
                .put("name", before.jobConfigMap().getMetadata().getName());
        assertThat(afterSpec).as("only the hash and the version's name differ").isEqualTo(beforeSpec);
    }

    @Test
    void anUnrelatedMetadataChangeChangesNothing() {
        DesiredState before = desired(Examples.load("sensor-anomalies"));
        DesiredState after = changed("sensor-anomalies", p -> {
            p.getMetadata().setLabels(Map.of("team", "platform"));
            p.getMetadata().setAnnotations(Map.of("argocd.argoproj.io/sync-wave", "2"));
            p.getMetadata().setResourceVersion("12345");
            p.getMetadata().setGeneration(7L);
        });

        assertThat(Trees.tree(after.flinkDeployment())).isEqualTo(Trees.tree(before.flinkDeployment()));
        assertThat(Trees.tree(after.jobConfigMap())).isEqualTo(Trees.tree(before.jobConfigMap()));
        assertThat(after.specHash()).isEqualTo(before.specHash());
    }

    @Test
    void operatorOnlyFieldsDoNotChangeTheJobsConfiguration() {
        DesiredState before = desired(Examples.load("sensor-anomalies"));
        DesiredState after = changed("sensor-anomalies", p -> {
            p.getSpec().savepoints.periodic = "30m";
            p.getSpec().savepoints.retain.count = 10;
            p.getSpec().deletion.policy = DeletionSpec.Policy.CANCEL;
            p.getSpec().upgrade.timeout = "20m";
            p.getSpec().savepoints.triggerToken = "manual-1";
        });

        assertThat(after.jobConfigMap().getData()).isEqualTo(before.jobConfigMap().getData());
        assertThat(jobConfigHash(after)).isEqualTo(jobConfigHash(before));
        assertThat(job(after).getArgs()).isEqualTo(job(before).getArgs());
    }

    @ParameterizedTest
    @FieldSource("EXAMPLES")
    void theJobConfigMapHoldsTheSpecAsTheJobReadsItAndNoOperatorFields(String example) {
        StreamingPipeline pipeline = Examples.load(example);
        DesiredState desired = desired(pipeline);

        String json = desired.jobConfigMap().getData().get(JobContract.SPEC_FILE_NAME);
        StreamingPipelineSpec jobView = PipelineSpecs.fromJson(json);
        assertThat(SpecValidator.problems(jobView)).isEmpty();
        assertThat(jobView.maxParallelism).isEqualTo(128);
        assertThat(jobView.transform.keyBy).isEqualTo(pipeline.getSpec().transform.keyBy);
        assertThat(json).doesNotContain("\"deletion\"", "\"savepoints\"", "\"upgrade\"", "\"restore\"", "\"image\"");
        List<String> pipelineName = pipeline.getSpec().sink.kafka == null ? List.of()
                : List.of(JobContract.ARG_PIPELINE, Examples.NAMESPACE + "/" + pipeline.getMetadata().getName());
        List<String> args = new java.util.ArrayList<>(List.of(JobContract.ARG_SPEC_FILE, JobContract.SPEC_MOUNT_DIR + "/" + JobContract.SPEC_FILE_NAME));
        args.addAll(pipelineName);
        args.addAll(List.of(JobContract.ARG_SOURCE_EPOCH, "0"));
        assertThat(job(desired).getArgs()).containsExactlyElementsOf(args);
    }

    @ParameterizedTest
    @FieldSource("EXAMPLES")
    void secretsReachThePodsOnlyAsEnvFromSecretKeyRefs(String example) {
        DesiredState desired = desired(Examples.load(example));
        List<EnvVar> env = desired.flinkDeployment().getSpec().getPodTemplate().getSpec().getContainers().get(0).getEnv();

        List<String> credentialEnv = List.of(JobContract.ENV_POSTGRES_USERNAME, JobContract.ENV_POSTGRES_PASSWORD,
                JobContract.ENV_KAFKA_USERNAME, JobContract.ENV_KAFKA_PASSWORD,
                SecretReferences.ENV_AWS_ACCESS_KEY_ID, SecretReferences.ENV_AWS_SECRET_ACCESS_KEY, SecretReferences.ENV_AZURE_STORAGE_KEY);
        assertThat(env).filteredOn(e -> credentialEnv.contains(e.getName()))
                .isNotEmpty()
                .allSatisfy(e -> {
                    assertThat(e.getValue()).isNull();
                    assertThat(e.getValueFrom().getSecretKeyRef().getName()).isNotBlank();
                });
    }

    /**
     * A Kafka sink with SASL: its login reaches the pods as env from its own Secret (apart from the source's), and the
     * job learns the pipeline's name, from which the sink's transactional ids derive.
     */
    @Test
    void aKafkaSinkGetsItsCredentialsAsEnvAndThePipelineNameForItsTransactionalIds() {
        StreamingPipeline pipeline = Examples.load("sensor-anomalies");
        var kafka = new io.streampipe.api.v1alpha1.KafkaSinkSpec();
        kafka.bootstrapServers = "alerts-kafka:9093";
        kafka.topic = "sensor-alerts";
        kafka.securityProtocol = io.streampipe.api.v1alpha1.SourceSpec.SecurityProtocol.SASL_SSL;
        kafka.credentialsSecretRef = new io.streampipe.api.v1alpha1.SecretKeyRef("alerts-writer");
        pipeline.getSpec().sink.kafka = kafka;
        DesiredState desired = desired(pipeline);

        List<EnvVar> env = desired.flinkDeployment().getSpec().getPodTemplate().getSpec().getContainers().get(0).getEnv();
        assertThat(env).filteredOn(e -> e.getName().startsWith("STREAMPIPE_KAFKA_SINK_"))
                .extracting(EnvVar::getName, e -> e.getValueFrom().getSecretKeyRef().getName(), e -> e.getValueFrom().getSecretKeyRef().getKey(), EnvVar::getValue)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(JobContract.ENV_KAFKA_SINK_USERNAME, "alerts-writer", "username", null),
                        org.assertj.core.groups.Tuple.tuple(JobContract.ENV_KAFKA_SINK_PASSWORD, "alerts-writer", "password", null));
        assertThat(job(desired).getArgs()).containsSequence(JobContract.ARG_PIPELINE,
                pipeline.getMetadata().getNamespace() + "/sensor-anomalies");
        assertThat(job(desired(Examples.load("orders-upsert"))).getArgs()).as("without a Kafka sink").doesNotContain(JobContract.ARG_PIPELINE);
    }

    @Test
    void eachDimensionsCredentialsReachThePodsAsTheirOwnEnvFromItsSecret() {
        DesiredState desired = desired(Examples.load("clickstream-enriched"));
        List<EnvVar> env = desired.flinkDeployment().getSpec().getPodTemplate().getSpec().getContainers().get(0).getEnv();
        assertThat(env).filteredOn(e -> e.getName().startsWith("STREAMPIPE_ENRICH_"))
                .extracting(EnvVar::getName, e -> e.getValueFrom().getSecretKeyRef().getName(), e -> e.getValueFrom().getSecretKeyRef().getKey())
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(JobContract.enrichUsernameEnv("users"), "analytics-db", "username"),
                        org.assertj.core.groups.Tuple.tuple(JobContract.enrichPasswordEnv("users"), "analytics-db", "password"));
        assertThat(JobContract.enrichUsernameEnv("users")).isEqualTo("STREAMPIPE_ENRICH_USERS_USERNAME");
    }

    @Test
    void noSecretValueAppearsAnywhereInTheOutput() {
        // The builders never see Secret values; this guards against a change that would resolve them.
        StreamingPipeline pipeline = Examples.load("orders-upsert");
        pipeline.getSpec().checkpointing.storage = new CheckpointingSpec.Storage();
        pipeline.getSpec().checkpointing.storage.azure = new CheckpointingSpec.Azure();
        pipeline.getSpec().checkpointing.storage.azure.account = "acct";
        pipeline.getSpec().checkpointing.storage.azure.container = "state";
        pipeline.getSpec().checkpointing.storage.azure.credentialsSecretRef = new CheckpointingSpec.CloudCredentials();
        pipeline.getSpec().checkpointing.storage.azure.credentialsSecretRef.name = "azure-key";
        DesiredState desired = desired(pipeline);

        String everything = Serialization.asYaml(desired.flinkDeployment()) + Serialization.asYaml(desired.jobConfigMap());
        for (String secretValue : List.of("s3cr3t-pg-password", "kafka-sasl-password", "AZUREKEY==")) {
            assertThat(everything).doesNotContain(secretValue);
        }
        assertThat(everything).doesNotContainIgnoringCase("password:").doesNotContain("fs.azure.account.key.");
        assertThat(flinkConfiguration(desired))
                .containsEntry("fs.azure.account.keyprovider.acct.dfs.core.windows.net", CheckpointStorage.AZURE_KEY_PROVIDER);
    }

    @Test
    void pvcStorageIsAnOperatorOwnedClaimMountedInEveryFlinkPod() {
        StreamingPipeline pipeline = Examples.load("clickstream-sessions");
        DesiredState desired = desired(pipeline);

        PersistentVolumeClaim pvc = desired.statePvc().orElseThrow();
        assertThat(pvc.getMetadata().getName()).isEqualTo("clickstream-sessions-state");
        assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
        assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("nfs");
        assertThat(pvc.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("10Gi");

        var podSpec = desired.flinkDeployment().getSpec().getPodTemplate().getSpec();
        assertThat(podSpec.getVolumes()).filteredOn(v -> v.getPersistentVolumeClaim() != null)
                .singleElement().satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("clickstream-sessions-state"));
        assertThat(podSpec.getContainers().get(0).getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/flink-data"));
        // The shared pod template is the one the Flink operator applies to JobManager and TaskManagers alike.
        assertThat(desired.flinkDeployment().getSpec().getJobManager().getPodTemplate()).isNull();
        assertThat(desired.flinkDeployment().getSpec().getTaskManager().getPodTemplate()).isNull();
        assertThat(flinkConfiguration(desired))
                .containsEntry("state.checkpoints.dir", "file:///flink-data/analytics/clickstream-sessions/checkpoints")
                .containsEntry("state.savepoints.dir", "file:///flink-data/analytics/clickstream-sessions/savepoints");
        assertThat(desired(Examples.load("sensor-anomalies")).statePvc()).isEmpty();
    }

    @Test
    void storageDirectoriesAreUniquePerNamespaceAndName() {
        StreamingPipeline other = Examples.load("sensor-anomalies");
        other.getMetadata().setNamespace("other-team");
        Map<String, String> here = flinkConfiguration(desired(Examples.load("sensor-anomalies")));
        Map<String, String> there = flinkConfiguration(desired(other));

        assertThat(there.get("state.checkpoints.dir")).isNotEqualTo(here.get("state.checkpoints.dir"));
        assertThat(there.get("state.savepoints.dir")).isEqualTo("s3://flink-state/streampipe/other-team/sensor-anomalies/savepoints");
    }

    @Test
    void kubernetesHaOnlyForLastState() {
        DesiredState savepoint = desired(Examples.load("sensor-anomalies"));
        DesiredState lastState = changed("sensor-anomalies", p -> p.getSpec().upgrade.mode = UpgradeSpec.Mode.LAST_STATE);
        DesiredState stateless = changed("sensor-anomalies", p -> p.getSpec().upgrade.mode = UpgradeSpec.Mode.STATELESS);

        assertThat(flinkConfiguration(savepoint)).doesNotContainKeys("high-availability.type", "high-availability.storageDir")
                .containsEntry("kubernetes.operator.deployment.rollback.enabled", "false");
        assertThat(flinkConfiguration(stateless)).doesNotContainKeys("high-availability.type", "high-availability.storageDir");
        assertThat(flinkConfiguration(lastState))
                .containsEntry("high-availability.type", "kubernetes")
                .containsEntry("high-availability.storageDir", "s3://flink-state/streampipe/analytics/sensor-anomalies/ha")
                .containsEntry("kubernetes.operator.deployment.rollback.enabled", "true");
        assertThat(job(lastState).getUpgradeMode()).isEqualTo(UpgradeMode.LAST_STATE);
        assertThat(job(stateless).getUpgradeMode()).isEqualTo(UpgradeMode.STATELESS);
    }

    @Test
    void checkpointingSavepointsRestartsAndMetricsAreConfigured() {
        Map<String, String> conf = flinkConfiguration(changed("sensor-anomalies", p -> {
            p.getSpec().checkpointing.minPause = "3s";
            p.getSpec().checkpointing.mode = CheckpointingSpec.Mode.AT_LEAST_ONCE;
            p.getSpec().savepoints.retain.age = "168h";
        }));

        assertThat(conf)
                .containsEntry("execution.checkpointing.interval", "10s")
                .containsEntry("execution.checkpointing.min-pause", "3s")
                .containsEntry("execution.checkpointing.mode", "AT_LEAST_ONCE")
                .containsEntry("execution.checkpointing.timeout", "10min")
                .containsEntry("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION")
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("state.backend.incremental", "true")
                .containsEntry("taskmanager.numberOfTaskSlots", "2")
                .containsEntry("pipeline.max-parallelism", "128")
                .containsEntry("kubernetes.operator.periodic.savepoint.interval", "1h")
                .containsEntry("kubernetes.operator.savepoint.history.max.count", "5")
                .containsEntry("kubernetes.operator.savepoint.history.max.age", "168h")
                .containsEntry("restart-strategy.type", "exponential-delay")
                .containsEntry("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                .containsEntry("metrics.reporter.prom.port", "9249");
    }

    @Test
    void maxParallelismIsThePinnedOneNotTheSpecs() {
        StreamingPipeline pipeline = Examples.load("orders-upsert");
        DesiredState desired = DesiredState.of(pipeline, new DeploymentInputs(256, "0", false), Examples.DEFAULTS);

        assertThat(flinkConfiguration(desired)).containsEntry("pipeline.max-parallelism", "256");
        assertThat(PipelineSpecs.fromJson(desired.jobConfigMap().getData().get(JobContract.SPEC_FILE_NAME)).maxParallelism).isEqualTo(256);
    }

    @Test
    void applicationModeFlink120WithTheJobContractsJarAndResources() {
        FlinkDeployment deployment = changed("sensor-anomalies", p -> p.getSpec().resources.taskManager.cpu = "500m").flinkDeployment();

        assertThat(deployment.getSpec().getFlinkVersion().name()).isEqualTo("v1_20");
        assertThat(deployment.getSpec().getImage()).isEqualTo(Examples.DEFAULTS.image());
        assertThat(deployment.getSpec().getJob().getJarURI()).isEqualTo(JobContract.JAR_URI);
        assertThat(deployment.getSpec().getJob().getEntryClass()).isEqualTo(JobContract.MAIN_CLASS);
        assertThat(deployment.getSpec().getJob().getParallelism()).isEqualTo(2);
        assertThat(deployment.getSpec().getTaskManager().getResource().getCpu()).isEqualTo(0.5);
        assertThat(deployment.getSpec().getTaskManager().getResource().getMemory()).isEqualTo("4Gi");
        assertThat(deployment.getSpec().getJobManager().getReplicas()).isEqualTo(1);
        assertThat(deployment.getStatus()).isNull();
    }

    @Test
    void suspendedStateSuspendsTheJob() {
        assertThat(job(changed("sensor-anomalies", p -> p.getSpec().state = StreamingPipelineSpec.State.SUSPENDED)).getState())
                .isEqualTo(JobState.SUSPENDED);
        assertThat(job(desired(Examples.load("sensor-anomalies"))).getState()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void aSavepointTokenBecomesAStableNonce() {
        JobSpec none = job(desired(Examples.load("sensor-anomalies")));
        JobSpec first = job(changed("sensor-anomalies", p -> p.getSpec().savepoints.triggerToken = "before-migration"));
        JobSpec again = job(changed("sensor-anomalies", p -> p.getSpec().savepoints.triggerToken = "before-migration"));
        JobSpec second = job(changed("sensor-anomalies", p -> p.getSpec().savepoints.triggerToken = "before-migration-2"));

        assertThat(none.getSavepointTriggerNonce()).isNull();
        assertThat(first.getSavepointTriggerNonce()).isPositive().isEqualTo(again.getSavepointTriggerNonce());
        assertThat(second.getSavepointTriggerNonce()).isPositive().isNotEqualTo(first.getSavepointTriggerNonce());
    }

    @Test
    void aRestoreRedeploysFromTheGivenSavepoint() {
        JobSpec job = job(changed("sensor-anomalies", p -> {
            p.getSpec().restore = new RestoreSpec();
            p.getSpec().restore.token = "restore-1";
            p.getSpec().restore.savepointPath = "s3://flink-state/manual/savepoint-1a2b3c";
        }));

        assertThat(job.getInitialSavepointPath()).isEqualTo("s3://flink-state/manual/savepoint-1a2b3c");
        assertThat(job.getSavepointRedeployNonce()).isEqualTo(Hashes.nonce("restore-1"));
        assertThat(job.getAllowNonRestoredState()).isNull();
    }

    @Test
    void anOffsetResetThatKeepsStateStartsANewSourceEpochAndAllowsItsOldStateUnclaimed() {
        StreamingPipeline pipeline = Examples.load("sensor-anomalies");
        pipeline.getSpec().offsetReset = new OffsetResetSpec();
        pipeline.getSpec().offsetReset.token = "reset-1";
        pipeline.getSpec().offsetReset.to = OffsetResetSpec.Target.LATEST;
        JobSpec job = job(DesiredState.of(pipeline, new DeploymentInputs(128, "reset-1", false, true), Examples.DEFAULTS));

        assertThat(job.getArgs()).endsWith(JobContract.ARG_SOURCE_EPOCH, "reset-1");
        assertThat(job.getAllowNonRestoredState()).isTrue();
        assertThat(job.getUpgradeMode()).isEqualTo(UpgradeMode.SAVEPOINT);
    }

    @Test
    void startingWithoutStateIsAStatelessUpgrade() {
        StreamingPipeline pipeline = Examples.load("sensor-anomalies");
        JobSpec job = job(DesiredState.of(pipeline, new DeploymentInputs(128, "reset-2", true), Examples.DEFAULTS));

        assertThat(job.getUpgradeMode()).isEqualTo(UpgradeMode.STATELESS);
    }

    @Test
    void cloudStoragesEnableTheirFilesystemPlugin() {
        DesiredState s3 = desired(Examples.load("sensor-anomalies"));
        DesiredState gcs = changed("sensor-anomalies", p -> {
            p.getSpec().checkpointing.storage = new CheckpointingSpec.Storage();
            p.getSpec().checkpointing.storage.gcs = new CheckpointingSpec.Gcs();
            p.getSpec().checkpointing.storage.gcs.bucket = "state";
            p.getSpec().checkpointing.storage.gcs.credentialsSecretRef = new CheckpointingSpec.CloudCredentials();
            p.getSpec().checkpointing.storage.gcs.credentialsSecretRef.name = "gcs-key";
        });

        assertThat(env(s3)).containsEntry("ENABLE_BUILT_IN_PLUGINS", "flink-s3-fs-presto-1.20.3.jar");
        assertThat(env(gcs)).containsEntry("ENABLE_BUILT_IN_PLUGINS", "flink-gs-fs-hadoop-1.20.3.jar")
                .containsEntry("GOOGLE_APPLICATION_CREDENTIALS", "/opt/streampipe/gcs/key.json");
        assertThat(flinkConfiguration(gcs)).containsEntry("state.checkpoints.dir", "gs://state/analytics/sensor-anomalies/checkpoints");
        assertThat(gcs.flinkDeployment().getSpec().getPodTemplate().getSpec().getVolumes())
                .filteredOn(v -> v.getSecret() != null)
                .singleElement().satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("gcs-key"));
        assertThat(env(desired(Examples.load("orders-upsert")))).doesNotContainKey("ENABLE_BUILT_IN_PLUGINS");
    }

    @Test
    void flinkDurationsUseTheLargestWholeUnit() {
        assertThat(FlinkConfiguration.flinkDuration(Duration.ofMinutes(90))).isEqualTo("90min");
        assertThat(FlinkConfiguration.flinkDuration(Duration.ofHours(2))).isEqualTo("2h");
        assertThat(FlinkConfiguration.flinkDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(FlinkConfiguration.flinkDuration(Duration.ZERO)).isEqualTo("0s");
    }

    private static Map<String, String> env(DesiredState desired) {
        Map<String, String> env = new LinkedHashMap<>();
        desired.flinkDeployment().getSpec().getPodTemplate().getSpec().getContainers().get(0).getEnv()
                .forEach(e -> env.put(e.getName(), e.getValue()));
        return env;
    }
}
