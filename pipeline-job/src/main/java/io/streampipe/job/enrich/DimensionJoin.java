package io.streampipe.job.enrich;

import io.streampipe.job.parse.Reject;
import io.streampipe.job.schema.EventJson;
import io.streampipe.job.schema.EventSchema;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Adds a dimension's columns to each event, from a copy of the table held in memory by every subtask.
 *
 * <p>{@link #open} reads the table before the first event is processed, also after a restore, so no event is joined
 * against an empty dimension; a failed first read fails the task (Flink restarts it). Afterwards a daemon thread reads
 * the table again every {@code refresh} and swaps in the new copy in one step: the stream is never blocked by a read.
 * A failed refresh keeps the last good copy, is logged and counted ({@value #REFRESH_FAILURES}). The operator keeps no
 * state, so adding or removing a dimension leaves the rest of a savepoint restorable.
 */
public final class DimensionJoin extends ProcessFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DimensionJoin.class);
    public static final String REFRESHES = "enrichRefreshes";
    public static final String REFRESH_FAILURES = "enrichRefreshFailures";
    public static final String MISSING = "enrichMissing";
    public static final String ROWS = "enrichRows";
    public static final String AGE = "enrichAgeMs";

    private final Dimension dimension;
    private final EventSchema input;
    private final OutputTag<Reject> deadLetters;

    private transient volatile DimensionTable table;
    private transient ScheduledExecutorService refresher;
    private transient Counter refreshes;
    private transient Counter refreshFailures;
    private transient Counter missing;

    /**
     * @param input       the events this dimension receives (the schema's fields and the earlier dimensions' columns)
     * @param deadLetters where events without a row go when onMissing is dead-letter
     */
    public DimensionJoin(Dimension dimension, EventSchema input, OutputTag<Reject> deadLetters) {
        this.dimension = dimension;
        this.input = input;
        this.deadLetters = deadLetters;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        var metrics = getRuntimeContext().getMetricGroup();
        refreshes = metrics.counter(REFRESHES);
        refreshFailures = metrics.counter(REFRESH_FAILURES);
        missing = metrics.counter(MISSING);
        metrics.gauge(ROWS, (Gauge<Integer>) () -> table == null ? -1 : table.size());
        metrics.gauge(AGE, (Gauge<Long>) () -> table == null ? -1 : System.currentTimeMillis() - table.loadedAt());

        long start = System.nanoTime();
        table = DimensionLoader.load(dimension);
        LOG.info("Loaded dimension {} from {}: {} rows in {} ms", dimension.name(), dimension.source(), table.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "enrich-refresh-" + dimension.name());
            thread.setDaemon(true);
            return thread;
        });
        long period = dimension.refresh().toMillis();
        refresher.scheduleWithFixedDelay(this::refresh, period, period, TimeUnit.MILLISECONDS);
    }

    void refresh() {
        try {
            DimensionTable next = DimensionLoader.load(dimension);
            table = next;
            refreshes.inc();
            LOG.debug("Refreshed dimension {}: {} rows", dimension.name(), next.size());
        } catch (Exception e) {
            refreshFailures.inc();
            DimensionTable last = table;
            LOG.warn("Refresh of dimension {} failed; kept the copy read {} ms ago ({} rows): {}", dimension.name(),
                    System.currentTimeMillis() - last.loadedAt(), last.size(), e.getMessage());
        }
    }

    @Override
    public void processElement(Row event, Context context, Collector<Row> out) {
        Object[] values = table.lookupMapKey(mapKey(event));
        if (values == null) {
            missing.inc();
            switch (dimension.onMissing()) {
                case DROP -> {
                    return;
                }
                case DEAD_LETTER -> {
                    context.output(deadLetters, reject(event, key(event)));
                    return;
                }
                case KEEP_NULLS -> values = new Object[dimension.columns().size()];
            }
        }
        out.collect(joined(event, values));
    }

    /** The event's key values, in key order. */
    private List<Object> key(Row event) {
        List<Object> key = new ArrayList<>(dimension.keyFields().size());
        for (int position : dimension.keyFields()) {
            key.add(event.getField(position));
        }
        return key;
    }

    /** The event's key as {@link DimensionTable#mapKey} holds it; null when a key field is null (no row has it). */
    private Object mapKey(Row event) {
        if (dimension.keyFields().size() == 1) {
            return event.getField(dimension.keyFields().get(0));
        }
        List<Object> key = key(event);
        return key.contains(null) ? null : DimensionTable.mapKey(key);
    }

    /** The event's fields, the added columns, then the event's source position (topic, partition, offset). */
    Row joined(Row event, Object[] values) {
        int fields = input.fieldCount();
        Row joined = new Row(event.getKind(), fields + values.length + 3);
        for (int i = 0; i < fields; i++) {
            joined.setField(i, event.getField(i));
        }
        for (int c = 0; c < values.length; c++) {
            joined.setField(fields + c, values[c]);
        }
        for (int m = 0; m < 3; m++) {
            joined.setField(fields + values.length + m, event.getField(fields + m));
        }
        return joined;
    }

    Reject reject(Row event, List<Object> key) {
        int[] all = new int[input.fieldCount()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        List<String> fields = dimension.keyTypes().stream().map(f -> f.name()).toList();
        return new Reject((String) event.getField(input.topicIndex()), (Integer) event.getField(input.partitionIndex()),
                (Long) event.getField(input.offsetIndex()), -1, System.currentTimeMillis(), EventJson.write(input, event, all),
                "enrich " + dimension.name() + ": no row in " + (dimension.query() == null ? dimension.table() : "its query")
                        + " for " + fields + " = " + key);
    }

    @Override
    public void close() throws Exception {
        if (refresher != null) {
            refresher.shutdownNow();
            refresher.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
