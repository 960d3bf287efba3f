package io.streampipe.job.enrich;

import io.streampipe.api.SqlIdentifiers;
import io.streampipe.api.v1alpha1.SourceSpec.FieldType;
import io.streampipe.job.schema.FieldDef;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Reads a dimension whole, limited to maxRows + 1 rows: from its table, {@code SELECT <key columns>, <added columns>
 * FROM <table> LIMIT ?}, every identifier validated and quoted; or with the user's own query, run unchanged as a
 * subquery, {@code SELECT * FROM (<query>) AS dimension LIMIT ?}, in a read-only transaction with a statement timeout,
 * its columns found by name. A read fails, naming the dimension, when it returns more rows than maxRows, two rows for
 * one key, or a column that is missing or whose type does not read as declared.
 */
public final class DimensionLoader {
    private static final int FETCH_SIZE = 10_000;
    /** The longest a read may run; a read longer than a refresh period only delays the next one. */
    static final Duration STATEMENT_TIMEOUT = Duration.ofMinutes(5);
    private static final Map<FieldType, Set<Integer>> READABLE = Map.of(
            FieldType.STRING, Set.of(Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR, Types.NVARCHAR, Types.NCHAR, Types.OTHER),
            FieldType.LONG, Set.of(Types.BIGINT, Types.INTEGER, Types.SMALLINT),
            FieldType.DOUBLE, Set.of(Types.DOUBLE, Types.REAL, Types.FLOAT, Types.NUMERIC, Types.DECIMAL, Types.BIGINT, Types.INTEGER, Types.SMALLINT),
            FieldType.BOOLEAN, Set.of(Types.BOOLEAN, Types.BIT),
            FieldType.TIMESTAMP, Set.of(Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE));

    private DimensionLoader() {
    }

    /** The SELECT of a dimension; the row limit is its one parameter. */
    static String select(Dimension dimension) {
        if (dimension.query() != null) {
            // The user's SQL as written, on lines of its own (a trailing -- comment ends before the parenthesis). As a
            // subquery it can only be one SELECT: a second statement or a data-modifying WITH is a syntax error.
            return "SELECT * FROM (\n" + withoutTrailingSemicolon(dimension.query()) + "\n) AS dimension LIMIT ?";
        }
        String field = dimension.path() + ".postgres";
        List<String> columns = new ArrayList<>();
        for (String key : dimension.keyColumns()) {
            columns.add(SqlIdentifiers.quote(field + ".key.column", key));
        }
        for (FieldDef column : dimension.columns()) {
            columns.add(SqlIdentifiers.quote(field + ".columns.name", column.name()));
        }
        return "SELECT " + String.join(", ", columns) + " FROM " + SqlIdentifiers.quoteTable(field + ".table", dimension.table())
                + " LIMIT ?";
    }

    private static String withoutTrailingSemicolon(String query) {
        String trimmed = query.strip();
        return trimmed.endsWith(";") ? trimmed.substring(0, trimmed.length() - 1).strip() : trimmed;
    }

