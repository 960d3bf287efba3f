package io.streampipe.job.enrich;

import io.streampipe.api.Durations;
import io.streampipe.api.EventFields;
import io.streampipe.api.SqlIdentifiers;
import io.streampipe.api.v1alpha1.EnrichSpec;
import io.streampipe.api.v1alpha1.EnrichSpec.OnMissing;
import io.streampipe.api.v1alpha1.SourceSpec.SchemaField;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.schema.EventSchema;
import io.streampipe.job.schema.FieldDef;
import io.streampipe.job.sink.DatabaseCredentials;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One dimension of spec.transform.enrich in the form that travels with the job: where its table is, how an event
 * finds its row, which columns it adds.
 *
 * @param index       position in spec.transform.enrich (its columns follow those of the dimensions before it)
 * @param table       the table or view read, or null when the dimension is read with the user's {@code query}
 * @param query       the user's SELECT ({@code postgres.query}), or null when it is read from {@code table}
 * @param keyColumns  table columns of the key, each read with the type of its event field
 * @param keyFields   the key's event fields, as positions in the events this dimension receives
 * @param keyTypes    the key's event fields' declarations (name and type)
 * @param columns     the columns added to the event, in order
 */
public record Dimension(int index, String name, String jdbcUrl, String table, String query, List<String> keyColumns,
                        List<Integer> keyFields, List<FieldDef> keyTypes, List<FieldDef> columns, Duration refresh,
                        OnMissing onMissing, int maxRows, DatabaseCredentials credentials) implements Serializable {

    public static List<Dimension> all(StreamingPipelineSpec spec, DatabaseCredentials credentials) {
        List<EnrichSpec> specs = EventFields.dimensions(spec);
        List<Dimension> dimensions = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            dimensions.add(of(spec, i, credentials.forDimension(specs.get(i).name)));
        }
        return dimensions;
    }

    static Dimension of(StreamingPipelineSpec spec, int index, DatabaseCredentials credentials) {
        EnrichSpec dimension = spec.transform.enrich.get(index);
        String path = "spec.transform.enrich[" + index + "]";
        EventSchema input = EventSchema.enrichedBy(spec, index);
        Map<String, Integer> positions = input.indexByName();
        List<String> keyColumns = new ArrayList<>();
        List<Integer> keyFields = new ArrayList<>();
        List<FieldDef> keyTypes = new ArrayList<>();
        for (EnrichSpec.KeyField key : dimension.key) {
            keyColumns.add(key.columnName());
            int position = positions.get(key.field);
            keyFields.add(position);
            keyTypes.add(input.field(position));
        }
        List<FieldDef> columns = dimension.columns.stream()
                .map(c -> FieldDef.of(new SchemaField(c.name, c.type, false))).toList();
        if (dimension.postgres.query == null) {
            SqlIdentifiers.quoteTable(path + ".postgres.table", dimension.postgres.table);
        }
        return new Dimension(index, dimension.name, dimension.postgres.jdbcUrl, dimension.postgres.table,
                dimension.postgres.query, keyColumns,
                keyFields, keyTypes, columns, Durations.parse(path + ".refresh", dimension.refresh), dimension.onMissing,
                dimension.maxRows, credentials);
    }

    /** What the dimension is read from, for messages: {@code table users} or {@code its query}. */
    public String source() {
        return query == null ? "table " + table : "its query";
    }

    /** Field path of this dimension in the spec, for messages. */
    public String path() {
        return "spec.transform.enrich[" + index + "] (" + name + ")";
    }
}
