package io.streampipe.job.window;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a window firing into result-row changes: an upsert of (key, window_start, window_end, aggregates) when the
 * {@code having} conditions hold, otherwise nothing, except where a row was written before:
 *
 * <ul>
 *   <li>a late firing that makes a written window fail {@code having} deletes its row;</li>
 *   <li>a session that absorbed earlier sessions (a late event bridged them, or extended one backwards) deletes the
 *       rows of the sessions it replaced, since they have another window_start.</li>
 * </ul>
 *
 * <p>Which windows have a row is kept per key in {@code written-windows} (window_start → window_end). It is keyed
 * global state rather than per-window state because merging (session) windows have no per-window state; an entry
 * goes when its window is purged ({@link #clear}), after which no firing can touch it again.
 */
public final class WindowResultFunction extends ProcessWindowFunction<Row, Row, Row, TimeWindow> {
    private static final long serialVersionUID = 1L;
    public static final String UPSERTS_METRIC = "windowRowsUpserted";
    public static final String DELETES_METRIC = "windowRowsDeleted";
    static final MapStateDescriptor<Long, Long> WRITTEN = new MapStateDescriptor<>("written-windows", Types.LONG, Types.LONG);

    private final int keyArity;
    private final int aggregateCount;
    private final boolean sessions;
    private final HavingFilter having;
    private transient Counter upserts;
    private transient Counter deletes;

    public WindowResultFunction(int keyArity, int aggregateCount, boolean sessions, HavingFilter having) {
        this.keyArity = keyArity;
        this.aggregateCount = aggregateCount;
        this.sessions = sessions;
        this.having = having;
    }

    @Override
    public void open(OpenContext openContext) {
        upserts = getRuntimeContext().getMetricGroup().counter(UPSERTS_METRIC);
        deletes = getRuntimeContext().getMetricGroup().counter(DELETES_METRIC);
    }

    @Override
    public void process(Row key, Context context, Iterable<Row> results, Collector<Row> out) throws Exception {
        Row aggregates = results.iterator().next();
        TimeWindow window = context.window();
        MapState<Long, Long> written = context.globalState().getMapState(WRITTEN);
        if (sessions) {
            List<Long> superseded = new ArrayList<>();
            for (Map.Entry<Long, Long> row : written.entries()) {
                boolean overlaps = row.getKey() < window.getEnd() && row.getValue() > window.getStart();
                if (overlaps && row.getKey() != window.getStart()) {
                    superseded.add(row.getKey());
                    emit(out, RowKind.DELETE, key, row.getKey(), row.getValue(), null);
                }
            }
            for (Long start : superseded) {
                written.remove(start);
            }
        }
        if (having.test(aggregates)) {
            emit(out, RowKind.INSERT, key, window.getStart(), window.getEnd(), aggregates);
            written.put(window.getStart(), window.getEnd());
        } else if (written.contains(window.getStart())) {
            emit(out, RowKind.DELETE, key, window.getStart(), window.getEnd(), null);
            written.remove(window.getStart());
        }
    }

    @Override
    public void clear(Context context) throws Exception {
        context.globalState().getMapState(WRITTEN).remove(context.window().getStart());
    }

    private void emit(Collector<Row> out, RowKind kind, Row key, long start, long end, Row aggregates) {
        Row row = new Row(kind, keyArity + 2 + aggregateCount);
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
        Counter counter = kind == RowKind.DELETE ? deletes : upserts;
        if (counter != null) {
            counter.inc();
        }
        out.collect(row);
    }
}
