package io.streampipe.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;

/**
 * The one JSON form of a pipeline spec: the operator writes it into the job's ConfigMap, the job reads it back.
 * Unknown fields are refused so that a typo in a hand-written spec is not silently ignored.
 */
public final class PipelineSpecs {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private PipelineSpecs() {
    }

    public static String toJson(StreamingPipelineSpec spec) {
        try {
            return MAPPER.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialize pipeline spec", e);
        }
    }

    /** @throws IllegalArgumentException with Jackson's path to the offending field */
    public static StreamingPipelineSpec fromJson(String json) {
        try {
            return MAPPER.readValue(json, StreamingPipelineSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Invalid pipeline spec: " + e.getOriginalMessage() + " at " + path(e), e);
        }
    }

    public static StreamingPipelineSpec fromTree(JsonNode spec) {
        return fromJson(spec.toString());
    }

    private static String path(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder("spec");
            for (var ref : mapping.getPath()) {
                path.append(ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]");
            }
            return path.toString();
        }
        return e.getLocation() == null ? "?" : e.getLocation().toString();
    }
}
