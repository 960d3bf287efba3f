package io.streampipe.job.sink;

import io.streampipe.api.SqlIdentifiers;
import io.streampipe.job.schema.ResultSchema;
import io.streampipe.job.schema.ResultSchema.Column;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Every SQL statement the job runs, built from the spec. Table and column names pass through
 * {@link SqlIdentifiers} (validated, always quoted); values are always bind parameters.
 */
public final class SqlStatements {
    /** Columns of the dead-letter table; (topic, partition, offset) is its primary key. */
    public static final List<Column> DEAD_LETTER_COLUMNS = List.of(
            new Column("topic", ResultSchema.ColumnType.TEXT, true),
            new Column("partition", ResultSchema.ColumnType.BIGINT, true),
            new Column("offset", ResultSchema.ColumnType.BIGINT, true),
            new Column("payload", ResultSchema.ColumnType.TEXT, false),
            new Column("reason", ResultSchema.ColumnType.TEXT, true),
            new Column("kafka_timestamp", ResultSchema.ColumnType.TIMESTAMPTZ, false),
            new Column("rejected_at", ResultSchema.ColumnType.TIMESTAMPTZ, true));
    /** Columns of the late-data table; (topic, partition, offset) is its primary key. */
    public static final List<Column> LATE_COLUMNS = List.of(
            new Column("topic", ResultSchema.ColumnType.TEXT, true),
            new Column("partition", ResultSchema.ColumnType.BIGINT, true),
            new Column("offset", ResultSchema.ColumnType.BIGINT, true),
            new Column("event_time", ResultSchema.ColumnType.TIMESTAMPTZ, true),
            new Column("event_key", ResultSchema.ColumnType.TEXT, true),
            new Column("payload", ResultSchema.ColumnType.TEXT, true),
            new Column("received_at", ResultSchema.ColumnType.TIMESTAMPTZ, true));
    private static final List<String> SOURCE_POSITION = List.of("topic", "partition", "offset");
    private static final String TARGET = "target";

    private SqlStatements() {
    }

    /** {@code CREATE SCHEMA IF NOT EXISTS} (for a qualified name) and {@code CREATE TABLE IF NOT EXISTS}. */
    public static List<String> createTable(String field, String table, List<Column> columns, List<String> primaryKey) {
        List<String> statements = new ArrayList<>();
        int dot = table.indexOf('.');
        if (dot > 0) {
            statements.add("CREATE SCHEMA IF NOT EXISTS " + SqlIdentifiers.quote(field, table.substring(0, dot)));
        }
        String definitions = columns.stream()
                .map(c -> column(c.name()) + " " + c.type().sql() + (c.notNull() ? " NOT NULL" : ""))
                .collect(Collectors.joining(", "));
        statements.add("CREATE TABLE IF NOT EXISTS " + SqlIdentifiers.quoteTable(field, table) + " (" + definitions
                + ", PRIMARY KEY (" + columnList(primaryKey) + "))");
        return statements;
    }

