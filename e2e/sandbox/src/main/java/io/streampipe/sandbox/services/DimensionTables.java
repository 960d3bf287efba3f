package io.streampipe.sandbox.services;

import io.streampipe.api.SqlIdentifiers;
import io.streampipe.api.v1alpha1.EnrichSpec;
import io.streampipe.api.v1alpha1.SourceSpec.FieldType;
import io.streampipe.api.v1alpha1.SourceSpec.SchemaField;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.sandbox.generator.EventGenerator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tables of a manifest's dimensions (spec.transform.enrich), created if missing and filled with one row for each
 * of the first {@value #ROWS} entities the event generator writes, so the examples' events find their rows. Values
 * are a function of the entity's number: the same every time the sandbox starts.
 */
public final class DimensionTables {
    public static final int ROWS = 2_000;
    /** Values of string columns, e.g. country de, fr, ... or plan free, pro, ... picked by the entity's number. */
    private static final List<String> WORDS = List.of("de", "fr", "us", "jp", "br");
    private static final List<String> PLANS = List.of("free", "pro", "team", "enterprise");

    private DimensionTables() {
    }

    /** Creates and fills the table of {@code dimension} through {@code connection} (its database's owner). */
    public static int createAndFill(Connection connection, StreamingPipelineSpec spec, EnrichSpec dimension) throws SQLException {
        String field = "spec.transform.enrich(" + dimension.name + ")";
        String table = SqlIdentifiers.quoteTable(field + ".postgres.table", dimension.postgres.table);
        List<String> definitions = new ArrayList<>();
        List<String> keyColumns = new ArrayList<>();
        List<List<Object>> keyValues = new ArrayList<>();
        for (EnrichSpec.KeyField key : dimension.key) {
            SchemaField declared = spec.source.schema.stream().filter(f -> f.name.equals(key.field)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(field + ": key field " + key.field
                            + " is an earlier dimension's column; the sandbox fills tables keyed on event fields only"));
            String column = SqlIdentifiers.quote(field + ".key.column", key.columnName());
            keyColumns.add(column);
            definitions.add(column + " " + sqlType(declared.type) + " NOT NULL");
            keyValues.add(EventGenerator.entityKeyValues(spec, key.field, ROWS));
        }
        for (EnrichSpec.Column column : dimension.columns) {
            definitions.add(SqlIdentifiers.quote(field + ".columns.name", column.name) + " " + sqlType(column.type));
        }
        try (Statement create = connection.createStatement()) {
            create.execute("CREATE TABLE IF NOT EXISTS " + table + " (" + String.join(", ", definitions)
                    + ", PRIMARY KEY (" + String.join(", ", keyColumns) + "))");
        }
        String insert = "INSERT INTO " + table + " VALUES (" + String.join(", ", java.util.Collections.nCopies(definitions.size(), "?"))
                + ") ON CONFLICT DO NOTHING";
        try (PreparedStatement statement = connection.prepareStatement(insert)) {
            for (int n = 1; n <= ROWS; n++) {
                int position = 1;
                for (List<Object> values : keyValues) {
                    statement.setObject(position++, sqlValue(values.get(n - 1)));
                }
                for (EnrichSpec.Column column : dimension.columns) {
                    statement.setObject(position++, value(column, n));
                }
                statement.addBatch();
            }
            statement.executeBatch();
        }
        return ROWS;
    }

    private static Object value(EnrichSpec.Column column, int n) {
        return switch (column.type) {
            case STRING -> column.name.toLowerCase(Locale.ROOT).contains("plan") ? PLANS.get(n % PLANS.size())
                    : WORDS.get((n * 7) % WORDS.size());
            case LONG -> (long) (n % 10);
            case DOUBLE -> n * 1.5;
            case BOOLEAN -> n % 2 == 0;
            case TIMESTAMP -> Timestamp.from(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(86_400L * (n % 365)));
        };
    }

    private static Object sqlValue(Object value) {
        return value instanceof Instant instant ? Timestamp.from(instant) : value;
    }

    private static String sqlType(FieldType type) {
        return switch (type) {
            case STRING -> "text";
            case LONG -> "bigint";
            case DOUBLE -> "double precision";
            case BOOLEAN -> "boolean";
            case TIMESTAMP -> "timestamptz";
        };
    }
}
