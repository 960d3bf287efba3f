package io.streampipe.charts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.streampipe.operator.BuildInfo;
import io.streampipe.operator.OperatorConfig;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The images Jib builds (the root pom's {@code operator.image} and {@code pipeline-job.image}, tagged with the project
 * version) are the ones the chart installs by default and the one the operator gives pipelines that name no image.
 */
class ImageCoordinatesTest {
    private static final Path ROOT_POM = Path.of("../pom.xml");
    private static final Path CHART = HelmChartTest.CHART;

    @Test
    void theChartAndTheOperatorDefaultToTheImagesOfThisVersion() throws Exception {
        Map<String, String> pom = rootPomProperties();
        String version = pom.get("project.version");
        String operatorImage = pom.get("operator.image");
        String jobImage = pom.get("pipeline-job.image");
        assertThat(operatorImage).isEqualTo("ghcr.io/streampipe/operator:" + version);
        assertThat(jobImage).isEqualTo("ghcr.io/streampipe/pipeline-job:" + version);

        YAMLMapper yaml = new YAMLMapper();
        JsonNode chart = yaml.readTree(CHART.resolve("Chart.yaml").toFile());
        JsonNode values = yaml.readTree(CHART.resolve("values.yaml").toFile());
        assertThat(chart.path("appVersion").asText()).as("Chart.yaml appVersion").isEqualTo(version);
        assertThat(chart.path("version").asText()).as("Chart.yaml version").isEqualTo(version);
        assertThat(values.path("image").path("tag").asText()).as("values.yaml image.tag: empty, so the appVersion").isEmpty();
        assertThat(values.path("image").path("repository").asText() + ":" + chart.path("appVersion").asText())
                .as("the operator image the chart installs").isEqualTo(operatorImage);
        assertThat(values.path("pipelineJob").path("defaultImage").asText()).as("values.yaml pipelineJob.defaultImage")
                .isEqualTo(jobImage);

        assertThat(BuildInfo.VERSION).as("the operator's build.properties").isEqualTo(version);
        assertThat(OperatorConfig.DEFAULT_IMAGE).isEqualTo(jobImage);
        assertThat(OperatorConfig.fromEnvironment(Map.of()).defaults().image()).isEqualTo(jobImage);
    }

    /** The root pom's version and properties, with ${...} references among them resolved. */
    private static Map<String, String> rootPomProperties() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(ROOT_POM.toFile());
        Element project = pom.getDocumentElement();
        Map<String, String> properties = new HashMap<>();
        properties.put("project.version", child(project, "version").getTextContent().trim());
        for (Node node = child(project, "properties").getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element property) {
                properties.put(property.getTagName(), property.getTextContent().trim());
            }
        }
        properties.replaceAll((key, value) -> resolve(value, properties));
        return properties;
    }

    private static Element child(Element parent, String name) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && element.getTagName().equals(name)) {
                return element;
            }
        }
        throw new AssertionError("pom.xml has no <" + name + ">");
    }

    private static String resolve(String value, Map<String, String> properties) {
        Matcher reference = Pattern.compile("\\$\\{([^}]+)}").matcher(value);
        StringBuilder resolved = new StringBuilder();
        while (reference.find()) {
            String target = properties.get(reference.group(1));
            reference.appendReplacement(resolved, Matcher.quoteReplacement(target == null ? reference.group() : resolve(target, properties)));
        }
        return reference.appendTail(resolved).toString();
    }
}
