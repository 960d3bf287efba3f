package io.streampipe.job.window;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.TransformSpec.Aggregate;
import io.streampipe.api.v1alpha1.TransformSpec.AggregateFunction;
import io.streampipe.job.schema.EventSchema;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/** One aggregate of the spec, resolved to the position of its input field in the event row (-1 for count). */
public record AggregateDef(String name, AggregateFunction fn, int fieldIndex) implements Serializable {

    public static List<AggregateDef> of(StreamingPipelineSpec spec) {
        Map<String, Integer> index = EventSchema.of(spec).indexByName();
        return spec.transform.aggregates.stream()
                .map((Aggregate a) -> new AggregateDef(a.name, a.fn,
                        a.fn == AggregateFunction.COUNT ? -1 : index.get(a.field)))
                .toList();
    }
}
