package io.streampipe.job.sink;

import io.streampipe.api.SqlIdentifiers;
import io.streampipe.job.schema.ResultSchema.Column;
import io.streampipe.job.schema.ResultSchema.ColumnType;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Holds an existing table to what a {@link TableWriter} writes, before any row is sent: {@code CREATE TABLE IF NOT
 * EXISTS} leaves a table made earlier, by hand or by another version of the spec, as it is, and a table whose key or
 * columns do not fit would fail every batch, so the job would restart forever without saying why. Checked from the
 * catalog ({@code pg_attribute}, {@code pg_index}): every column the writer writes exists with a type that takes its
 * values, and is nullable where the pipeline writes nulls; any other column can be left out of an insert; and a unique
 * index (the primary key, or another one) covers exactly the columns of the statements' {@code ON CONFLICT}.
 */
final class TableCheck {
    /** PostgreSQL's own names ({@code format_type}) of the column types that take a column type's values unchanged. */
    private static final Map<ColumnType, List<String>> ACCEPTED = Map.of(
            ColumnType.TEXT, List.of("text", "character varying"),
            ColumnType.BIGINT, List.of("bigint", "numeric"),
            ColumnType.DOUBLE, List.of("double precision"),
            ColumnType.BOOLEAN, List.of("boolean"),
            ColumnType.TIMESTAMPTZ, List.of("timestamp with time zone"));
    private static final String COLUMNS = "SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type,"
            + " a.attnotnull AS not_null, a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '' AS filled"
            + " FROM pg_attribute a WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
    private static final String UNIQUE_INDEXES = "SELECT i.indisprimary AS is_primary, ARRAY(SELECT a.attname::text"
            + " FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)"
            + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns"
            + " FROM pg_index i WHERE i.indrelid = ?::regclass AND i.indisunique AND i.indisvalid"
            + " AND i.indpred IS NULL AND i.indexprs IS NULL ORDER BY NOT i.indisprimary";

    private TableCheck() {
    }

    /**
     * @throws IllegalStateException naming the spec field, the table and each column that does not fit, and what was
     *                               expected; the message holds no connection detail
     */
    static void verify(Connection connection, TableWriter<?> writer) throws SQLException {
        String table = writer.table();
        String quoted = SqlIdentifiers.quoteTable(writer.field(), table);
        try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL AS present")) {
            exists.setString(1, quoted);
            try (ResultSet result = exists.executeQuery()) {
                result.next();
                if (!result.getBoolean("present")) {
                    throw new IllegalStateException(writer.field() + ": table " + table + " does not exist; create it, or set "
                            + "spec.sink.postgres.createTable: true");
                }
            }
        }
        List<String> problems = new ArrayList<>();
        columns(connection, quoted, writer, problems);
        conflictKey(connection, quoted, writer, problems);
        if (!problems.isEmpty()) {
            throw new IllegalStateException(writer.field() + ": the existing table " + table + " does not fit the pipeline"
                    + " (change or drop it; createTable leaves an existing table as it is): "
                    + String.join("; ", problems.stream().map(p -> table + ": " + p).toList()));
        }
    }

    /**
     * {@code ALTER TABLE … ADD COLUMN} for each column the writer writes and the table lacks that can be added: one it
     * may write NULL to, or one with a {@link Column#backfill} (the windowed guard column {@code _events}, 0 in
     * existing rows). Only missing columns: {@code ADD COLUMN IF NOT EXISTS} takes an exclusive lock on the table even
     * when there is nothing to add. A missing NOT NULL (key) column is left for {@link #verify} to refuse.
     */
    static List<String> missingColumns(Connection connection, TableWriter<?> writer) throws SQLException {
        String quoted = SqlIdentifiers.quoteTable(writer.field(), writer.table());
        Map<String, TableColumn> existing = existingColumns(connection, quoted);
        if (existing.isEmpty()) {
            return List.of();
        }
        List<String> statements = new ArrayList<>();
        for (Column column : writer.columns()) {
            if ((!column.notNull() || column.backfill() != null) && !existing.containsKey(column.name())) {
                statements.add(SqlStatements.addColumn(writer.field(), writer.table(), column));
            }
        }
        return statements;
    }

    private record TableColumn(String type, boolean notNull, boolean filled) {
    }

    private static void columns(Connection connection, String quoted, TableWriter<?> writer, List<String> problems)
            throws SQLException {
        Map<String, TableColumn> existing = existingColumns(connection, quoted);
        Set<String> written = new HashSet<>();
        for (Column column : writer.columns()) {
            written.add(column.name());
            TableColumn found = existing.get(column.name());
            String expected = ACCEPTED.get(column.type()).get(0);
            if (found == null && column.backfill() != null) {
                problems.add("column " + column.name() + " is missing (expected " + expected + "; "
                        + SqlStatements.addColumn(writer.field(), writer.table(), column) + " adds it, or set createTable: true)");
            } else if (found == null) {
                problems.add("column " + column.name() + " is missing (expected " + expected + ")");
            } else if (!ACCEPTED.get(column.type()).contains(found.type())) {
                problems.add("column " + column.name() + " is " + found.type() + ", expected " + expected);
            } else if (found.notNull() && !column.notNull()) {
                problems.add("column " + column.name() + " is NOT NULL, but the pipeline writes nulls to it");
            }
        }
        existing.forEach((name, column) -> {
            if (!written.contains(name) && column.notNull() && !column.filled()) {
                problems.add("column " + name + " is NOT NULL without a default, and the pipeline does not write it");
            }
        });
    }

    /** The table's columns by name, in their order; empty when there is no such table. */
    private static Map<String, TableColumn> existingColumns(Connection connection, String quoted) throws SQLException {
        Map<String, TableColumn> existing = new LinkedHashMap<>();
        try (PreparedStatement query = connection.prepareStatement(COLUMNS)) {
            query.setString(1, quoted);
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    existing.put(result.getString("name"), new TableColumn(result.getString("type"),
                            result.getBoolean("not_null"), result.getBoolean("filled")));
                }
            }
        }
        return existing;
    }

    /** {@code ON CONFLICT (columns)} needs a unique index on exactly those columns, in any order. */
    private static void conflictKey(Connection connection, String quoted, TableWriter<?> writer, List<String> problems)
            throws SQLException {
        Set<String> key = new HashSet<>(writer.conflictKey());
        List<String> primaryKey = null;
        try (PreparedStatement query = connection.prepareStatement(UNIQUE_INDEXES)) {
            query.setString(1, quoted);
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    Array array = result.getArray("columns");
                    List<String> columns = List.of((String[]) array.getArray());
                    if (new HashSet<>(columns).equals(key)) {
                        return;
                    }
                    if (result.getBoolean("is_primary")) {
                        primaryKey = columns;
                    }
                }
            }
        }
        String expected = "(" + String.join(", ", writer.conflictKey()) + ")";
        problems.add(primaryKey != null
                ? "the primary key is (" + String.join(", ", primaryKey) + "), expected " + expected
                : "no primary key or unique index on " + expected + ", which the upsert's ON CONFLICT needs");
    }
}
