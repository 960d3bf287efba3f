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

    static OffsetDateTime timestamp(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
    }
}
