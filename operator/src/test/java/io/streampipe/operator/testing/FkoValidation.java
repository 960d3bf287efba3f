package io.streampipe.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.apache.flink.kubernetes.operator.config.FlinkConfigManager;
import org.apache.flink.kubernetes.operator.validation.DefaultValidator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The two checks a FlinkDeployment meets before the Flink Kubernetes Operator acts on it, run on the JVM:
 * <ul>
 *   <li>the API server's, against the structural schema of the FlinkDeployment CRD that FKO 1.16.1 ships (the one
 *       kube-testkit and the sandbox install, from the API jar's {@code META-INF/fabric8/}): types, enums, required
 *       fields, bounds, and no field the schema does not know (the API server would prune it, so what we wrote
 *       would silently not reach FKO);</li>
 *   <li>FKO's own {@code DefaultValidator} (1.16.1, from its served jar), as its controller runs it on every spec
 *       before reconciling ({@code FlinkDeploymentController.reconcile} → {@code validateDeployment}); a refusal
 *       there is a ValidationError Event and the job stays on its last good spec.</li>
 * </ul>
 */
public final class FkoValidation {
    /** What the API server checks itself, not through the CRD's schema. */
    private static final List<String> OBJECT_META = List.of("apiVersion", "kind", "metadata");
    private static final String CRD_RESOURCE = "META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml";
    private static final JsonNode SCHEMA = loadSchema();
    private static final DefaultValidator VALIDATOR = new DefaultValidator(new FlinkConfigManager(operatorConfiguration()));

    private FkoValidation() {
    }

    /**
     * DefaultValidator's verdict on a FlinkDeployment as FKO's controller sees it: with a status (the controller
     * initialises one), and with the last reconciled spec when {@code observed} has one, so spec-change rules apply.
     */
    public static Optional<String> defaultValidator(FlinkDeployment deployment, Optional<FlinkDeploymentStatus> observed) {
        FlinkDeployment copy = Serialization.clone(deployment);
        copy.setStatus(observed.map(Serialization::clone).orElseGet(FlinkDeploymentStatus::new));
        return VALIDATOR.validateDeployment(copy);
    }

    /** Where a FlinkDeployment breaks the CRD's schema, one message per place; empty when it conforms. */
    public static List<String> schemaViolations(FlinkDeployment deployment) {
        ObjectNode json = Serialization.jsonMapper().valueToTree(deployment);
        json.remove("status");
        List<String> violations = new ArrayList<>();
        validate("", json, SCHEMA, violations);
        return violations;
    }

    /** FKO's defaults, without its config watcher thread (FlinkConfigManager schedules one unless told not to). */
    private static Configuration operatorConfiguration() {
        Configuration configuration = new Configuration();
        configuration.setString("kubernetes.operator.dynamic.config.enabled", "false");
        return configuration;
    }

    private static JsonNode loadSchema() {
        try (InputStream in = FlinkDeployment.class.getClassLoader().getResourceAsStream(CRD_RESOURCE)) {
            JsonNode crd = new YAMLMapper().readTree(in);
            for (JsonNode version : crd.at("/spec/versions")) {
                if (version.get("name").asText().equals(FlinkDeployment.class.getAnnotation(
                        io.fabric8.kubernetes.model.annotation.Version.class).value())) {
                    return version.at("/schema/openAPIV3Schema");
                }
            }
            throw new IllegalStateException("no " + FlinkDeployment.class.getSimpleName() + " version in " + CRD_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The structural-schema subset the FlinkDeployment CRD uses (Kubernetes' apiextensions validation rules). */
    private static void validate(String path, JsonNode value, JsonNode schema, List<String> violations) {
        if (value == null || value.isNull()) {
            return; // The API server prunes nulls of non-nullable fields before validating.
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean()) {
            if (!value.isIntegralNumber() && !value.isTextual()) {
                violations.add(path + ": expected an integer or a string, got " + value);
            }
            return;
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "object" -> object(path, value, schema, violations);
            case "array" -> {
                if (!value.isArray()) {
                    violations.add(path + ": expected an array, got " + value);
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    validate(path + "[" + i + "]", value.get(i), schema.path("items"), violations);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    violations.add(path + ": expected a string, got " + value);
                } else if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(value.asText()).find()) {
                    violations.add(path + ": '" + value.asText() + "' does not match " + schema.get("pattern").asText());
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    violations.add(path + ": expected an integer, got " + value);
                }
            }
            case "number" -> {
                if (!value.isNumber()) {
                    violations.add(path + ": expected a number, got " + value);
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    violations.add(path + ": expected a boolean, got " + value);
                }
            }
            default -> {
                if (!schema.path("x-kubernetes-preserve-unknown-fields").asBoolean() && !type.isEmpty()) {
                    violations.add(path + ": schema type " + type + " is not understood by this check");
                }
            }
        }
        if (schema.has("enum")) {
            boolean listed = false;
            for (JsonNode allowed : schema.get("enum")) {
                listed |= allowed.equals(value);
            }
            if (!listed) {
                violations.add(path + ": " + value + " is not one of " + schema.get("enum"));
            }
        }
        if (schema.has("minimum") && value.isNumber() && value.asDouble() < schema.get("minimum").asDouble()) {
            violations.add(path + ": " + value + " is below the minimum " + schema.get("minimum"));
        }
        if (schema.has("maximum") && value.isNumber() && value.asDouble() > schema.get("maximum").asDouble()) {
            violations.add(path + ": " + value + " is above the maximum " + schema.get("maximum"));
        }
    }

    private static void object(String path, JsonNode value, JsonNode schema, List<String> violations) {
        if (!value.isObject()) {
            violations.add(path + ": expected an object, got " + value);
            return;
        }
        for (JsonNode required : schema.path("required")) {
            if (!value.hasNonNull(required.asText())) {
                violations.add(path + "." + required.asText() + ": required");
            }
        }
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.path("additionalProperties");
        boolean preserveUnknown = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            var field = it.next();
            String fieldPath = path + "." + field.getKey();
            if (properties.has(field.getKey())) {
                validate(fieldPath, field.getValue(), properties.get(field.getKey()), violations);
            } else if (additional.isObject()) {
                validate(fieldPath, field.getValue(), additional, violations);
            } else if (!preserveUnknown && !(path.isEmpty() && OBJECT_META.contains(field.getKey()))) {
                violations.add(fieldPath + ": not in the CRD's schema (the API server would prune it)");
            }
        }
    }
}
