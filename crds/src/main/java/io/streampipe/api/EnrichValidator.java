package io.streampipe.api;

import io.streampipe.api.v1alpha1.EnrichSpec;
import io.streampipe.api.v1alpha1.SourceSpec.FieldType;
import io.streampipe.api.v1alpha1.SourceSpec.SchemaField;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.TransformSpec;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of spec.transform.enrich, for {@link SpecValidator}: the CRD's CEL rules on {@link EnrichSpec},
 * {@link TransformSpec} and the spec, plus what CEL leaves out (a key field must come before its dimension, key types).
 */
final class EnrichValidator {
    private static final Set<FieldType> KEY_TYPES = Set.of(FieldType.STRING, FieldType.LONG, FieldType.BOOLEAN);
    /** Also the CRD's message: equality on a key must be exact, so no double or timestamp keys. */
    static final String KEY_RULE = "must name a string, long or boolean field of spec.source.schema or an earlier dimension's column";

    private EnrichValidator() {
    }

    static void check(StreamingPipelineSpec spec, List<String> problems) {
        List<EnrichSpec> dimensions = EventFields.dimensions(spec);
        Map<String, FieldType> known = new HashMap<>();
        for (SchemaField field : spec.source.schema) {
            known.putIfAbsent(field.name, field.type);
        }
        Set<String> schema = Set.copyOf(known.keySet());
        Set<String> aggregates = new HashSet<>(List.of("window_start", "window_end"));
        if (spec.transform.aggregates != null) {
            spec.transform.aggregates.forEach(a -> aggregates.add(a.name));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < dimensions.size(); i++) {
            EnrichSpec dimension = dimensions.get(i);
            String path = "spec.transform.enrich[" + i + "]";
            SpecValidator.check(problems, () -> SqlIdentifiers.quote(path + ".name", dimension.name));
            if (dimension.name != null && !names.add(dimension.name)) {
                problems.add("spec.transform.enrich[].name must be unique: '" + dimension.name + "' names two dimensions");
            }
            postgres(dimension.postgres, path + ".postgres", problems);
            SpecValidator.check(problems, () -> Durations.parse(path + ".refresh", dimension.refresh));
            if (dimension.onMissing == null) {
                problems.add(path + ".onMissing is required (keep-nulls, drop or dead-letter)");
            }
            if (dimension.maxRows < 1) {
                problems.add(path + ".maxRows must be at least 1");
            }
            keys(dimension, path, known, problems);
            columns(dimension, path, known, schema, aggregates, problems);
        }
    }

    private static void postgres(EnrichSpec.Postgres postgres, String path, List<String> problems) {
        if (postgres == null) {
            problems.add(path + " is required");
            return;
        }
        if (postgres.jdbcUrl == null || !postgres.jdbcUrl.startsWith("jdbc:postgresql://")) {
            problems.add(path + ".jdbcUrl must start with jdbc:postgresql://");
        }
        if ((postgres.table == null) == (postgres.query == null)) {
            problems.add(path + ": set exactly one of table or query");
        } else if (postgres.table != null) {
            SpecValidator.check(problems, () -> SqlIdentifiers.quoteTable(path + ".table", postgres.table));
        } else if (postgres.query.isBlank() || postgres.query.length() > 10_000) {
            problems.add(path + ".query must be a SELECT of 1 to 10000 characters");
        }
        if (postgres.credentialsSecretRef == null || postgres.credentialsSecretRef.name == null) {
            problems.add(path + ".credentialsSecretRef.name is required: the dimension's database credentials come from a Secret");
        }
    }

    /** Key fields are looked up among the schema's fields and the columns of the dimensions before this one. */
    private static void keys(EnrichSpec dimension, String path, Map<String, FieldType> known, List<String> problems) {
        if (dimension.key == null || dimension.key.isEmpty()) {
            problems.add(path + ".key needs at least one field");
            return;
        }
        Set<String> fields = new HashSet<>();
        for (int k = 0; k < dimension.key.size(); k++) {
            EnrichSpec.KeyField key = dimension.key.get(k);
            String keyPath = path + ".key[" + k + "]";
            SpecValidator.check(problems, () -> SqlIdentifiers.quote(keyPath + ".column", key.columnName()));
            if (!fields.add(key.field)) {
                problems.add(keyPath + ".field: '" + key.field + "' is used twice");
            }
            FieldType type = known.get(key.field);
            if (type == null || !KEY_TYPES.contains(type)) {
                problems.add(keyPath + ".field: '" + key.field + "' " + (type == null ? "is unknown" : "is a " + type.name().toLowerCase())
                        + "; it " + KEY_RULE);
            }
        }
    }

    private static void columns(EnrichSpec dimension, String path, Map<String, FieldType> known, Set<String> schema,
                                Set<String> aggregates, List<String> problems) {
        if (dimension.columns == null || dimension.columns.isEmpty()) {
            problems.add(path + ".columns needs at least one column");
            return;
        }
        for (int c = 0; c < dimension.columns.size(); c++) {
            EnrichSpec.Column column = dimension.columns.get(c);
            String columnPath = path + ".columns[" + c + "]";
            SpecValidator.check(problems, () -> SqlIdentifiers.quote(columnPath + ".name", column.name));
            if (column.type == null) {
                problems.add(columnPath + ".type is required (string, long, double, boolean or timestamp)");
            }
            if (schema.contains(column.name)) {
                problems.add(columnPath + ".name: '" + column.name + "' must differ from the fields of spec.source.schema");
            } else if (known.containsKey(column.name)) {
                problems.add(columnPath + ".name: '" + column.name + "' must differ from the columns of the other dimensions");
            }
            if (aggregates.contains(column.name)) {
                problems.add(columnPath + ".name: '" + column.name
                        + "' must differ from the aggregate names, window_start and window_end");
            }
            if (column.name != null) {
                known.putIfAbsent(column.name, column.type);
            }
        }
    }
}
