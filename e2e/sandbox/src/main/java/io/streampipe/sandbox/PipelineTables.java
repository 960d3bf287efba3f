package io.streampipe.sandbox;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.schema.ResultSchema;

import java.util.ArrayList;
import java.util.List;

/**
 * The tables a pipeline writes, as {@link TableWatcher} reads them: the result table (windows first by their start),
 * the late-data table if there is one, and the dead-letter table, whose rows show where the record was and why it
 * was refused. What goes to topics instead is in {@link PipelineTopics}.
 *
 * @param result     null without {@code spec.sink.postgres} (results on a topic only)
 * @param lateData   null when late events are dropped, go to a topic, or there is no window
 * @param deadLetter null when dead letters go to a topic
 */
public record PipelineTables(String result, String lateData, String deadLetter, List<TableWatcher.Table> tables) {
    private static final List<String> POSITION = List.of("topic", "partition", "offset");

    public static PipelineTables of(StreamingPipelineSpec spec) {
        ResultSchema schema = ResultSchema.of(spec);
        List<String> order = new ArrayList<>(schema.primaryKey());
        if (schema.windowed()) {
            order.remove(ResultSchema.WINDOW_START);
            order.add(0, ResultSchema.WINDOW_START);
        }
        String result = spec.sink.postgres == null ? null : spec.sink.postgres.table;
        List<TableWatcher.Table> tables = new ArrayList<>();
        if (result != null) {
            tables.add(new TableWatcher.Table(result, schema.primaryKey(), order, null));
        }
        String lateData = spec.lateData != null ? spec.lateData.table : null;
        if (lateData != null) {
            tables.add(new TableWatcher.Table(lateData, POSITION, List.of("received_at", "partition", "offset"),
                    List.of("partition", "offset", "event_time", "event_key", "payload")));
        }
        String deadLetter = spec.deadLetter.table;
        if (deadLetter != null) {
            tables.add(new TableWatcher.Table(deadLetter, POSITION, List.of("rejected_at", "partition", "offset"),
                    List.of("partition", "offset", "reason", "payload")));
        }
        return new PipelineTables(result, lateData, deadLetter, List.copyOf(tables));
    }

    /** {@code sensor_alerts (results), sensor_alerts_late (late data), sensor_readings_rejects (dead letters)} */
    public String description() {
        List<String> parts = new ArrayList<>();
        if (result != null) {
            parts.add(result + " (results)");
        }
        if (lateData != null) {
            parts.add(lateData + " (late data)");
        }
        if (deadLetter != null) {
            parts.add(deadLetter + " (dead letters)");
        }
        return String.join(", ", parts);
    }

    /** No table: everything the pipeline writes goes to topics. */
    public boolean isEmpty() {
        return tables.isEmpty();
    }

    public TableWatcher watcher() {
        return new TableWatcher(tables);
    }
}
