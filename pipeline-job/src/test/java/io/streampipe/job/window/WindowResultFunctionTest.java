package io.streampipe.job.window;

import io.streampipe.api.v1alpha1.TransformSpec.AggregateFunction;
import io.streampipe.api.v1alpha1.TransformSpec.Comparison;
import io.streampipe.api.v1alpha1.TransformSpec.Having;
import org.apache.flink.api.common.state.AggregatingState;
import org.apache.flink.api.common.state.AggregatingStateDescriptor;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReducingState;
import org.apache.flink.api.common.state.ReducingStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Firings of one key's windows, as the window operator would call the function, with in-memory keyed state. */
class WindowResultFunctionTest {
    private static final List<AggregateDef> AGGREGATES = List.of(new AggregateDef("n", AggregateFunction.COUNT, -1));
    private static final HavingFilter AT_LEAST_TWO = new HavingFilter(List.of(new Having("n", Comparison.GTE, 2)), AGGREGATES);
    private static final Row KEY = Row.of("alice");

    private final FakeState state = new FakeState();
    private final List<Row> out = new ArrayList<>();

    private void fire(WindowResultFunction function, long start, long end, long count) throws Exception {
        function.process(KEY, context(function, start, end), List.of(Row.of(count, count)), collector());
    }

    private void purge(WindowResultFunction function, long start, long end) throws Exception {
        function.clear(context(function, start, end));
    }

    /** The change, with the event count it carries (the table's guard: it applies to rows of no more events). */
    private static String change(Row row) {
        return (row.getKind() == RowKind.DELETE ? "-" : "+") + "[" + row.getField(1) + "," + row.getField(2) + ")"
                + (row.getKind() == RowKind.DELETE ? "" : " n=" + row.getField(3)) + " by " + row.getField(4);
    }

    @Test
    void writesPassingWindowsAndSkipsOthersWithoutDeletes() throws Exception {
        WindowResultFunction function = new WindowResultFunction(1, 1, false, AT_LEAST_TWO);
        fire(function, 0, 10, 3);
        fire(function, 10, 20, 1);
        assertThat(out).extracting(WindowResultFunctionTest::change).containsExactly("+[0,10) n=3 by 3");
        assertThat(out.get(0).getField(0)).isEqualTo("alice");
    }

    @Test
    void aLateFiringThatFailsHavingDeletesTheWrittenRowOnce() throws Exception {
        WindowResultFunction function = new WindowResultFunction(1, 1, false, AT_LEAST_TWO);
        fire(function, 0, 10, 2);
        fire(function, 0, 10, 1);
        fire(function, 0, 10, 1);
        fire(function, 0, 10, 4);
        assertThat(out).extracting(WindowResultFunctionTest::change)
                .containsExactly("+[0,10) n=2 by 2", "-[0,10) by 1", "+[0,10) n=4 by 4");
        purge(function, 0, 10);
        assertThat(state.map).isEmpty();
    }

    @Test
    void aMergedSessionDeletesTheRowsOfTheSessionsItReplaced() throws Exception {
        WindowResultFunction function = new WindowResultFunction(1, 1, true, AT_LEAST_TWO);
        fire(function, 10, 17, 2);
        fire(function, 20, 26, 2);
        fire(function, 30, 35, 1);
        // A late event bridged [10,17) and [20,26): the merged session keeps start 10.
        fire(function, 10, 26, 5);
        // A late event extended [30,35) backwards; that session had no row, so nothing to delete.
        fire(function, 28, 35, 2);
        assertThat(out).extracting(WindowResultFunctionTest::change)
                .containsExactly("+[10,17) n=2 by 2", "+[20,26) n=2 by 2", "-[20,26) by 5", "+[10,26) n=5 by 5",
                        "+[28,35) n=2 by 2");
        assertThat(state.map).containsOnlyKeys(10L, 28L).containsEntry(10L, 26L);
    }

    @Test
    void aMergedSessionFailingHavingRemovesEveryRowItCovers() throws Exception {
        HavingFilter atMostThree = new HavingFilter(List.of(new Having("n", Comparison.LTE, 3)), AGGREGATES);
        WindowResultFunction function = new WindowResultFunction(1, 1, true, atMostThree);
        fire(function, 10, 17, 2);
        fire(function, 20, 26, 2);
        fire(function, 5, 26, 5);
        assertThat(out).extracting(WindowResultFunctionTest::change)
                .containsExactly("+[10,17) n=2 by 2", "+[20,26) n=2 by 2", "-[10,17) by 5", "-[20,26) by 5");
        assertThat(state.map).isEmpty();
    }

    private Collector<Row> collector() {
        return new Collector<>() {
            @Override
            public void collect(Row record) {
                out.add(record);
            }

            @Override
            public void close() {
            }
        };
    }

    private WindowResultFunction.Context context(WindowResultFunction function, long start, long end) {
        return function.new Context() {
            @Override
            public TimeWindow window() {
                return new TimeWindow(start, end);
            }

            @Override
            public long currentProcessingTime() {
                return 0;
            }

            @Override
            public long currentWatermark() {
                return 0;
            }

            @Override
            public KeyedStateStore windowState() {
                throw new UnsupportedOperationException("merging windows have no per-window state");
            }

            @Override
            public KeyedStateStore globalState() {
                return state;
            }

            @Override
            public <X> void output(OutputTag<X> outputTag, X value) {
                throw new UnsupportedOperationException();
            }
        };
    }

    /** The one map state the function uses, in memory. */
    private static final class FakeState implements KeyedStateStore, MapState<Long, Long> {
        final TreeMap<Long, Long> map = new TreeMap<>();

        @Override
        @SuppressWarnings("unchecked")
        public <UK, UV> MapState<UK, UV> getMapState(MapStateDescriptor<UK, UV> descriptor) {
            assertThat(descriptor.getName()).isEqualTo("written-windows");
            return (MapState<UK, UV>) this;
        }

        @Override
        public <T> ValueState<T> getState(ValueStateDescriptor<T> d) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <T> ListState<T> getListState(ListStateDescriptor<T> d) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> d) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <I, A, O> AggregatingState<I, O> getAggregatingState(AggregatingStateDescriptor<I, A, O> d) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Long get(Long key) {
            return map.get(key);
        }

        @Override
        public void put(Long key, Long value) {
            map.put(key, value);
        }

        @Override
        public void putAll(Map<Long, Long> values) {
            map.putAll(values);
        }

        @Override
        public void remove(Long key) {
            map.remove(key);
        }

        @Override
        public boolean contains(Long key) {
            return map.containsKey(key);
        }

        @Override
        public Iterable<Map.Entry<Long, Long>> entries() {
            return new ArrayList<>(map.entrySet());
        }

        @Override
        public Iterable<Long> keys() {
            return new ArrayList<>(map.keySet());
        }

        @Override
        public Iterable<Long> values() {
            return new ArrayList<>(map.values());
        }

        @Override
        public Iterator<Map.Entry<Long, Long>> iterator() {
            return entries().iterator();
        }

        @Override
        public boolean isEmpty() {
            return map.isEmpty();
        }

        @Override
        public void clear() {
            map.clear();
        }
    }
}
