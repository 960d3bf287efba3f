package io.streampipe.job.schema;

import io.streampipe.api.v1alpha1.SourceSpec.FieldType;
import io.streampipe.api.v1alpha1.SourceSpec.SchemaField;

import java.io.Serializable;
import java.util.List;

/** One declared field, copied from the spec into a serializable form that travels with the job's functions. */
public record FieldDef(String name, FieldType type, boolean required, Double min, Double max, String pattern,
                       List<String> allowedValues) implements Serializable {

    public static FieldDef of(SchemaField field) {
        return new FieldDef(field.name, field.type, field.required, field.min, field.max, field.pattern,
                field.allowedValues == null ? null : List.copyOf(field.allowedValues));
    }
}
