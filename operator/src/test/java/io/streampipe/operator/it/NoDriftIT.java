package io.streampipe.operator.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.status.Conditions;
import io.streampipe.operator.testing.Examples;
import io.streampipe.operator.testing.FlinkStatuses;
import io.streampipe.testkit.kube.KubeApiServer;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Argo CD would see as drift: after a lifecycle driven the GitOps way (every change a server-side apply of the
 * whole manifest by Argo CD's field manager), the stored spec, labels and annotations are exactly those of the last
 * apply, and the operator's field manager owns only the status and its finalizer.
 */
class NoDriftIT {
    @RegisterExtension
    static final KubeApiServer apiServer = new KubeApiServer().withCrds(Path.of("../crds/streamingpipelines.streampipe.io-v1.yml"));
    private static final String GITOPS_MANAGER = "argocd-controller";
    private static final String NAME = "sensor-anomalies";
    private static final ResourceDefinitionContext PIPELINES = new ResourceDefinitionContext.Builder()
            .withGroup("streampipe.io").withVersion("v1alpha1").withPlural("streamingpipelines").withKind("StreamingPipeline")
            .withNamespaced(true).build();

    private RunningOperator operator;
    private Cluster cluster;
    /** The manifest in Git, changed step by step. */
    private final List<Consumer<StreamingPipeline>> gitChanges = new ArrayList<>();
    /** The pipeline as the API server stored it from the last apply (defaults filled in), as raw JSON. */
    private GenericKubernetesResource lastApplied;

    @BeforeEach
    void start() {
        cluster = new Cluster(apiServer.client(), "no-drift");
        operator = RunningOperator.start(apiServer.kubeconfig());
    }

    @AfterEach
    void stop() {
        operator.close();
    }

    @Test
    void afterCreateUpgradeSavepointSuspendAndResumeTheSpecIsTheAppliedOneAndTheOperatorOwnsOnlyStatus() {
        cluster.createAllSecrets();
        sync();
        Eventually.get(() -> cluster.flinkDeployment(NAME));
        cluster.writeFlinkStatus(NAME, FlinkStatuses::running);
        awaitPhase("Running");

        commit(p -> p.getSpec().parallelism = 3);
        Eventually.until(() -> assertThat(cluster.flinkDeployment(NAME).getSpec().getJob().getParallelism()).isEqualTo(3));
        cluster.writeFlinkStatus(NAME, FlinkStatuses::running);
        awaitPhase("Running");

        commit(p -> p.getSpec().savepoints.triggerToken = "git-1");
        Eventually.until(() -> assertThat(pipeline().getStatus().appliedTokens.savepoint).isEqualTo("git-1"));

        commit(p -> p.getSpec().state = StreamingPipelineSpec.State.SUSPENDED);
        Eventually.until(() -> assertThat(cluster.flinkDeployment(NAME).getSpec().getJob().getState()).isEqualTo(JobState.SUSPENDED));
        cluster.writeFlinkStatus(NAME, d -> FlinkStatuses.suspended(d, "file:///savepoints/savepoint-1", Instant.now().toEpochMilli()));
        awaitPhase("Suspended");

        commit(p -> p.getSpec().state = StreamingPipelineSpec.State.RUNNING);
        Eventually.until(() -> assertThat(cluster.flinkDeployment(NAME).getSpec().getJob().getState()).isEqualTo(JobState.RUNNING));
        cluster.writeFlinkStatus(NAME, FlinkStatuses::running);
        awaitPhase("Running");
        Eventually.sleep(RunningOperator.RESYNC.multipliedBy(3));

        GenericKubernetesResource stored = cluster.client.genericKubernetesResources(PIPELINES).inNamespace(cluster.namespace)
                .withName(NAME).get();
        assertThat(Serialization.asJson(stored.getAdditionalProperties().get("spec")))
                .as("the spec, byte for byte as the last apply stored it")
                .isEqualTo(Serialization.asJson(lastApplied.getAdditionalProperties().get("spec")));
        assertThat(stored.getMetadata().getGeneration()).as("no spec write since the last apply")
                .isEqualTo(lastApplied.getMetadata().getGeneration());
        assertThat(stored.getMetadata().getLabels()).isEqualTo(lastApplied.getMetadata().getLabels());
        assertThat(stored.getMetadata().getAnnotations()).isEqualTo(lastApplied.getMetadata().getAnnotations());
        assertThat(stored.getMetadata().getFinalizers()).containsExactly(PipelineResources.FINALIZER);

        List<ManagedFieldsEntry> operatorEntries = stored.getMetadata().getManagedFields().stream()
                .filter(entry -> PipelineResources.FIELD_MANAGER.equals(entry.getManager())).toList();
        assertThat(operatorEntries).as("the operator wrote the pipeline").isNotEmpty();
        for (ManagedFieldsEntry entry : operatorEntries) {
            JsonNode fields = Serialization.jsonMapper().valueToTree(entry.getFieldsV1().getAdditionalProperties());
            if ("status".equals(entry.getSubresource())) {
                assertThat(names(fields)).as("fields the operator owns through the status subresource").containsExactly("f:status");
            } else {
                assertThat(names(fields)).as("fields the operator owns on the main resource, %s", fields).containsExactly("f:metadata");
                assertThat(names(fields.get("f:metadata"))).as("metadata the operator owns").containsExactly("f:finalizers");
            }
        }
        ManagedFieldsEntry gitops = stored.getMetadata().getManagedFields().stream()
                .filter(entry -> GITOPS_MANAGER.equals(entry.getManager())).findFirst().orElseThrow();
        JsonNode gitopsSpec = Serialization.jsonMapper().valueToTree(gitops.getFieldsV1().getAdditionalProperties()).get("f:spec");
        assertThat(names(gitopsSpec)).as("Argo CD still owns every spec field it applied")
                .contains("f:parallelism", "f:state", "f:savepoints", "f:source", "f:sink");
    }

    /** A commit to the manifest in Git, then Argo CD's sync of it. */
    private void commit(Consumer<StreamingPipeline> change) {
        gitChanges.add(change);
        sync();
    }

    /** What Argo CD does with ServerSideApply=true: applies the whole manifest from Git as its own field manager. */
    private void sync() {
        StreamingPipeline manifest = Examples.load(NAME);
        manifest.getMetadata().setNamespace(cluster.namespace);
        manifest.getMetadata().setLabels(Map.of("app.kubernetes.io/instance", "pipelines"));
        manifest.getMetadata().setAnnotations(Map.of("argocd.argoproj.io/tracking-id",
                "pipelines:streampipe.io/StreamingPipeline:" + cluster.namespace + "/" + NAME));
        gitChanges.forEach(change -> change.accept(manifest));
        GenericKubernetesResource generic = Serialization.jsonMapper().convertValue(manifest, GenericKubernetesResource.class);
        Eventually.until(() -> lastApplied = cluster.client.genericKubernetesResources(PIPELINES).inNamespace(cluster.namespace)
                .resource(generic).fieldManager(GITOPS_MANAGER).forceConflicts().serverSideApply());
    }

    private StreamingPipeline pipeline() {
        return cluster.pipeline(NAME).get();
    }

    private void awaitPhase(String phase) {
        Eventually.until(Duration.ofSeconds(30), () -> {
            StreamingPipeline pipeline = pipeline();
            assertThat(pipeline.getStatus().observedGeneration).isEqualTo(pipeline.getMetadata().getGeneration());
            assertThat(pipeline.getStatus().phase).isEqualTo(phase);
            assertThat(Conditions.find(pipeline.getStatus().conditions, Conditions.READY)).isPresent();
        });
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
