package io.streampipe.job.window;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.Map;

/**
 * Tumbling and sliding event-time windows, aggregated per slice ({@link Slices}): an event updates one accumulator,
 * its slice's, and a window's result is combined from its slices when it fires. Flink's {@code WindowOperator}
 * instead updates every window an event falls into and registers a timer for each (a 5 min / 10 s sliding window:
 * 30 accumulators and 30 timers per event); here the timers are registered once per key and slice.
 *
 * <p>The results are those of Flink's {@code WindowOperator} with {@code EventTimeTrigger}, allowed lateness and a
 * late-data side output, firing by firing (checked against it in {@code SlicedWindowAggregateTest}):
 * <ul>
 *   <li>a window fires when the watermark reaches its last millisecond, if any event fell into it;</li>
 *   <li>an event for a window that already fired but is within the allowed lateness fires it again at once;</li>
 *   <li>an event whose windows are all past {@code maxTimestamp + allowedLateness} goes to the late output;
 *       one that is too late for some of its windows only updates the others;</li>
 *   <li>a window's state goes at {@code maxTimestamp + allowedLateness}, a slice's with its last window's.</li>
 * </ul>
 *
 * <p>Across a restore its watermark is the one {@link WindowClock}, chained in front of it, hands on: the watermark
 * the job had reached, never a lower one. So the event-time clock only moves forward over the life of the state, and
 * two things follow: a slice that already exists has its windows' timers in place (they were registered when it was
 * created, at a watermark no higher than now), and a window whose state went at cleanup can never fire again.
 *
 * <p>State per key: {@code slices} (slice start → accumulator), {@code written-windows} ({@link WindowRows}) and
 * event-time timers at the windows' last milliseconds and cleanup times.
 */
public final class SlicedWindowAggregate extends KeyedProcessFunction<Row, Row, Row> {
    private static final long serialVersionUID = 1L;
    /** Above this many slices per window a firing scans the key's slices instead of looking each one up. */
    private static final long LOOKUP_LIMIT = 64;

    private final Slices slices;
    private final IncrementalAggregate aggregate;
    private final WindowRows rows;
    private final OutputTag<Row> tooLate;
    private transient MapState<Long, Accumulator> sliceState;
    private transient MapState<Long, Long> written;

    public SlicedWindowAggregate(Slices slices, IncrementalAggregate aggregate, WindowRows rows, OutputTag<Row> tooLate) {
        this.slices = slices;
        this.aggregate = aggregate;
        this.rows = rows;
        this.tooLate = tooLate;
    }

    @Override
    public void open(OpenContext openContext) {
        sliceState = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("slices", Types.LONG, TypeInformation.of(Accumulator.class)));
        written = getRuntimeContext().getMapState(WindowRows.WRITTEN);
        rows.open(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(Row event, Context context, Collector<Row> out) throws Exception {
        Long timestamp = context.timestamp();
        if (timestamp == null) {
            throw new IllegalStateException("An event reached the window without an event time; windows need "
                    + "spec.source.eventTime");
        }
        TimerService timers = context.timerService();
        long watermark = timers.currentWatermark();
        long slice = slices.sliceOf(timestamp);
        long lastWindow = slices.lastWindowOf(slice);
        if (slices.isPurged(lastWindow, watermark)) {
            context.output(tooLate, event);
            return;
        }
        Accumulator accumulator = sliceState.get(slice);
        boolean fresh = accumulator == null;
        if (fresh) {
            accumulator = aggregate.createAccumulator();
        }
        aggregate.add(event, accumulator);
        sliceState.put(slice, accumulator);

        long firstWindow = slices.firstWindowOf(slice);
        if (!fresh && slices.maxTimestamp(firstWindow) > watermark) {
            return; // timers are in place and no window of this slice is due yet: the common case
        }
        for (long window = firstWindow; window <= lastWindow; window += slices.slide()) {
            if (slices.isPurged(window, watermark)) {
                continue;
            }
            long due = slices.maxTimestamp(window);
            if (due <= watermark) {
                fire(context.getCurrentKey(), window, out);
            } else if (fresh) {
                timers.registerEventTimeTimer(due);
            }
            long cleanup = slices.cleanupTime(window);
            if (fresh && cleanup != due && cleanup != Long.MAX_VALUE) {
                timers.registerEventTimeTimer(cleanup);
            }
        }
    }

    @Override
    public void onTimer(long time, OnTimerContext context, Collector<Row> out) throws Exception {
        long due = slices.windowDueAt(time);
        if (due != Long.MIN_VALUE) {
            fire(context.getCurrentKey(), due, out);
        }
        long cleaned = slices.windowCleanedAt(time);
        if (cleaned != Long.MIN_VALUE) {
            written.remove(cleaned);
            // The slices whose last window this was.
            for (long slice = cleaned; slice < cleaned + slices.slide(); slice += slices.sliceLength()) {
                sliceState.remove(slice);
            }
        }
    }

    /** Emits the window's result if any event fell into it. */
    private void fire(Row key, long window, Collector<Row> out) throws Exception {
        Accumulator combined = null;
        long end = window + slices.size();
        if (slices.size() / slices.sliceLength() <= LOOKUP_LIMIT) {
            for (long slice = window; slice < end; slice += slices.sliceLength()) {
                combined = combine(combined, sliceState.get(slice));
            }
        } else {
            for (Map.Entry<Long, Accumulator> entry : sliceState.entries()) {
                if (entry.getKey() >= window && entry.getKey() < end) {
                    combined = combine(combined, entry.getValue());
                }
            }
        }
        if (combined != null) {
            rows.fire(key, window, end, aggregate.getResult(combined), written, out);
        }
    }

    private Accumulator combine(Accumulator combined, Accumulator slice) {
        if (slice == null) {
            return combined;
        }
        Accumulator target = combined == null ? aggregate.createAccumulator() : combined;
        aggregate.mergeInto(target, slice);
        return target;
    }
}
