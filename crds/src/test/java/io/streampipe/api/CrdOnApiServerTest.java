package io.streampipe.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.testkit.kube.KubeApiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The committed CRD on a real kube-apiserver: what it accepts, what it refuses, and what it says when it refuses. */
class CrdOnApiServerTest {
    static final Path CRD = Path.of(CrdFreshnessTest.CRD_FILE);

    @RegisterExtension
    static final KubeApiServer apiServer = new KubeApiServer().withCrds(CRD);

    static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> pipelines() {
        KubernetesClient client = apiServer.client();
        return client.genericKubernetesResources(StreamingPipeline.GROUP + "/" + StreamingPipeline.VERSION, "StreamingPipeline")
                .inNamespace("default");
    }

    static GenericKubernetesResource resource(ObjectNode manifest) {
        return Serialization.unmarshal(manifest.toString(), GenericKubernetesResource.class);
    }

    static Stream<String> examples() throws IOException {
        return SpecValidatorTest.examples().map(p -> p.getFileName().toString());
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleIsAccepted(String example) {
        GenericKubernetesResource created = pipelines().resource(resource(ManifestCase.readExample(example))).create();
        assertThat(created.getMetadata().getUid()).isNotBlank();
        // Defaults declared in the schema are applied by the server.
        assertThat(created.getAdditionalProperties().get("spec").toString()).contains("state=running");
        // And the stored object reads back into the Java types the operator uses.
        StreamingPipeline typed = apiServer.client().resources(StreamingPipeline.class).inNamespace("default")
                .withName(created.getMetadata().getName()).get();
        assertThat(SpecValidator.problems(typed.getSpec())).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.streampipe.api.ManifestCase#all")
    void invalidManifestIsRefusedNamingTheField(ManifestCase invalid) {
        assertThatThrownBy(() -> pipelines().resource(resource(invalid.manifest())).create())
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
                .hasMessageContaining(invalid.field());
    }

    @Test
    void maxParallelismCannotChangeOrBeRemovedOnceSet() {
        ObjectNode manifest = ManifestCase.readExample("sensor-anomalies.yaml");
        ((ObjectNode) manifest.get("metadata")).put("name", "immutable-max-parallelism");
        pipelines().resource(resource(manifest)).create();

        ObjectNode changed = manifest.deepCopy();
        ((ObjectNode) changed.get("spec")).put("maxParallelism", 256);
        assertThatThrownBy(() -> pipelines().resource(resource(changed)).update())
                .hasMessageContaining("spec.maxParallelism is immutable");

        ObjectNode removed = manifest.deepCopy();
        ((ObjectNode) removed.get("spec")).remove("maxParallelism");
        assertThatThrownBy(() -> pipelines().resource(resource(removed)).update())
                .hasMessageContaining("spec.maxParallelism is immutable");

        ObjectNode rescaled = manifest.deepCopy();
        ((ObjectNode) rescaled.get("spec")).put("parallelism", 8);
        assertThat(pipelines().resource(resource(rescaled)).update().getMetadata().getGeneration()).isEqualTo(2L);
    }

    /**
     * At-least-once checkpoints are refused with a window (the windows' state would count replayed events twice after a
     * restore) but accepted without one, where every replayed row is an idempotent upsert.
     */
    @Test
    void atLeastOnceCheckpointsAreAcceptedWithoutAWindow() {
        ObjectNode manifest = ManifestCase.readExample("orders-upsert.yaml");
        ((ObjectNode) manifest.get("metadata")).put("name", "at-least-once-without-window");
        ((ObjectNode) manifest.at("/spec/checkpointing")).put("mode", "at-least-once");
        assertThat(pipelines().resource(resource(manifest)).create().getMetadata().getUid()).isNotBlank();
    }

    @Test
    void statusIsASubresource() {
        ObjectNode manifest = ManifestCase.readExample("orders-upsert.yaml");
        ((ObjectNode) manifest.get("metadata")).put("name", "status-subresource");
        pipelines().resource(resource(manifest)).create();
        var typed = apiServer.client().resources(StreamingPipeline.class).inNamespace("default").withName("status-subresource");

        StreamingPipeline pipeline = typed.get();
        pipeline.setStatus(new StreamingPipelineStatus());
        pipeline.getStatus().phase = "Running";
        pipeline.getStatus().observedGeneration = 1L;
        StreamingPipeline updated = typed.updateStatus(pipeline);

        assertThat(updated.getStatus().phase).isEqualTo("Running");
        assertThat(updated.getMetadata().getGeneration()).as("a status write is not a spec change").isEqualTo(1L);
    }

    @Test
    void everyFieldHasADescriptionForKubectlExplain() throws IOException {
        JsonNode schema = ManifestCase.YAML.readTree(Files.readString(CRD))
                .at("/spec/versions/0/schema/openAPIV3Schema/properties");
        List<String> undocumented = new ArrayList<>();
        collectUndocumented("", schema.get("spec"), undocumented);
        collectUndocumented("", schema.get("status"), undocumented);
        assertThat(undocumented).isEmpty();
    }

    @Test
    void printerColumnsSummariseThePipeline() throws IOException {
        JsonNode columns = ManifestCase.YAML.readTree(Files.readString(CRD)).at("/spec/versions/0/additionalPrinterColumns");
        List<String> names = new ArrayList<>();
        columns.forEach(c -> names.add(c.get("name").asText()));
        assertThat(names).containsExactlyInAnyOrder("Phase", "Desired", "Running", "Job", "Last Savepoint", "Ready", "Age");
    }

    /** Fields of the spec and status without a description; Condition's own fields come documented from fabric8. */
    private static void collectUndocumented(String path, JsonNode node, List<String> undocumented) {
        JsonNode properties = node.has("items") ? node.get("items").get("properties") : node.get("properties");
        if (properties == null) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
            var field = it.next();
            String fieldPath = path + "." + field.getKey();
            if (!field.getValue().has("description") && !fieldPath.startsWith(".conditions.")) {
                undocumented.add(fieldPath);
            }
            collectUndocumented(fieldPath, field.getValue(), undocumented);
        }
    }
}
