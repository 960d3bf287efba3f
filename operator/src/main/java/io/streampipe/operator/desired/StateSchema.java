package io.streampipe.operator.desired;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streampipe.api.Durations;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.TransformSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the job's keyed state is shaped by: the key fields and their types, the window type and geometry (size and
 * slide, which shape the sliced window state and its timers), and the aggregates (name, function, field, in order:
 * the accumulator layout is positional). A savepoint taken with one schema cannot be restored into a job with another.
 * The FlinkDeployment's pod template carries it as an annotation, so the schema of the job Flink last deployed can be
 * read back from the Flink operator's lastReconciledSpec; a deleted pipeline's final savepoint record carries it too.
 *
 * @param keyBy        transform.keyBy
 * @param keyTypes     the declared types of the key fields, in keyBy's order (null in annotations older than this)
 * @param window       transform.window.type, or "none"
 * @param windowMillis window size and, for sliding windows, slide, in milliseconds (null: no geometry, or an older annotation)
 * @param aggregates   transform.aggregates as name:fn:field
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StateSchema(List<String> keyBy, List<String> keyTypes, String window, List<Long> windowMillis, List<String> aggregates) {
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public static StateSchema of(StreamingPipelineSpec spec) {
        TransformSpec transform = spec.transform;
        List<String> aggregates = new ArrayList<>();
        if (transform.aggregates != null) {
            for (TransformSpec.Aggregate aggregate : transform.aggregates) {
                aggregates.add(aggregate.name + ":" + (aggregate.fn == null ? "" : aggregate.fn.name().toLowerCase())
                        + ":" + (aggregate.field == null ? "" : aggregate.field));
            }
        }
        List<String> keyTypes = new ArrayList<>();
        for (String key : transform.keyBy) {
            keyTypes.add(spec.source.schema.stream().filter(field -> key.equals(field.name)).findFirst()
                    .map(field -> field.type == null ? "?" : field.type.name().toLowerCase()).orElse("?"));
        }
        TransformSpec.Window window = transform.window;
        String type = window == null || window.type == null ? "none" : window.type.name().toLowerCase();
        List<Long> geometry = null;
        if (window != null && window.size != null) {
            geometry = new ArrayList<>(List.of(Durations.parse("spec.transform.window.size", window.size).toMillis()));
            if (window.slide != null) {
                geometry.add(Durations.parse("spec.transform.window.slide", window.slide).toMillis());
            }
        }
        return new StateSchema(List.copyOf(transform.keyBy), keyTypes, type, geometry, List.copyOf(aggregates));
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The schema in an annotation, or empty when absent or unreadable (an older deployment: nothing to compare). */
    public static Optional<StateSchema> fromJson(String json) {
        if (json == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(json, StateSchema.class));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /**
     * The spec fields whose change from {@code running} to this schema breaks state, e.g. spec.transform.keyBy. What an
     * older annotation does not record (key types, geometry) is not compared.
     */
    public List<String> incompatibleChangesFrom(StateSchema running) {
        List<String> fields = new ArrayList<>();
        if (!keyBy.equals(running.keyBy)) {
            fields.add("spec.transform.keyBy (" + running.keyBy + " to " + keyBy + ")");
        } else if (running.keyTypes != null && keyTypes != null && !keyTypes.equals(running.keyTypes)) {
            fields.add("spec.source.schema types of the key fields " + keyBy + " (" + running.keyTypes + " to " + keyTypes + ")");
        }
        if (!window.equals(running.window)) {
            fields.add("spec.transform.window.type (" + running.window + " to " + window + ")");
        } else if (running.windowMillis != null && !Objects.equals(windowMillis, running.windowMillis)) {
            fields.add("spec.transform.window.size/slide (" + geometry(running.windowMillis) + " to " + geometry(windowMillis) + ")");
        }
        if (!aggregates.equals(running.aggregates)) {
            fields.add("spec.transform.aggregates (" + running.aggregates + " to " + aggregates + ")");
        }
        return fields;
    }

    private static String geometry(List<Long> millis) {
        if (millis == null) {
            return "none";
        }
        return "size " + Duration.ofMillis(millis.get(0)) + (millis.size() > 1 ? ", slide " + Duration.ofMillis(millis.get(1)) : "");
    }
}