    public static DimensionTable load(Dimension dimension) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", nullToEmpty(dimension.credentials().username()));
        properties.setProperty("password", nullToEmpty(dimension.credentials().password()));
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("ApplicationName", "streampipe-enrich-" + dimension.name());
        // Every transaction of the session read-only (SET SESSION CHARACTERISTICS), not only those the driver begins.
        properties.setProperty("readOnlyMode", "always");
        try (Connection connection = io.streampipe.job.sink.PostgresDriver.connect(dimension.jdbcUrl(), properties)) {
            connection.setReadOnly(true);
            connection.setAutoCommit(false); // so the driver streams the rows in fetches instead of holding them twice
            try (Statement settings = connection.createStatement()) {
                settings.execute("SET TRANSACTION READ ONLY");
                settings.execute("SET LOCAL statement_timeout = " + STATEMENT_TIMEOUT.toMillis());
            }
            try (PreparedStatement statement = connection.prepareStatement(select(dimension))) {
                statement.setFetchSize(FETCH_SIZE);
                statement.setLong(1, dimension.maxRows() + 1L);
                try (ResultSet rows = statement.executeQuery()) {
                    return read(dimension, rows, positions(dimension, rows.getMetaData()));
                }
            } catch (SQLException e) {
                if (dimension.query() != null && !(e instanceof DimensionTooLargeException) && e.getSQLState() != null) {
                    throw new SQLException(dimension.path() + ".postgres.query failed: " + e.getMessage(), e.getSQLState(), e);
                }
                throw e;
            } finally {
                connection.rollback();
            }
        }
    }

    /**
     * Where each key column and added column is in the result, by name for a query (1-based), its types checked.
     * A table's SELECT names them in order.
     */
    private static int[] positions(Dimension dimension, ResultSetMetaData meta) throws SQLException {
        List<String> names = new ArrayList<>(dimension.keyColumns());
        dimension.columns().forEach(c -> names.add(c.name()));
        List<FieldDef> types = new ArrayList<>(dimension.keyTypes());
        types.addAll(dimension.columns());
        int[] positions = new int[names.size()];
        List<String> problems = new ArrayList<>();
        if (dimension.query() == null) {
            for (int i = 0; i < positions.length; i++) {
                positions[i] = i + 1;
            }
        } else {
            Map<String, List<Integer>> byLabel = new LinkedHashMap<>();
            for (int c = 1; c <= meta.getColumnCount(); c++) {
                byLabel.computeIfAbsent(meta.getColumnLabel(c), k -> new ArrayList<>()).add(c);
            }
            for (int i = 0; i < positions.length; i++) {
                List<Integer> found = byLabel.getOrDefault(names.get(i), List.of());
                if (found.size() != 1) {
                    problems.add((found.isEmpty() ? "returns no column '" : "returns more than one column '") + names.get(i)
                            + "'" + (i < dimension.keyColumns().size() ? " (key column)" : "") + "; it returns " + byLabel.keySet());
                }
                positions[i] = found.isEmpty() ? -1 : found.get(0);
            }
        }
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] < 0) {
                continue;
            }
            FieldType type = types.get(i).type();
            if (!READABLE.get(type).contains(meta.getColumnType(positions[i]))) {
                problems.add("column '" + names.get(i) + "' is " + meta.getColumnTypeName(positions[i])
                        + ", which does not read as " + type.name().toLowerCase()
                        + (i < dimension.keyColumns().size() ? " (the type of event field '" + types.get(i).name() + "')" : ""));
            }
        }
        if (!problems.isEmpty()) {
            String where = dimension.query() == null ? ": table " + dimension.table() + ": " : ".postgres.query: the query ";
            throw new SQLException(dimension.path() + where + String.join("; ", problems));
        }
        return positions;
    }

    private static DimensionTable read(Dimension dimension, ResultSet rows, int[] positions) throws SQLException {
        int keys = dimension.keyColumns().size();
        Map<Object, Object[]> byKey = new HashMap<>();
        int count = 0;
        while (rows.next()) {
            if (++count > dimension.maxRows()) {
                throw new DimensionTooLargeException(dimension.path() + ": " + dimension.source()
                        + " has more than maxRows=" + dimension.maxRows() + " rows; raise maxRows (every subtask keeps"
                        + " a copy in memory) or enrich from a smaller table or view");
            }
            List<Object> key = new ArrayList<>(keys);
            for (int k = 0; k < keys; k++) {
                key.add(value(rows, positions[k], dimension.keyTypes().get(k).type()));
            }
            if (key.contains(null)) {
                continue; // No event key is null when it is looked up: such a row can never match.
            }
            Object[] values = new Object[dimension.columns().size()];
            for (int c = 0; c < values.length; c++) {
                values[c] = value(rows, positions[keys + c], dimension.columns().get(c).type());
            }
            if (byKey.put(DimensionTable.mapKey(key), values) != null) {
                throw new SQLException(dimension.path() + ": " + dimension.source() + " has more than one row for key "
                        + key + " of columns " + dimension.keyColumns() + "; the key columns must be unique");
            }
        }
        return new DimensionTable(Collections.unmodifiableMap(byKey), System.currentTimeMillis());
    }

    private static Object value(ResultSet rows, int column, FieldType type) throws SQLException {
        Object value = switch (type) {
            case STRING -> rows.getString(column);
            case LONG -> rows.getLong(column);
            case DOUBLE -> rows.getDouble(column);
            case BOOLEAN -> rows.getBoolean(column);
            case TIMESTAMP -> {
                java.sql.Timestamp timestamp = rows.getTimestamp(column);
                yield timestamp == null ? null : timestamp.getTime();
            }
        };
        return rows.wasNull() ? null : value;
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }

    /** The table holds more rows than the dimension's maxRows. */
    public static final class DimensionTooLargeException extends SQLException {
        private static final long serialVersionUID = 1L;

        DimensionTooLargeException(String message) {
            super(message);
        }
    }
}
