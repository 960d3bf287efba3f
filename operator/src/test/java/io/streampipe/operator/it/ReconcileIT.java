package io.streampipe.operator.it;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.api.v1alpha1.RestoreSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.UpgradeSpec;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.desired.DeploymentInputs;
import io.streampipe.operator.desired.DesiredState;
import io.streampipe.operator.status.Conditions;
import io.streampipe.operator.status.Reasons;
import io.streampipe.operator.testing.Examples;
import io.streampipe.operator.testing.FlinkStatuses;
import io.streampipe.operator.testing.Trees;
import io.streampipe.testkit.kube.KubeApiServer;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The operator against a real kube-apiserver with the real FlinkDeployment CRD; the test plays user and Flink operator. */
class ReconcileIT {
    @RegisterExtension
    static final KubeApiServer apiServer = new KubeApiServer().withCrds(Path.of("../crds/streamingpipelines.streampipe.io-v1.yml"));

    private RunningOperator operator;
    private Cluster cluster;

    @BeforeEach
    void start(TestInfo test) {
        cluster = new Cluster(apiServer.client(), test.getTestMethod().orElseThrow().getName().toLowerCase(Locale.ROOT).substring(0, 20));
        operator = RunningOperator.start(apiServer.kubeconfig());
    }

    @AfterEach
    void stop() {
        operator.close();
    }

    private StreamingPipeline pipeline(String name) {
        return cluster.pipeline(name).get();
    }

    private static Condition condition(StreamingPipeline pipeline, String type) {
        return Conditions.find(pipeline.getStatus().conditions, type).orElseThrow(() -> new AssertionError("no " + type + " condition"));
    }

    /** The FlinkDeployment the pure builder makes for the pipeline as it is stored now. */
    private static DesiredState desiredFor(StreamingPipeline stored) {
        StreamingPipeline pipeline = Serialization.clone(stored);
        StreamingPipelineStatus status = pipeline.getStatus();
        return DesiredState.of(pipeline, new DeploymentInputs(status.maxParallelism, status.sourceEpoch, false), Examples.DEFAULTS);
    }

    private static void assertOwnedBy(HasMetadata child, StreamingPipeline owner) {
        assertThat(child.getMetadata().getOwnerReferences()).singleElement().satisfies((OwnerReference ref) -> {
            assertThat(ref.getUid()).isEqualTo(owner.getMetadata().getUid());
            assertThat(ref.getKind()).isEqualTo("StreamingPipeline");
        });
    }

    @Test
    void createsTheFlinkDeploymentAndItsConfigMapOwnedByThePipeline() {
        cluster.createAllSecrets();
        cluster.createPipeline("sensor-anomalies");

        FlinkDeployment deployment = Eventually.get(() -> cluster.flinkDeployment("sensor-anomalies"));
        ConfigMap jobConfig = Eventually.get(() -> cluster.jobConfig("sensor-anomalies"));
        StreamingPipeline pipeline = pipeline("sensor-anomalies");

        DesiredState desired = desiredFor(pipeline);
        assertThat(Trees.tree(deployment.getSpec())).as("accepted by the real CRD, stored unchanged")
                .isEqualTo(Trees.tree(desired.flinkDeployment().getSpec()));
        assertThat(jobConfig.getData()).isEqualTo(desired.jobConfigMap().getData());
        assertOwnedBy(deployment, pipeline);
        assertOwnedBy(jobConfig, pipeline);
        assertThat(pipeline.getMetadata().getFinalizers()).containsExactly(PipelineResources.FINALIZER);
        assertThat(pipeline.getStatus().maxParallelism).isEqualTo(128);
        assertThat(pipeline.getStatus().lastAppliedSpecHash).isEqualTo(desired.specHash());
        assertThat(pipeline.getStatus().observedGeneration).isEqualTo(pipeline.getMetadata().getGeneration());
        assertThat(pipeline.getStatus().phase).isIn("Pending", "Deploying");
        Eventually.until(() -> assertThat(cluster.events("sensor-anomalies")).extracting(e -> e.getMessage())
                .anySatisfy(message -> assertThat(message).contains("FlinkDeployment " + cluster.namespace + "/sensor-anomalies")));
    }

