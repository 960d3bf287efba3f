package io.streampipe.api;

import io.streampipe.api.v1alpha1.EnrichSpec;
import io.streampipe.api.v1alpha1.SourceSpec.SchemaField;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The fields an event has after enrichment, the ones keyBy, aggregates, having and the sink see: spec.source.schema,
 * then each dimension's columns in spec.transform.enrich order (optional: null when its row is missing).
 */
public final class EventFields {
    private EventFields() {
    }

    public static List<SchemaField> of(StreamingPipelineSpec spec) {
        List<SchemaField> fields = new ArrayList<>(spec.source.schema);
        for (EnrichSpec dimension : dimensions(spec)) {
            for (EnrichSpec.Column column : dimension.columns == null ? List.<EnrichSpec.Column>of() : dimension.columns) {
                fields.add(new SchemaField(column.name, column.type, false));
            }
        }
        return fields;
    }

    /** The spec's dimensions, empty when it declares none. */
    public static List<EnrichSpec> dimensions(StreamingPipelineSpec spec) {
        return spec.transform == null || spec.transform.enrich == null ? List.of() : spec.transform.enrich;
    }
}
