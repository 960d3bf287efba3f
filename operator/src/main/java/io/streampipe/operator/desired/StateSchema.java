package io.streampipe.operator.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streampipe.api.v1alpha1.TransformSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the job's keyed state is shaped by: the key fields, the window type and the aggregates (name, function, field,
 * in order). A savepoint taken with one schema cannot be restored into a job with another. The FlinkDeployment's pod
 * template carries it as an annotation, so the schema of the job Flink last deployed can be read back from the Flink
 * operator's lastReconciledSpec.
 *
 * @param keyBy      transform.keyBy
 * @param window     transform.window.type, or "none"
 * @param aggregates transform.aggregates as name:fn:field
 */
public record StateSchema(List<String> keyBy, String window, List<String> aggregates) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static StateSchema of(TransformSpec transform) {
        List<String> aggregates = new ArrayList<>();
        if (transform.aggregates != null) {
            for (TransformSpec.Aggregate aggregate : transform.aggregates) {
                aggregates.add(aggregate.name + ":" + (aggregate.fn == null ? "" : aggregate.fn.name().toLowerCase())
                        + ":" + (aggregate.field == null ? "" : aggregate.field));
            }
        }
        String window = transform.window == null || transform.window.type == null ? "none" : transform.window.type.name().toLowerCase();
        return new StateSchema(List.copyOf(transform.keyBy), window, List.copyOf(aggregates));
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

    /** The spec fields whose change from {@code running} to this schema breaks state, e.g. spec.transform.keyBy. */
    public List<String> incompatibleChangesFrom(StateSchema running) {
        List<String> fields = new ArrayList<>();
        if (!keyBy.equals(running.keyBy)) {
            fields.add("spec.transform.keyBy (" + running.keyBy + " to " + keyBy + ")");
        }
        if (!window.equals(running.window)) {
            fields.add("spec.transform.window.type (" + running.window + " to " + window + ")");
        }
        if (!aggregates.equals(running.aggregates)) {
            fields.add("spec.transform.aggregates (" + running.aggregates + " to " + aggregates + ")");
        }
        return fields;
    }
}