    /**
     * Creation costs one Event, which says everything the four of before did (the two children created, for which
     * generation, and that Flink is deploying): Events were 40 % of the operator's writes at creation (e2e/bench/README.md).
     */
    @Test
    void aNewPipelineGetsOneEventNamingWhatWasCreated() {
        cluster.createAllSecrets();
        int mark = apiServer.auditLog().events().size();
        cluster.createPipeline("sensor-anomalies");

        FlinkDeployment deployment = Eventually.get(() -> cluster.flinkDeployment("sensor-anomalies"));
        Eventually.until(() -> assertThat(pipeline("sensor-anomalies").getStatus().phase).isEqualTo("Deploying"));
        // The test plays FKO and writes no FlinkDeployment status: nothing happens after the creation, however long one waits.
        Eventually.sleep(RunningOperator.RESYNC.multipliedBy(3));

        String jobConfig = cluster.jobConfig("sensor-anomalies").getMetadata().getName();
        String ns = cluster.namespace;
        assertThat(cluster.events("sensor-anomalies")).singleElement().satisfies(event -> {
            assertThat(event.getType()).isEqualTo("Normal");
            assertThat(event.getReason()).isEqualTo(Reasons.DEPLOYING).isIn(Reasons.all());
            assertThat(event.getMessage()).isEqualTo("Created ConfigMap " + ns + "/" + jobConfig + " and FlinkDeployment " + ns
                    + "/" + deployment.getMetadata().getName() + " for generation 1; Flink is deploying " + ns + "/sensor-anomalies");
        });
        assertThat(Cluster.writesSince(apiServer.auditLog(), mark, ns)).filteredOn(write -> "events".equals(write.resource()))
                .as("Events written at creation, as the audit log has them").hasSize(1);
    }

    @Test
    void pvcStorageGetsAnOwnedClaim() {
        cluster.createAllSecrets();
        cluster.createPipeline("clickstream-sessions");

        var pvc = Eventually.get(() -> cluster.client.persistentVolumeClaims().inNamespace(cluster.namespace)
                .withName("clickstream-sessions-state").get());
        assertOwnedBy(pvc, pipeline("clickstream-sessions"));
        assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
        Eventually.get(() -> cluster.flinkDeployment("clickstream-sessions"));
    }

    @Test
    void changesOfParallelismWindowAndImageChangeTheFlinkDeploymentExactlyAsExpected() {
        cluster.createAllSecrets();
        cluster.createPipeline("sensor-anomalies");
        FlinkDeployment first = Eventually.get(() -> cluster.flinkDeployment("sensor-anomalies"));

        Map<String, Consumer<StreamingPipeline>> changes = Map.of(
                "parallelism", p -> p.getSpec().parallelism = 4,
                "window", p -> p.getSpec().transform.window.size = "10m",
                "image", p -> p.getSpec().image = "ghcr.io/streampipe/pipeline-job:0.2.0");
        String previousVersion = first.getMetadata().getResourceVersion();
        for (var change : changes.entrySet()) {
            cluster.edit("sensor-anomalies", change.getValue());
            String after = previousVersion;
            Eventually.until(() -> {
                StreamingPipeline pipeline = pipeline("sensor-anomalies");
                assertThat(pipeline.getStatus().observedGeneration).isEqualTo(pipeline.getMetadata().getGeneration());
                FlinkDeployment deployment = cluster.flinkDeployment("sensor-anomalies");
                assertThat(deployment.getMetadata().getResourceVersion()).as(change.getKey()).isNotEqualTo(after);
                assertThat(Trees.tree(deployment.getSpec())).as(change.getKey())
                        .isEqualTo(Trees.tree(desiredFor(pipeline).flinkDeployment().getSpec()));
            });
            previousVersion = cluster.flinkDeployment("sensor-anomalies").getMetadata().getResourceVersion();
        }
        FlinkDeployment last = cluster.flinkDeployment("sensor-anomalies");
        assertThat(last.getSpec().getJob().getParallelism()).isEqualTo(4);
        assertThat(last.getSpec().getImage()).isEqualTo("ghcr.io/streampipe/pipeline-job:0.2.0");
        assertThat(cluster.jobConfig("sensor-anomalies").getData().get("spec.json")).contains("\"size\" : \"10m\"");
        // Versions no FlinkDeployment spec names are gone: what remains is the new one and the one the job runs with.
        Eventually.until(() -> assertThat(cluster.jobConfigs("sensor-anomalies")).extracting(c -> c.getMetadata().getName())
                .contains(cluster.jobConfig("sensor-anomalies").getMetadata().getName()).hasSizeLessThanOrEqualTo(2));
    }