    /**
     * {@code INSERT … SELECT … FROM unnest(?::type[], …) ON CONFLICT (pk) DO UPDATE SET} every other column: a whole
     * batch in one statement, one array parameter per column in {@link ResultSchema#columns()} order. PostgreSQL plans
     * and executes it once per batch instead of once per row, which halves its CPU per row against a JDBC batch of
     * single-row inserts (e2e/bench). The rows must have distinct primary keys: one statement cannot update a row twice.
     * Timestamps travel as epoch milliseconds ({@code bigint[]}) and become timestamptz here, exactly: whole seconds
     * through {@code to_timestamp} (exact far beyond years 1–9999), the milliseconds added as an interval.
     * With an order column, the update only applies when the incoming version is not older, so a replay of old events
     * never overwrites newer rows: without a window the event time, windowed the row's event count
     * ({@link ResultSchema#EVENTS}), so a window computed from fewer events never replaces one computed from more,
     * and one computed from as many (a replay) does.
     */
    public static String upsert(String field, String table, ResultSchema result) {
        List<Column> columns = result.columns();
        List<String> names = names(columns);
        List<String> updated = new ArrayList<>(names);
        updated.removeAll(result.primaryKey());
        List<String> values = new ArrayList<>();
        List<String> arrays = new ArrayList<>();
        List<String> aliases = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            String alias = "c" + (i + 1);
            aliases.add(alias);
            boolean timestamp = columns.get(i).type() == ResultSchema.ColumnType.TIMESTAMPTZ;
            values.add(timestamp ? "to_timestamp(" + alias + " / 1000) + " + alias + " % 1000 * interval '1 millisecond'" : alias);
            arrays.add("?::" + (timestamp ? ResultSchema.ColumnType.BIGINT : columns.get(i).type()).sql() + "[]");
        }
        String insert = "INSERT INTO " + SqlIdentifiers.quoteTable(field, table) + " AS " + TARGET
                + " (" + columnList(names) + ") SELECT " + String.join(", ", values)
                + " FROM unnest(" + String.join(", ", arrays) + ") AS u(" + String.join(", ", aliases) + ")"
                + " ON CONFLICT (" + columnList(result.primaryKey()) + ")";
        if (updated.isEmpty()) {
            return insert + " DO NOTHING";
        }
        String set = updated.stream().map(c -> column(c) + " = EXCLUDED." + column(c)).collect(Collectors.joining(", "));
        String guard = result.orderColumn() == null ? ""
                : " WHERE " + TARGET + "." + column(result.orderColumn()) + " <= EXCLUDED." + column(result.orderColumn());
        return insert + " DO UPDATE SET " + set + guard;
    }

    /**
     * {@code DELETE} of the row with the primary key given as parameters, in {@link ResultSchema#primaryKey()} order;
     * with an order column only if the row is not newer than the last parameter (windowed: a row computed from more
     * events than the firing that deletes it stays, as the upsert would leave it).
     */
    public static String deleteByPrimaryKey(String field, String table, ResultSchema result) {
        String guard = result.orderColumn() == null ? "" : " AND " + column(result.orderColumn()) + " <= ?";
        return "DELETE FROM " + SqlIdentifiers.quoteTable(field, table) + " WHERE "
                + result.primaryKey().stream().map(c -> column(c) + " = ?").collect(Collectors.joining(" AND ")) + guard;
    }

    /**
     * {@code ALTER TABLE … ADD COLUMN} of a column a table made earlier lacks: nullable, or NOT NULL with the
     * column's {@link Column#backfill} as the default that its existing rows get.
     */
    public static String addColumn(String field, String table, Column added) {
        String type = added.type().sql() + (added.notNull() ? " NOT NULL DEFAULT " + added.backfill() : "");
        return "ALTER TABLE " + SqlIdentifiers.quoteTable(field, table) + " ADD COLUMN " + SqlIdentifiers.quote(field, added.name())
                + " " + type;
    }

    /** An insert that a replay of the same Kafka record leaves alone. */
    public static String insertIgnoringReplays(String field, String table, List<Column> columns) {
        List<String> names = names(columns);
        return "INSERT INTO " + SqlIdentifiers.quoteTable(field, table) + " (" + columnList(names) + ") VALUES ("
                + placeholders(names.size()) + ") ON CONFLICT (" + columnList(SOURCE_POSITION) + ") DO NOTHING";
    }

    public static List<String> sourcePosition() {
        return SOURCE_POSITION;
    }

    private static List<String> names(List<Column> columns) {
        return columns.stream().map(Column::name).toList();
    }

    private static String column(String name) {
        return SqlIdentifiers.quote("column", name);
    }

    private static String columnList(List<String> names) {
        return names.stream().map(SqlStatements::column).collect(Collectors.joining(", "));
    }

    private static String placeholders(int count) {
        return String.join(", ", Collections.nCopies(count, "?"));
    }
}
