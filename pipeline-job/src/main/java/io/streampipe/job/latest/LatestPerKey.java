package io.streampipe.job.latest;

import io.streampipe.job.schema.EventSchema;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

/**
 * Without a window: each event becomes the new version of its key's row (the declared fields). With an event-time
 * field, a version older than the newest one seen for the key is skipped ({@code staleRecordsSkipped}); the sink's
 * {@code WHERE target.time <= EXCLUDED.time} guards the table the same way against replays.
 */
public final class LatestPerKey extends KeyedProcessFunction<Row, Row, Row> {
    private static final long serialVersionUID = 1L;
    public static final String STALE_METRIC = "staleRecordsSkipped";

    private final EventSchema schema;
    private transient ValueState<Long> newest;
    private transient Counter stale;

    public LatestPerKey(EventSchema schema) {
        this.schema = schema;
    }

    @Override
    public void open(OpenContext openContext) {
        if (schema.timeIndex() >= 0) {
            newest = getRuntimeContext().getState(new ValueStateDescriptor<>("newest-event-time", Types.LONG));
        }
        stale = getRuntimeContext().getMetricGroup().counter(STALE_METRIC);
    }

    @Override
    public void processElement(Row event, Context context, Collector<Row> out) throws Exception {
        if (newest != null) {
            long time = (Long) event.getField(schema.timeIndex());
            Long seen = newest.value();
            if (seen != null && time < seen) {
                stale.inc();
                return;
            }
            newest.update(time);
        }
        Row row = new Row(schema.fieldCount());
        for (int i = 0; i < schema.fieldCount(); i++) {
            row.setField(i, event.getField(i));
        }
        out.collect(row);
    }
}