    @Test
    void anUnchangedPipelineCausesNoWritesAcrossResyncs() {
        cluster.createAllSecrets();
        cluster.createPipeline("sensor-anomalies");
        Eventually.get(() -> cluster.flinkDeployment("sensor-anomalies"));
        cluster.writeFlinkStatus("sensor-anomalies", FlinkStatuses::running);
        Eventually.until(() -> assertThat(condition(pipeline("sensor-anomalies"), Conditions.READY).getStatus()).isEqualTo("True"));
        Eventually.sleep(RunningOperator.RESYNC.multipliedBy(2));

        cluster.edit("sensor-anomalies", p -> {
            p.getMetadata().getLabels().put("team", "platform");
            p.getMetadata().getAnnotations().put("note", "unrelated");
        });
        int mark = apiServer.auditLog().events().size();
        double reconcilesBefore = operator.reconciliationsStarted();
        Eventually.sleep(RunningOperator.RESYNC.multipliedBy(5));

        assertThat(operator.reconciliationsStarted() - reconcilesBefore).as("resyncs in the window").isGreaterThanOrEqualTo(3);
        assertThat(Cluster.writesSince(apiServer.auditLog(), mark, cluster.namespace))
                .as("writes during five resyncs of an unchanged pipeline").isEmpty();
    }

    /**
     * A reconcile that fails after its apply (here the API server refuses to delete the job configuration no
     * FlinkDeployment names any more) reports the failure on top of the status it wrote before the apply, which
     * records what the FlinkDeployment now runs (the spec hash, the pinned max parallelism, the source epoch, the
     * tokens), never on top of the status the reconcile started from.
     */
    @Test
    void aFailureAfterTheApplyKeepsTheRecordOfWhatWasApplied() {
        refuseConfigMapDeletes(cluster.namespace);
        cluster.createAllSecrets();
        cluster.createPipeline("sensor-anomalies");
        Eventually.until(() -> assertThat(pipeline("sensor-anomalies").getStatus().lastAppliedSpecHash).isNotNull());
        String firstHash = pipeline("sensor-anomalies").getStatus().lastAppliedSpecHash;

        cluster.edit("sensor-anomalies", p -> p.getSpec().sink.postgres.batch.size = 77);

        Eventually.until(() -> {
            Condition ready = condition(pipeline("sensor-anomalies"), Conditions.READY);
            assertThat(ready.getReason()).isEqualTo(Reasons.RECONCILE_FAILED);
            assertThat(ready.getMessage()).contains("ConfigMap deletes are refused");
        });
        String applied = cluster.flinkDeployment("sensor-anomalies").getMetadata().getAnnotations().get(PipelineResources.ANNOTATION_SPEC_HASH);
        assertThat(applied).as("the FlinkDeployment has the change").isNotEqualTo(firstHash);
        // Across java-operator-sdk's retries (each one fails the same way), the status never says less was applied.
        Instant end = Instant.now().plusSeconds(8);
        while (Instant.now().isBefore(end)) {
            assertThat(pipeline("sensor-anomalies").getStatus().lastAppliedSpecHash).as("what the status says was applied")
                    .isEqualTo(applied);
            Eventually.sleep(Duration.ofMillis(100));
        }
    }

