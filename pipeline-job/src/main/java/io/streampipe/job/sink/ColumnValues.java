package io.streampipe.job.sink;

import io.streampipe.job.schema.ResultSchema.ColumnType;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Binds a row value to a statement parameter by column type; timestamps arrive as epoch millis. */
final class ColumnValues {
    private ColumnValues() {
    }

    static void bind(PreparedStatement statement, int parameter, ColumnType type, Object value) throws SQLException {
        if (value == null) {
            statement.setNull(parameter, switch (type) {
                case TEXT -> Types.VARCHAR;
                case BIGINT -> Types.BIGINT;
                case DOUBLE -> Types.DOUBLE;
                case BOOLEAN -> Types.BOOLEAN;
                case TIMESTAMPTZ -> Types.TIMESTAMP_WITH_TIMEZONE;
            });
            return;
        }
        switch (type) {
            case TEXT -> statement.setString(parameter, (String) value);
            case BIGINT -> statement.setLong(parameter, ((Number) value).longValue());
            case DOUBLE -> statement.setDouble(parameter, ((Number) value).doubleValue());
            case BOOLEAN -> statement.setBoolean(parameter, (Boolean) value);
            case TIMESTAMPTZ -> statement.setObject(parameter, timestamp((Long) value));
        }
    }

    /** The element type name of an array parameter of this column type, as the driver knows it. */
    static String arrayElementType(ColumnType type) {
        return switch (type) {
            case TEXT -> "text";
            case BIGINT, TIMESTAMPTZ -> "int8";
            case DOUBLE -> "float8";
            case BOOLEAN -> "bool";
        };
    }

    /** An array for {@code size} elements of this column type, typed so the driver can send it in binary. */
    static Object[] newArray(ColumnType type, int size) {
        return switch (type) {
            case TEXT -> new String[size];
            case BIGINT, TIMESTAMPTZ -> new Long[size];
            case DOUBLE -> new Double[size];
            case BOOLEAN -> new Boolean[size];
        };
    }

    /**
     * A row value as an element of an array parameter, converted as {@link #bind} does, except timestamps: they stay
     * epoch milliseconds (int8), which the statement turns into timestamptz ({@link SqlStatements#upsert}). Formatting
     * and parsing them as text cost more than anything else in the batch (e2e/bench).
     */
    static Object arrayElement(ColumnType type, Object value) {
        if (value == null) {
            return null;
        }
        return switch (type) {
            case TEXT, BOOLEAN -> value;
            case BIGINT, TIMESTAMPTZ -> value instanceof Long ? value : (Object) ((Number) value).longValue();
            case DOUBLE -> value instanceof Double ? value : (Object) ((Number) value).doubleValue();
        };
    }

    static OffsetDateTime timestamp(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }
}
