package io.streampipe.job.sink;

import io.streampipe.job.parse.Reject;
import io.streampipe.job.schema.ResultSchema.ColumnType;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** Rejected records into the dead-letter table, once per Kafka record however often it is replayed. */
public final class DeadLetterWriter extends OncePerSourceRecordWriter<Reject> {
    private static final long serialVersionUID = 1L;
    static final String FIELD = "spec.deadLetter.table";

    public DeadLetterWriter(String table) {
        super(table, FIELD, SqlStatements.DEAD_LETTER_COLUMNS);
    }

    @Override
    public void bind(Reject reject, PreparedStatement statement) throws SQLException {
        statement.setString(1, reject.topic);
        statement.setLong(2, reject.partition);
        statement.setLong(3, reject.offset);
        ColumnValues.bind(statement, 4, ColumnType.TEXT, reject.payload);
        statement.setString(5, reject.reason);
        ColumnValues.bind(statement, 6, ColumnType.TIMESTAMPTZ, reject.kafkaTimestamp < 0 ? null : reject.kafkaTimestamp);
        ColumnValues.bind(statement, 7, ColumnType.TIMESTAMPTZ, reject.rejectedAt);
    }

    @Override
    public Object rowKey(Reject reject) {
        return List.of(reject.topic, reject.partition, reject.offset);
    }
}