    /** A ValidatingAdmissionPolicy that denies every ConfigMap delete in the namespace. */
    private void refuseConfigMapDeletes(String namespace) {
        String name = "refuse-configmap-deletes-" + namespace;
        apiServer.client().resource("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicy
                metadata: {name: %s}
                spec:
                  failurePolicy: Fail
                  matchConstraints:
                    resourceRules:
                    - {apiGroups: [""], apiVersions: ["v1"], operations: ["DELETE"], resources: ["configmaps"]}
                  validations:
                  - {expression: "false", message: "ConfigMap deletes are refused in this namespace"}
                """.formatted(name)).create();
        apiServer.client().resource("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingAdmissionPolicyBinding
                metadata: {name: %s}
                spec:
                  policyName: %s
                  validationActions: [Deny]
                  matchResources:
                    namespaceSelector:
                      matchLabels: {kubernetes.io/metadata.name: %s}
                """.formatted(name, name, namespace)).create();
        // The API server enforces a new policy a moment after it is created: wait until a delete is refused.
        ConfigMap probe = new ConfigMapBuilder().withNewMetadata().withName("probe-deletes-refused").withNamespace(namespace)
                .endMetadata().build();
        Eventually.until(() -> {
            apiServer.client().resource(probe).serverSideApply();
            assertThatThrownBy(() -> apiServer.client().resource(probe).delete()).hasMessageContaining("ConfigMap deletes are refused");
        });
    }

    @Test
    void statusFollowsTheFlinkDeployment() {
        cluster.createAllSecrets();
        cluster.createPipeline("sensor-anomalies");
        Eventually.get(() -> cluster.flinkDeployment("sensor-anomalies"));

        cluster.writeFlinkStatus("sensor-anomalies", FlinkStatuses::deploying);
        Eventually.until(() -> {
            StreamingPipeline pipeline = pipeline("sensor-anomalies");
            assertThat(pipeline.getStatus().phase).isEqualTo("Deploying");
            assertThat(condition(pipeline, Conditions.PROGRESSING).getStatus()).isEqualTo("True");
        });

        cluster.writeFlinkStatus("sensor-anomalies", FlinkStatuses::running);
        Eventually.until(() -> {
            StreamingPipeline pipeline = pipeline("sensor-anomalies");
            assertThat(pipeline.getStatus().phase).isEqualTo("Running");
            assertThat(condition(pipeline, Conditions.READY).getStatus()).isEqualTo("True");
            assertThat(condition(pipeline, Conditions.PROGRESSING).getStatus()).isEqualTo("False");
            assertThat(pipeline.getStatus().job.id).isEqualTo(FlinkStatuses.JOB_ID);
            assertThat(pipeline.getStatus().job.parallelism).isEqualTo(2);
        });

        cluster.writeFlinkStatus("sensor-anomalies", FlinkStatuses::restarting);
        Eventually.until(() -> {
            StreamingPipeline pipeline = pipeline("sensor-anomalies");
            assertThat(condition(pipeline, Conditions.DEGRADED).getStatus()).isEqualTo("True");
            assertThat(condition(pipeline, Conditions.READY).getReason()).isEqualTo("JobRestarting");
        });

        cluster.writeFlinkStatus("sensor-anomalies", d -> FlinkStatuses.failed(d, "Job failed: NoClassDefFoundError"));
        Eventually.until(() -> {
            StreamingPipeline pipeline = pipeline("sensor-anomalies");
            assertThat(pipeline.getStatus().phase).isEqualTo("Failed");
            assertThat(condition(pipeline, Conditions.DEGRADED).getReason()).isEqualTo("JobFailed");
            assertThat(condition(pipeline, Conditions.DEGRADED).getMessage()).contains("NoClassDefFoundError");
        });
        Eventually.until(() -> assertThat(cluster.events("sensor-anomalies")).extracting(e -> e.getReason())
                .contains("Deploying", "Running", "JobRestarting", "JobFailed"));
    }

