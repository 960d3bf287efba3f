package io.streampipe.sandbox.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lines the demo prints are pasted into a shell as they are: each is run through bash here, and the merge patch
 * kubectl would get must name fields the committed CRD has, with values its schema accepts.
 */
class PasteCommandsTest {
    private static final Path CRD = Path.of(System.getProperty("streampipe.examples", "../../examples"))
            .resolve("../crds/streamingpipelines.streampipe.io-v1.yml");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyPatchAsTheShellPassesItNamesFieldsOfTheCrdWithValuesItAccepts() throws Exception {
        JSONSchemaProps schema = crdSchema();
        List<PasteCommands.Command> patches = PasteCommands.of("default", "sensor-anomalies", 2, true).stream()
                .filter(command -> command.patch() != null).toList();
        for (PasteCommands.Command command : patches) {
            List<String> argv = asTheShellSplitsIt(command.line());
            assertThat(argv.subList(0, 7)).as(command.line())
                    .containsExactly("kubectl", "patch", "spipe", "sensor-anomalies", "--type", "merge", "-p");
            assertThat(argv).hasSize(8);
            JsonNode patch = JSON.readTree(argv.get(7));
            List<String> problems = new ArrayList<>();
            check("", patch, schema, problems);
            assertThat(problems).as(command.line()).isEmpty();
        }
        assertThat(patches).extracting(command -> fieldsOf(command.patch()))
                .containsExactly(List.of("spec.parallelism"), List.of("spec.savepoints.triggerToken"),
                        List.of("spec.offsetReset.token", "spec.offsetReset.to", "spec.offsetReset.keepState"),
                        List.of("spec.state"), List.of("spec.state"));
    }

    @Test
    void tokensAreFilledInByTheShellAtEachPaste() throws Exception {
        PasteCommands.Command savepoint = PasteCommands.of("default", "sensor-anomalies", 2, true).get(2);
        assertThat(savepoint.line()).contains("\"'" + PasteCommands.NEW_TOKEN + "'\"");

        long before = System.currentTimeMillis() / 1000;
        JsonNode patch = JSON.readTree(asTheShellSplitsIt(savepoint.line()).get(7));
        long token = Long.parseLong(patch.at("/spec/savepoints/triggerToken").asText());
        assertThat(token).isBetween(before, System.currentTimeMillis() / 1000);
    }

    @Test
    void theRescaleChangesParallelismAndANamespaceOtherThanDefaultIsNamed() {
        List<PasteCommands.Command> commands = PasteCommands.of("team-a", "orders-upsert", 4, false);

        assertThat(commands).allSatisfy(command -> assertThat(command.line()).contains("spipe orders-upsert -n team-a "));
        assertThat(commands.get(0).line()).isEqualTo("kubectl get spipe orders-upsert -n team-a -w");
        assertThat(commands.get(1).patch()).isEqualTo(Map.of("spec", Map.of("parallelism", 5)));
        assertThat(commands.get(3).comment()).endsWith("the job keeps its state");
        assertThat(PasteCommands.of("default", "orders-upsert", 4, false)).noneSatisfy(command ->
                assertThat(command.line()).contains(" -n "));
        assertThat(PasteCommands.exportLine(Path.of("/s/kubeconfig"), Path.of("/k/bin")))
                .isEqualTo("export KUBECONFIG=/s/kubeconfig PATH=/k/bin:$PATH");
    }

    /** Walks the patch down the schema; an object the patch brings must hold what the schema requires of it. */
    private static void check(String path, JsonNode value, JSONSchemaProps schema, List<String> problems) {
        if (value.isObject()) {
            if (!"object".equals(schema.getType())) {
                problems.add(path + ": an object where the CRD has " + schema.getType());
                return;
            }
            boolean existsAlready = path.isEmpty() || path.equals(".spec");
            if (!existsAlready && schema.getRequired() != null) {
                schema.getRequired().stream().filter(required -> !value.has(required))
                        .forEach(required -> problems.add(path + "." + required + ": required by the CRD, missing"));
            }
            value.fields().forEachRemaining(field -> {
                JSONSchemaProps property = schema.getProperties() == null ? null : schema.getProperties().get(field.getKey());
                if (property == null) {
                    problems.add(path + "." + field.getKey() + ": no such field in the CRD");
                } else {
                    check(path + "." + field.getKey(), field.getValue(), property, problems);
                }
            });
            return;
        }
        String type = value.isIntegralNumber() ? "integer" : value.isBoolean() ? "boolean" : value.isTextual() ? "string" : value.getNodeType().name();
        if (!type.equals(schema.getType())) {
            problems.add(path + ": a " + type + " where the CRD has " + schema.getType());
        }
        if (schema.getEnum() != null && !schema.getEnum().isEmpty() && !schema.getEnum().contains(value)) {
            problems.add(path + ": " + value + " is not one of " + schema.getEnum());
        }
        if (schema.getPattern() != null && !Pattern.compile(schema.getPattern()).matcher(value.asText()).find()) {
            problems.add(path + ": " + value + " does not match " + schema.getPattern());
        }
        if (schema.getMinimum() != null && value.asDouble() < schema.getMinimum()
                || schema.getMaximum() != null && value.asDouble() > schema.getMaximum()) {
            problems.add(path + ": " + value + " is outside " + schema.getMinimum() + ".." + schema.getMaximum());
        }
    }

    private static List<String> fieldsOf(Map<String, Object> patch) {
        List<String> fields = new ArrayList<>();
        collectFields("", patch, fields);
        return fields;
    }

    @SuppressWarnings("unchecked")
    private static void collectFields(String prefix, Map<String, Object> map, List<String> fields) {
        map.forEach((key, value) -> {
            if (value instanceof Map<?, ?> nested) {
                collectFields(prefix + key + ".", (Map<String, Object>) nested, fields);
            } else {
                fields.add(prefix + key);
            }
        });
    }

    private static JSONSchemaProps crdSchema() throws IOException {
        try (InputStream in = Files.newInputStream(CRD)) {
            CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
            return crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
        }
    }

    /** The words bash makes of the line: what kubectl would get as its arguments. */
    private static List<String> asTheShellSplitsIt(String line) throws IOException, InterruptedException {
        Process bash = new ProcessBuilder("bash", "-c", "set -- " + line + "; printf '%s\\0' \"$@\"")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor()).isZero();
        List<String> words = new ArrayList<>(List.of(output.split("\0", -1)));
        words.remove(words.size() - 1);
        return words;
    }
}
