package io.streampipe.charts.argocd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.streampipe.testkit.kube.KubeApiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every action's result, on a running and on a suspended pipeline, is a spec the chart's CRD accepts (OpenAPI + CEL). */
class ArgoCdActionsOnApiServerTest {
    @RegisterExtension
    static final KubeApiServer apiServer = new KubeApiServer().withoutFlinkOperatorCrds()
            .withCrds(Path.of("streampipe/crds/streamingpipelines.streampipe.io-v1.yml"));
    private static final ResourceDefinitionContext PIPELINES = new ResourceDefinitionContext.Builder()
            .withGroup("streampipe.io").withVersion("v1alpha1").withPlural("streamingpipelines").withKind("StreamingPipeline")
            .withNamespaced(true).build();

    @Test
    void everyActionLeavesASpecTheApiServerAccepts() {
        for (Path sample : List.of(ArgoCdActionsTest.RUNNING, ArgoCdActionsTest.SUSPENDED)) {
            for (String action : ArgoLua.actionNames()) {
                JsonNode result = ArgoLua.run(ArgoLua.action(action), ArgoLua.readYaml(sample));
                ObjectNode manifest = ArgoLua.YAML.createObjectNode();
                manifest.put("apiVersion", "streampipe.io/v1alpha1").put("kind", "StreamingPipeline");
                manifest.putObject("metadata").put("name", "argocd-" + action).put("namespace", "default");
                manifest.set("spec", result.get("spec"));

                GenericKubernetesResource accepted = apiServer.client().genericKubernetesResources(PIPELINES).inNamespace("default")
                        .resource(ArgoLua.YAML.convertValue(manifest, GenericKubernetesResource.class)).dryRun().create();
                JsonNode acceptedSpec = ArgoLua.YAML.valueToTree(accepted.getAdditionalProperties().get("spec"));
                assertThat(acceptedSpec.get("state")).as("%s on %s", action, sample).isEqualTo(result.at("/spec/state"));
                assertThat(acceptedSpec.get("offsetReset")).as("%s on %s", action, sample).isEqualTo(result.at("/spec/offsetReset").isMissingNode() ? null : result.at("/spec/offsetReset"));
                assertThat(acceptedSpec.at("/savepoints/triggerToken")).as("%s on %s", action, sample).isEqualTo(result.at("/spec/savepoints/triggerToken"));
            }
        }
    }
}