    @Test
    void aMissingSecretBlocksWithAConditionUntilItAppears() {
        cluster.createSecret("flink-state-s3");
        cluster.createPipeline("sensor-anomalies");

        Eventually.until(() -> {
            Condition ready = condition(pipeline("sensor-anomalies"), Conditions.READY);
            assertThat(ready.getStatus()).isEqualTo("False");
            assertThat(ready.getReason()).isEqualTo("SecretNotFound");
            assertThat(ready.getMessage()).contains("spec.sink.postgres.credentialsSecretRef", "analytics-db");
        });
        assertThat(cluster.flinkDeployment("sensor-anomalies")).as("nothing partial is created").isNull();
        assertThat(cluster.jobConfigs("sensor-anomalies")).isEmpty();

        cluster.createSecret("analytics-db");
        Eventually.get(() -> cluster.flinkDeployment("sensor-anomalies"));
        Eventually.until(() -> assertThat(condition(pipeline("sensor-anomalies"), Conditions.READY).getReason()).isNotEqualTo("SecretNotFound"));
        assertThat(cluster.events("sensor-anomalies")).filteredOn(e -> "SecretNotFound".equals(e.getReason()))
                .singleElement().satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
    }

    @Test
    void aMaxParallelismThatDiffersFromThePinnedOneIsRefused() {
        cluster.createAllSecrets();
        cluster.createPipeline("orders-upsert");
        Eventually.until(() -> assertThat(pipeline("orders-upsert").getStatus().maxParallelism).isEqualTo(128));
        FlinkDeployment before = Eventually.get(() -> cluster.flinkDeployment("orders-upsert"));

        cluster.edit("orders-upsert", p -> {
            p.getSpec().maxParallelism = 256;
            p.getSpec().parallelism = 3;
        });

        Eventually.until(() -> {
            Condition ready = condition(pipeline("orders-upsert"), Conditions.READY);
            assertThat(ready.getReason()).isEqualTo("MaxParallelismChanged");
            assertThat(ready.getMessage()).startsWith("spec.maxParallelism");
        });
        assertThat(cluster.flinkDeployment("orders-upsert").getMetadata().getResourceVersion())
                .as("the FlinkDeployment is left as it was").isEqualTo(before.getMetadata().getResourceVersion());
    }

    static final Map<String, Consumer<StreamingPipeline>> VARIANTS = Map.of(
            "as in the example", p -> { },
            "last-state with HA", p -> p.getSpec().upgrade.mode = UpgradeSpec.Mode.LAST_STATE,
            "suspended with tokens", p -> {
                p.getSpec().state = StreamingPipelineSpec.State.SUSPENDED;
                p.getSpec().savepoints.triggerToken = "sp-1";
                p.getSpec().restore = new RestoreSpec();
                p.getSpec().restore.token = "r-1";
                p.getSpec().restore.savepointPath = "s3://b/savepoints/savepoint-1";
                p.getSpec().restore.allowNonRestoredState = true;
            });

    @Test
    void everyDesiredFlinkDeploymentValidatesAgainstTheRealCrd() {
        for (String example : Examples.NAMES) {
            for (var variant : VARIANTS.entrySet()) {
                StreamingPipeline pipeline = Examples.load(example);
                variant.getValue().accept(pipeline);
                pipeline.getMetadata().setNamespace(cluster.namespace);
                FlinkDeployment desired = DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS).flinkDeployment();
                FlinkDeployment accepted = cluster.flinkDeployments().resource(desired).dryRun().create();
                assertThat(Trees.tree(accepted.getSpec())).as("%s, %s", example, variant.getKey())
                        .isEqualTo(Trees.tree(desired.getSpec()));
            }
        }
    }

    @Test
    void noSecretValueReachesTheApiServerThroughTheOperator() {
        cluster.createAllSecrets();
        cluster.createPipeline("orders-upsert");
        Eventually.get(() -> cluster.flinkDeployment("orders-upsert"));
        Eventually.until(() -> assertThat(cluster.events("orders-upsert")).isNotEmpty());

        String everything = Serialization.asYaml(cluster.flinkDeployment("orders-upsert"))
                + Serialization.asYaml(cluster.jobConfig("orders-upsert"))
                + Serialization.asYaml(pipeline("orders-upsert"))
                + Serialization.asYaml(cluster.events("orders-upsert"));
        Cluster.SECRETS.values().forEach(values -> values.values().stream().filter(v -> v.contains("secret"))
                .forEach(value -> assertThat(everything).doesNotContain(value)));
    }
}
