package io.streampipe.job.enrich;

import io.streampipe.api.SqlIdentifiers;
import io.streampipe.api.v1alpha1.SourceSpec.FieldType;
import io.streampipe.job.schema.FieldDef;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a dimension's table whole: {@code SELECT <key columns>, <added columns> FROM <table> LIMIT maxRows + 1}, every
 * identifier validated and quoted. A read fails, naming the dimension, when the table has more rows than maxRows,
 * two rows for one key, or a column whose type does not read as declared.
 */
public final class DimensionLoader {
    private static final int FETCH_SIZE = 10_000;
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

    public static DimensionTable load(Dimension dimension) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", nullToEmpty(dimension.credentials().username()));
        properties.setProperty("password", nullToEmpty(dimension.credentials().password()));
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("ApplicationName", "streampipe-enrich-" + dimension.name());
        try (Connection connection = io.streampipe.job.sink.PostgresDriver.connect(dimension.jdbcUrl(), properties)) {
            connection.setReadOnly(true);
            connection.setAutoCommit(false); // so the driver streams the rows in fetches instead of holding them twice
            try (PreparedStatement statement = connection.prepareStatement(select(dimension))) {
                statement.setFetchSize(FETCH_SIZE);
                statement.setLong(1, dimension.maxRows() + 1L);
                try (ResultSet rows = statement.executeQuery()) {
                    checkTypes(dimension, rows.getMetaData());
                    return read(dimension, rows);
                }
            } finally {
                connection.rollback();
            }
        }
    }

    private static DimensionTable read(Dimension dimension, ResultSet rows) throws SQLException {
        int keys = dimension.keyColumns().size();
        Map<List<Object>, Object[]> byKey = new HashMap<>();
        int count = 0;
        while (rows.next()) {
            if (++count > dimension.maxRows()) {
                throw new DimensionTooLargeException(dimension.path() + ": table " + dimension.table()
                        + " has more than maxRows=" + dimension.maxRows() + " rows; raise maxRows (every subtask keeps"
                        + " a copy in memory) or enrich from a smaller table or view");
            }
            List<Object> key = new ArrayList<>(keys);
            for (int k = 0; k < keys; k++) {
                key.add(value(rows, k + 1, dimension.keyTypes().get(k).type()));
            }
            if (key.contains(null)) {
                continue; // No event key is null when it is looked up: such a row can never match.
            }
            Object[] values = new Object[dimension.columns().size()];
            for (int c = 0; c < values.length; c++) {
                values[c] = value(rows, keys + c + 1, dimension.columns().get(c).type());
            }
            if (byKey.put(List.copyOf(key), values) != null) {
                throw new SQLException(dimension.path() + ": table " + dimension.table() + " has more than one row for key "
                        + key + " of columns " + dimension.keyColumns() + "; the key columns must be unique");
            }
        }
        return new DimensionTable(Map.copyOf(byKey), System.currentTimeMillis());
    }

    private static void checkTypes(Dimension dimension, ResultSetMetaData meta) throws SQLException {
        List<String> problems = new ArrayList<>();
        List<FieldDef> expected = new ArrayList<>(dimension.keyTypes());
        expected.addAll(dimension.columns());
        for (int i = 0; i < expected.size(); i++) {
            FieldType type = expected.get(i).type();
            if (!READABLE.get(type).contains(meta.getColumnType(i + 1))) {
                problems.add("column '" + meta.getColumnName(i + 1) + "' is " + meta.getColumnTypeName(i + 1)
                        + ", which does not read as " + type.name().toLowerCase()
                        + (i < dimension.keyColumns().size() ? " (the type of event field '" + expected.get(i).name() + "')" : ""));
            }
        }
        if (!problems.isEmpty()) {
            throw new SQLException(dimension.path() + ": table " + dimension.table() + ": "
                    + problems.stream().collect(Collectors.joining("; ")));
        }
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
