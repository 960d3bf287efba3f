package io.streampipe.job.window;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

import java.io.Serializable;

/**
 * Turns one firing of a window into result-row changes, the same way for every window operator of the job: an
 * upsert of (key, window_start, window_end, aggregates, events) when {@code having} holds; otherwise nothing, unless
 * the window's row was written before, which a late firing that no longer passes {@code having} deletes.
 *
 * <p>Every change carries the number of events of the firing that decided it (the last field, the table's
 * {@code _events}): the sink applies an upsert or a delete only to a row computed from no more events
 * ({@code SqlStatements}). Within one line of state a window's count only grows, so that never holds a change back.
 *
 * <p>Which windows have a row is kept per key in {@code written-windows} (window_start → window_end); an entry
 * goes when its window is purged, after which no firing can touch it again.
 */
public final class WindowRows implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String UPSERTS_METRIC = "windowRowsUpserted";
    public static final String DELETES_METRIC = "windowRowsDeleted";
    static final MapStateDescriptor<Long, Long> WRITTEN = new MapStateDescriptor<>("written-windows", Types.LONG, Types.LONG);

    private final int keyArity;
    private final int aggregateCount;
    private final HavingFilter having;
    private transient Counter upserts;
    private transient Counter deletes;

    public WindowRows(int keyArity, int aggregateCount, HavingFilter having) {
        this.keyArity = keyArity;
        this.aggregateCount = aggregateCount;
        this.having = having;
    }

    public void open(MetricGroup metrics) {
        upserts = metrics.counter(UPSERTS_METRIC);
        deletes = metrics.counter(DELETES_METRIC);
    }

    /**
     * One firing of window [start, end) with these aggregate values, followed by the window's event count
     * ({@link IncrementalAggregate#getResult}).
     */
    public void fire(Row key, long start, long end, Row aggregates, MapState<Long, Long> written, Collector<Row> out)
            throws Exception {
        long events = events(aggregates);
        if (having.test(aggregates)) {
            emit(out, RowKind.INSERT, key, start, end, aggregates, events);
            written.put(start, end);
        } else if (written.contains(start)) {
            emit(out, RowKind.DELETE, key, start, end, null, events);
            written.remove(start);
        }
    }

    /**
     * Removes a row written for [start, end) that another window replaced: a session that absorbed it, whose
     * {@code aggregates} (with its event count) are passed. It holds all of the absorbed session's events and more, so
     * the delete applies to that session's row.
     */
    public void delete(Row key, long start, long end, Row aggregates, Collector<Row> out) {
        emit(out, RowKind.DELETE, key, start, end, null, events(aggregates));
    }

    private long events(Row aggregates) {
        return (Long) aggregates.getField(aggregateCount);
    }

    private void emit(Collector<Row> out, RowKind kind, Row key, long start, long end, Row aggregates, long events) {
        Row row = new Row(kind, keyArity + 2 + aggregateCount + 1);
        for (int i = 0; i < keyArity; i++) {
            row.setField(i, key.getField(i));
        }
        row.setField(keyArity, start);
        row.setField(keyArity + 1, end);
        if (aggregates != null) {
            for (int i = 0; i < aggregateCount; i++) {
                row.setField(keyArity + 2 + i, aggregates.getField(i));
            }
        }
        row.setField(keyArity + 2 + aggregateCount, events);
        Counter counter = kind == RowKind.DELETE ? deletes : upserts;
        if (counter != null) {
            counter.inc();
        }
        out.collect(row);
    }
}
