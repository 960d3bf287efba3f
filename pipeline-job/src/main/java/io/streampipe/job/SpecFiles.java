package io.streampipe.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.streampipe.api.PipelineSpecs;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a pipeline spec: the operator's JSON ({@link PipelineSpecs#toJson}), or, for humans, a YAML
 * StreamingPipeline manifest (its {@code spec}) or a bare spec in YAML.
 */
public final class SpecFiles {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private SpecFiles() {
    }

    public static StreamingPipelineSpec read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the pipeline spec " + file + ": " + e.getMessage(), e);
        }
    }

    public static StreamingPipelineSpec parse(String text) {
        if (text.stripLeading().startsWith("{")) {
            return PipelineSpecs.fromJson(text);
        }
        JsonNode document;
        try {
            document = YAML.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("The pipeline spec is neither JSON nor YAML: " + e.getMessage(), e);
        }
        if (document == null || !document.isObject()) {
            throw new IllegalArgumentException("The pipeline spec is empty or not an object");
        }
        if (document.has("kind")) {
            if (!"StreamingPipeline".equals(document.get("kind").asText()) || !document.has("spec")) {
                throw new IllegalArgumentException("Expected a StreamingPipeline manifest with a spec, got kind "
                        + document.get("kind").asText());
            }
            return PipelineSpecs.fromTree(document.get("spec"));
        }
        return PipelineSpecs.fromTree(document);
    }
}
