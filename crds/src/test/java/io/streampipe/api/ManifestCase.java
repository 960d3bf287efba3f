package io.streampipe.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One row of invalid-manifests.yaml or cross-field-manifests.yaml: an example with one edit, and the field its refusal
 * must name; a cross-field row also names the pair of fields that must agree and where the rule lives.
 */
public record ManifestCase(String name, String example, Map<String, Object> set, List<String> remove, String field,
                           boolean apiServerOnly, String pair, String where) {
    static final YAMLMapper YAML = new YAMLMapper();
    static final String INVALID = "/invalid-manifests.yaml";
    static final String CROSS_FIELD = "/cross-field-manifests.yaml";

    public static List<ManifestCase> all() {
        return java.util.stream.Stream.concat(read(INVALID).stream(), crossField().stream()).toList();
    }

    /** The cross-field table: manifests that were accepted before their rule existed. */
    public static List<ManifestCase> crossField() {
        return read(CROSS_FIELD);
    }

    private static List<ManifestCase> read(String resource) {
        try (InputStream in = ManifestCase.class.getResourceAsStream(resource)) {
            return YAML.readValue(in, new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The examples/ directory of the repository (tests run with the module as working directory). */
    public static Path examplesDir() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("examples"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("examples/ not found above " + Path.of("").toAbsolutePath());
        }
        return dir.resolve("examples");
    }

    public static ObjectNode readExample(String file) {
        try {
            return (ObjectNode) YAML.readTree(examplesDir().resolve(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The example with this case's edit applied, renamed so cases do not collide. */
    public ObjectNode manifest() {
        ObjectNode manifest = readExample(example);
        ((ObjectNode) manifest.get("metadata")).put("name", "invalid-" + Math.abs(name.hashCode()));
        if (set != null) {
            set.forEach((path, value) -> edit(manifest, path, YAML.valueToTree(value)));
        }
        if (remove != null) {
            remove.forEach(path -> edit(manifest, path, null));
        }
        return manifest;
    }

    /** Sets (or with null removes) the node at a dotted path such as spec.source.schema[2].name. */
    private static void edit(ObjectNode root, String path, JsonNode value) {
        String[] steps = path.replace("[", ".[").split("\\.(?![^\\[]*\\])");
        JsonNode parent = root;
        for (int i = 0; i < steps.length - 1; i++) {
            parent = step(parent, steps[i]);
        }
        String last = steps[steps.length - 1];
        if (last.startsWith("[")) {
            int index = Integer.parseInt(last.substring(1, last.length() - 1));
            if (value == null) {
                ((ArrayNode) parent).remove(index);
            } else {
                ((ArrayNode) parent).set(index, value);
            }
        } else if (value == null) {
            ((ObjectNode) parent).remove(last);
        } else {
            ((ObjectNode) parent).set(last, value);
        }
    }

    private static JsonNode step(JsonNode node, String step) {
        JsonNode next = step.startsWith("[") ? node.get(Integer.parseInt(step.substring(1, step.length() - 1))) : node.get(step);
        if (next == null) {
            throw new IllegalArgumentException("no " + step + " in " + node);
        }
        return next;
    }

    @Override
    public String toString() {
        return name;
    }
}
