package io.streampipe.job.late;

import io.streampipe.job.schema.EventJson;
import io.streampipe.job.schema.EventSchema;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

/**
 * Counts events later than the allowed lateness ({@code lateRecords}) and describes each for the late-data table.
 * When the spec drops late data the result goes nowhere, but the count stays.
 */
public final class LateEvents extends ProcessFunction<Row, LateEvent> {
    private static final long serialVersionUID = 1L;
    public static final String LATE_METRIC = "lateRecords";

    private final EventSchema schema;
    private transient Counter late;

    public LateEvents(EventSchema schema) {
        this.schema = schema;
    }

    @Override
    public void open(OpenContext openContext) {
        late = getRuntimeContext().getMetricGroup().counter(LATE_METRIC);
    }

    @Override
    public void processElement(Row event, Context context, Collector<LateEvent> out) {
        late.inc();
        out.collect(describe(event, System.currentTimeMillis()));
    }

    public LateEvent describe(Row event, long now) {
        LateEvent late = new LateEvent();
        late.topic = (String) event.getField(schema.topicIndex());
        late.partition = (Integer) event.getField(schema.partitionIndex());
        late.offset = (Long) event.getField(schema.offsetIndex());
        late.eventTime = (Long) event.getField(schema.timeIndex());
        late.eventKey = json(event, schema.keyIndexes());
        int[] all = new int[schema.fieldCount()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        late.payload = json(event, all);
        late.receivedAt = now;
        return late;
    }

    private String json(Row event, int[] fields) {
        return EventJson.write(schema, event, fields);
    }
}
