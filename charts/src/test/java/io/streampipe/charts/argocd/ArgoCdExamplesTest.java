package io.streampipe.charts.argocd;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The Argo CD Applications of examples/argocd name this chart's version and a pipeline that exists. */
class ArgoCdExamplesTest {
    private static final Path EXAMPLES = Path.of("../examples");

    @Test
    void theOperatorApplicationInstallsThisChartVersion() {
        JsonNode chart = ArgoLua.readYaml(Path.of("streampipe/Chart.yaml"));
        JsonNode source = ArgoLua.readYaml(EXAMPLES.resolve("argocd/streampipe-operator.yaml")).at("/spec/source");

        assertThat(source.get("chart").asText()).isEqualTo(chart.get("name").asText());
        assertThat(source.get("targetRevision").asText()).isEqualTo(chart.get("version").asText());
        assertThat(source.get("repoURL").asText()).as("where .github/workflows/release.yml pushes the chart")
                .isEqualTo("ghcr.io/streampipe/charts");
    }

    @Test
    void thePipelineApplicationSyncsAnExampleWithoutSelfHeal() {
        JsonNode application = ArgoLua.readYaml(EXAMPLES.resolve("argocd/sensor-anomalies.yaml"));
        Path manifest = EXAMPLES.getParent().resolve(application.at("/spec/source/path").asText())
                .resolve(application.at("/spec/source/directory/include").asText());

        assertThat(Files.isRegularFile(manifest)).as(manifest.toString()).isTrue();
        assertThat(ArgoLua.readYaml(manifest).get("kind").asText()).isEqualTo("StreamingPipeline");
        assertThat(application.at("/spec/syncPolicy/automated/selfHeal").asBoolean(false))
                .as("self-heal would undo every resource action at once").isFalse();
    }
}
