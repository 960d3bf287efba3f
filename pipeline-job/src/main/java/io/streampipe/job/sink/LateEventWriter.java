package io.streampipe.job.sink;

import io.streampipe.job.late.LateEvent;
import io.streampipe.job.schema.ResultSchema.ColumnType;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** Too-late events into the late-data table, once per Kafka record however often it is replayed. */
public final class LateEventWriter extends OncePerSourceRecordWriter<LateEvent> {
    private static final long serialVersionUID = 1L;
    static final String FIELD = "spec.lateData.table";

    public LateEventWriter(String table) {
        super(table, FIELD, SqlStatements.LATE_COLUMNS);
    }

    @Override
    public void bind(LateEvent late, PreparedStatement statement) throws SQLException {
        statement.setString(1, late.topic);
        statement.setLong(2, late.partition);
        statement.setLong(3, late.offset);
        ColumnValues.bind(statement, 4, ColumnType.TIMESTAMPTZ, late.eventTime);
        statement.setString(5, late.eventKey);
        statement.setString(6, late.payload);
        ColumnValues.bind(statement, 7, ColumnType.TIMESTAMPTZ, late.receivedAt);
    }

    @Override
    public Object rowKey(LateEvent late) {
        return List.of(late.topic, late.partition, late.offset);
    }

    /** Every field; the strings with Flink's {@link StringValue} encoding, which has no length limit and keeps nulls. */
    @Override
    public void writeRecord(LateEvent late, DataOutputView out) throws IOException {
        StringValue.writeString(late.topic, out);
        out.writeInt(late.partition);
        out.writeLong(late.offset);
        out.writeLong(late.eventTime);
        StringValue.writeString(late.eventKey, out);
        StringValue.writeString(late.payload, out);
        out.writeLong(late.receivedAt);
    }

    @Override
    public String recordLayout() {
        return "late event: topic, partition, offset, event time, key, payload, received at";
    }

    @Override
    public LateEvent readRecord(DataInputView in) throws IOException {
        LateEvent late = new LateEvent();
        late.topic = StringValue.readString(in);
        late.partition = in.readInt();
        late.offset = in.readLong();
        late.eventTime = in.readLong();
        late.eventKey = StringValue.readString(in);
        late.payload = StringValue.readString(in);
        late.receivedAt = in.readLong();
        return late;
    }
}
