package io.streampipe.job.window;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The window function of session windows (Flink's merging {@code WindowOperator}): each firing goes through
 * {@link WindowRows}, and a session that absorbed earlier sessions (a late event bridged them, or extended one
 * backwards) first deletes the rows of the sessions it replaced, since they have another window_start.
 *
 * <p>{@code written-windows} is keyed global state rather than per-window state because merging windows have no
 * per-window state; an entry goes when its window is purged ({@link #clear}).
 */
public final class WindowResultFunction extends ProcessWindowFunction<Row, Row, Row, TimeWindow> {
    private static final long serialVersionUID = 1L;

    private final boolean sessions;
    private final WindowRows rows;

    public WindowResultFunction(int keyArity, int aggregateCount, boolean sessions, HavingFilter having) {
        this.sessions = sessions;
        this.rows = new WindowRows(keyArity, aggregateCount, having);
    }

    @Override
    public void open(OpenContext openContext) {
        rows.open(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void process(Row key, Context context, Iterable<Row> results, Collector<Row> out) throws Exception {
        Row aggregates = results.iterator().next();
        TimeWindow window = context.window();
        MapState<Long, Long> written = context.globalState().getMapState(WindowRows.WRITTEN);
        if (sessions) {
            List<Long> superseded = new ArrayList<>();
            for (Map.Entry<Long, Long> row : written.entries()) {
                boolean overlaps = row.getKey() < window.getEnd() && row.getValue() > window.getStart();
                if (overlaps && row.getKey() != window.getStart()) {
                    superseded.add(row.getKey());
                    rows.delete(key, row.getKey(), row.getValue(), aggregates, out);
                }
            }
            for (Long start : superseded) {
                written.remove(start);
            }
        }
        rows.fire(key, window.getStart(), window.getEnd(), aggregates, written, out);
    }

    @Override
    public void clear(Context context) throws Exception {
        context.globalState().getMapState(WindowRows.WRITTEN).remove(context.window().getStart());
    }
}
