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
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the job's keyed state is shaped by: the key fields and their types, the window type and geometry (size and
 * slide shape the sliced window state, gap the sessions, allowed lateness the cleanup timers already registered), and
 * the aggregates (name, function, field, in order: the accumulator layout is positional). The job refuses a restore
 * into another layout (pipeline-job's WindowLayout); this check refuses the change before anything is stopped. A savepoint taken with one schema cannot be restored into a job with another.
 * The FlinkDeployment's pod template carries it as an annotation, so the schema of the job Flink last deployed can be
 * read back from the Flink operator's lastReconciledSpec; a deleted pipeline's final savepoint record carries it too.
 *
 * @param keyBy        transform.keyBy
 * @param keyTypes     the declared types of the key fields, in keyBy's order (null in annotations older than this)
 * @param window       transform.window.type, or "none"
 * @param windowMillis size, slide, gap and allowedLateness, as given, in milliseconds (null: no window, or an older annotation)
 * @param aggregates   transform.aggregates as name:fn:field
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StateSchema(List<String> keyBy, List<String> keyTypes, String window, Map<String, Long> windowMillis, List<String> aggregates) {
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
        Map<String, Long> geometry = null;
        if (window != null && window.type != null) {
            geometry = new TreeMap<>();
            putMillis(geometry, "size", window.size);
            putMillis(geometry, "slide", window.slide);
            putMillis(geometry, "gap", window.gap);
            putMillis(geometry, "allowedLateness", window.allowedLateness);
        }
        return new StateSchema(List.copyOf(transform.keyBy), keyTypes, type, geometry, List.copyOf(aggregates));
    }

    private static void putMillis(Map<String, Long> geometry, String field, String duration) {
        if (duration != null) {
            geometry.put(field, Durations.parse("spec.transform.window." + field, duration).toMillis());
        }
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
        } else if (running.windowMillis != null && windowMillis != null) {
            for (String field : List.of("size", "slide", "gap", "allowedLateness")) {
                Long before = running.windowMillis.get(field);
                Long after = windowMillis.get(field);
                if (!Objects.equals(before, after)) {
                    fields.add("spec.transform.window." + field + " (" + duration(before) + " to " + duration(after) + ")");
                }
            }
        }
        if (!aggregates.equals(running.aggregates)) {
            fields.add("spec.transform.aggregates (" + running.aggregates + " to " + aggregates + ")");
        }
        return fields;
    }

    /** 300000 as 5m, 10000 as 10s, 1500 as 1500ms: the way a spec writes durations. */
    private static String duration(Long millis) {
        if (millis == null) {
            return "none";
        }
        for (var unit : List.of(Map.entry(86_400_000L, "d"), Map.entry(3_600_000L, "h"), Map.entry(60_000L, "m"), Map.entry(1000L, "s"))) {
            if (millis % unit.getKey() == 0 && millis > 0) {
                return millis / unit.getKey() + unit.getValue();
            }
        }
        return millis + "ms";
    }
}
