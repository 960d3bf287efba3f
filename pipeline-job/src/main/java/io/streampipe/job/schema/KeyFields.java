package io.streampipe.job.schema;

import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.types.Row;

/**
 * The keyBy fields of an event as a {@link Row}. Row's hash code is specified (field hash codes and the row kind's
 * byte value), so the same key lands in the same key group in every JVM and after every restore.
 */
public final class KeyFields implements KeySelector<Row, Row> {
    private static final long serialVersionUID = 1L;
    private final EventSchema schema;

    public KeyFields(EventSchema schema) {
        this.schema = schema;
    }

    @Override
    public Row getKey(Row event) {
        return schema.keyOf(event);
    }
}
