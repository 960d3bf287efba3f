package io.streampipe.job.latest;

import io.streampipe.job.schema.EventSchema;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.types.Row;

/**
 * Without a window: each event becomes the new version of its key's row (the declared fields). Stateless and chained
 * to the source, so a row is written by the subtask that read its Kafka partition, in partition order. Which version
 * wins is the table's to decide: with an event-time field the upsert has {@code WHERE target.time <= EXCLUDED.time},
 * so an older version, replayed or from another partition, never overwrites a newer one ({@code staleRecordsSkipped}
 * on the sink counts them).
 */
public final class ResultRows implements MapFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final int fields;

    public ResultRows(EventSchema schema) {
        this.fields = schema.fieldCount();
    }

    @Override
    public Row map(Row event) {
        Row row = new Row(fields);
        for (int i = 0; i < fields; i++) {
            row.setField(i, event.getField(i));
        }
        return row;
    }
}
