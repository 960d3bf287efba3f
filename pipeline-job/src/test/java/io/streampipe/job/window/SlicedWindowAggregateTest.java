package io.streampipe.job.window;

import io.streampipe.api.v1alpha1.TransformSpec.AggregateFunction;
import io.streampipe.api.v1alpha1.TransformSpec.Comparison;
import io.streampipe.api.v1alpha1.TransformSpec.Having;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sliced window operator against the oracle it replaces: Flink's own {@code WindowOperator} (sliding event-time
 * assigner, {@code EventTimeTrigger}, allowed lateness, late-data side output) with the job's incremental aggregate
 * and result function. Both get the same random stream — three keys, out-of-order and too-late events, watermarks —
 * and after every element and every watermark they must have emitted the same result-row changes; at the end the
 * same too-late events. Values are multiples of 1/4, so sums are exact in any order and rows compare exactly.
 */
class SlicedWindowAggregateTest {
    private static final RowTypeInfo EVENT = new RowTypeInfo(
            new TypeInformation<?>[]{Types.STRING, Types.DOUBLE}, new String[]{"user", "v"});
    private static final RowTypeInfo KEY = new RowTypeInfo(new TypeInformation<?>[]{Types.STRING}, new String[]{"user"});
    private static final List<AggregateDef> AGGREGATES = List.of(
            new AggregateDef("n", AggregateFunction.COUNT, -1),
            new AggregateDef("total", AggregateFunction.SUM, 1),
            new AggregateDef("mean", AggregateFunction.AVG, 1),
            new AggregateDef("lo", AggregateFunction.MIN, 1),
            new AggregateDef("hi", AggregateFunction.MAX, 1));
    private static final RowTypeInfo AGGREGATE_ROW = new RowTypeInfo(
            Types.LONG, Types.DOUBLE, Types.DOUBLE, Types.DOUBLE, Types.DOUBLE, Types.LONG);
    private static final RowTypeInfo RESULT = new RowTypeInfo(
            Types.STRING, Types.LONG, Types.LONG, Types.LONG, Types.DOUBLE, Types.DOUBLE, Types.DOUBLE, Types.DOUBLE, Types.LONG);
    private static final OutputTag<Row> TOO_LATE = new OutputTag<>("too-late", EVENT);

    private record Window(long size, long slide, long lateness, HavingFilter having) {
    }

    private record Step(Row event, long time, long watermark) {
        boolean isWatermark() {
            return event == null;
        }
    }

    private static final class KeyOf implements KeySelector<Row, Row> {
        @Override
        public Row getKey(Row event) {
            return Row.of(event.getField(0));
        }
    }

    /** 40 seeds by default; {@code -Dstreampipe.windowSeeds=2000} for a longer hunt. */
    static LongStream seeds() {
        return LongStream.rangeClosed(1, Long.getLong("streampipe.windowSeeds", 40));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void firesExactlyAsFlinksWindowOperatorOnRandomStreams(long seed) throws Exception {
        Random random = new Random(seed);
        long[][] shapes = {{10, 10}, {30, 10}, {25, 10}, {60, 7}, {20, 5}, {90, 30}, {1000, 3}};
        long[] shape = shapes[random.nextInt(shapes.length)];
        long[] latenesses = {0, 0, 5, 17, 40};
        List<HavingFilter> havings = List.of(new HavingFilter(List.of(), AGGREGATES),
                new HavingFilter(List.of(new Having("n", Comparison.GTE, 2)), AGGREGATES),
                new HavingFilter(List.of(new Having("lo", Comparison.LT, 3)), AGGREGATES));
        Window window = new Window(shape[0], shape[1], latenesses[random.nextInt(latenesses.length)],
                havings.get(random.nextInt(havings.size())));
        List<Step> steps = randomStream(random, 400, window.size());
        int restoreAt = random.nextInt(steps.size());

        compare(window, steps, restoreAt, "seed " + seed + ", " + window);
    }

    @Test
    void aLateEventForSomeWindowsUpdatesTheOthersAndOnlyATooLateOneGoesToTheSideOutput() throws Exception {
        Window window = new Window(30, 10, 0, new HavingFilter(List.of(), AGGREGATES));
        List<Step> steps = List.of(
                event("a", 1.0, 12), event("a", 2.0, 25), watermark(29),
                // Windows [-10,20) and [0,30) have fired and are gone; [10,40) has not: updated, not late.
                event("a", 4.0, 15),
                // Every window of t=5 is gone: too late.
                event("a", 8.0, 5),
                watermark(Long.MAX_VALUE));
        KeyedOneInputStreamOperatorTestHarness<Row, Row, Row> sliced = sliced(window);
        sliced.open();
        for (Step step : steps) {
            feed(sliced, step);
        }
        assertThat(sliced.extractOutputValues()).extracting(Row::toString).containsExactly(
                "+I[a, -10, 20, 1, 1.0, 1.0, 1.0, 1.0, 1]",
                "+I[a, 0, 30, 2, 3.0, 1.5, 1.0, 2.0, 2]",
                "+I[a, 10, 40, 3, 7.0, 2.3333333333333335, 1.0, 4.0, 3]",
                "+I[a, 20, 50, 1, 2.0, 2.0, 2.0, 2.0, 1]");
        assertThat(sliced.getSideOutput(TOO_LATE)).extracting(r -> r.getValue().toString()).containsExactly("+I[a, 8.0]");
        sliced.close();
    }

    @Test
    void afterARestoreAnEventThatWasTooLateIsStillTooLate() throws Exception {
        Window window = new Window(20, 10, 0, new HavingFilter(List.of(), AGGREGATES));
        List<Step> before = List.of(event("a", 1.0, 12), event("a", 2.0, 25), watermark(29));
        Step replayed = event("a", 8.0, 15); // windows [0,20) and [10,30) are both purged at watermark 29
        List<Step> after = List.of(watermark(100));

        KeyedOneInputStreamOperatorTestHarness<Row, Row, Row> sliced = sliced(window);
        KeyedOneInputStreamOperatorTestHarness<Row, Row, Row> reference = reference(window);
        sliced.open();
        reference.open();
        for (Step step : before) {
            feed(sliced, step);
            feed(reference, step);
        }
        assertThat(changes(sliced)).isEqualTo(changes(reference)).hasSize(2);
        sliced = restored(sliced, sliced(window));
        reference = restored(reference, reference(window));
        // In the job, WindowClock hands the restored watermark on before any record (WindowClockTest).
        feed(sliced, watermark(29));
        feed(sliced, replayed);
        feed(reference, replayed);
        for (Step step : after) {
            feed(sliced, step);
            feed(reference, step);
        }

        assertThat(sliced.getSideOutput(TOO_LATE)).extracting(r -> r.getValue().toString()).containsExactly("+I[a, 8.0]");
        assertThat(changes(sliced)).containsExactly("+I[a, 20, 40, 1, 2.0, 2.0, 2.0, 2.0, 1]");
        // Flink's operator re-fires the purged windows with the replayed event alone: rows with 1 of their events.
        assertThat(reference.getSideOutput(TOO_LATE)).isNull();
        assertThat(changes(reference)).contains("+I[a, 0, 20, 1, 8.0, 8.0, 8.0, 8.0, 1]", "+I[a, 10, 30, 1, 8.0, 8.0, 8.0, 8.0, 1]");
        sliced.close();
        reference.close();
    }

    @Test
    void stateIsGoneOnceEveryWindowIsPurged() throws Exception {
        Window window = new Window(30, 10, 5, new HavingFilter(List.of(), AGGREGATES));
        KeyedOneInputStreamOperatorTestHarness<Row, Row, Row> sliced = sliced(window);
        sliced.open();
        for (Step step : List.of(event("a", 1.0, 12), event("b", 2.0, 25), event("a", 3.0, 31), watermark(100))) {
            feed(sliced, step);
        }
        assertThat(sliced.numKeyedStateEntries()).isZero();
        assertThat(sliced.numEventTimeTimers()).isZero();
        sliced.close();
    }

    private static void compare(Window window, List<Step> steps, int restoreAt, String description) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<Row, Row, Row> reference = reference(window);
        KeyedOneInputStreamOperatorTestHarness<Row, Row, Row> sliced = sliced(window);
        reference.open();
        sliced.open();
        int compared = 0;
        List<String> slicedTooLate = new ArrayList<>();
        List<String> referenceTooLate = new ArrayList<>();
        long watermark = Long.MIN_VALUE;
        for (int i = 0; i < steps.size(); i++) {
            if (i == restoreAt) {
                // Both restart from a snapshot, as after a failure, and get the watermark again, as WindowClock
                // hands it on in the job (Flink's own would not remember it: afterARestoreAnEventThatWasTooLateIsStillTooLate).
                slicedTooLate.addAll(values(sliced.getSideOutput(TOO_LATE)));
                referenceTooLate.addAll(values(reference.getSideOutput(TOO_LATE)));
                sliced = restored(sliced, sliced(window));
                reference = restored(reference, reference(window));
                if (watermark != Long.MIN_VALUE) {
                    feed(sliced, watermark(watermark));
                    feed(reference, watermark(watermark));
                    assertThat(changes(sliced)).isEqualTo(changes(reference)).isEmpty();
                }
            }
            Step step = steps.get(i);
            if (step.isWatermark()) {
                watermark = step.watermark();
            }
            feed(reference, step);
            feed(sliced, step);
            List<String> expected = changes(reference);
            assertThat(changes(sliced)).as("%s, step %d: %s", description, i, step).containsExactlyInAnyOrderElementsOf(expected);
            compared += expected.size();
        }
        slicedTooLate.addAll(values(sliced.getSideOutput(TOO_LATE)));
        referenceTooLate.addAll(values(reference.getSideOutput(TOO_LATE)));
        assertThat(slicedTooLate).as(description).isEqualTo(referenceTooLate);
        assertThat(compared).as("the stream produced results at all").isPositive();
        reference.close();
        sliced.close();
    }

    private static KeyedOneInputStreamOperatorTestHarness<Row, Row, Row> restored(
            KeyedOneInputStreamOperatorTestHarness<Row, Row, Row> running,
            KeyedOneInputStreamOperatorTestHarness<Row, Row, Row> fresh) throws Exception {
        OperatorSubtaskState snapshot = running.snapshot(1, 1);
        running.close();
        fresh.initializeState(snapshot);
        fresh.open();
        return fresh;
    }

    private static List<String> values(java.util.Collection<StreamRecord<Row>> records) {
        return records == null ? List.of() : records.stream().map(r -> r.getTimestamp() + " " + r.getValue()).toList();
    }

    /** Emitted changes since the last call, drained from the harness. */
    private static List<String> changes(KeyedOneInputStreamOperatorTestHarness<Row, Row, Row> harness) {
        List<String> out = new ArrayList<>();
        for (Row row : harness.extractOutputValues()) {
            out.add(row.getKind() == RowKind.DELETE ? "-" + row.getField(0) + "@" + row.getField(1) : row.toString());
        }
        harness.getOutput().clear();
        return out;
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<Row, Row, Row> harness, Step step) throws Exception {
        if (step.isWatermark()) {
            harness.processWatermark(new Watermark(step.watermark()));
        } else {
            harness.processElement(new StreamRecord<>(step.event(), step.time()));
        }
    }

    /**
     * Event times advance with jitter; watermarks trail the newest time by a bounded out-of-orderness; some events
     * come far too late, some values are null. Ends with the final watermark.
     */
    private static List<Step> randomStream(Random random, int events, long size) {
        List<Step> steps = new ArrayList<>();
        long newest = -2 * size + random.nextInt((int) size);
        long watermark = Long.MIN_VALUE;
        long outOfOrder = 1 + random.nextInt((int) Math.min(size, 50));
        for (int i = 0; i < events; i++) {
            newest += random.nextInt(4);
            long time = switch (random.nextInt(10)) {
                case 0 -> newest - random.nextInt((int) (3 * size));       // late, maybe too late
                case 1, 2 -> newest - random.nextInt((int) outOfOrder);    // within the bound
                default -> newest;
            };
            Double value = random.nextInt(12) == 0 ? null : random.nextInt(40) / 4.0;
            steps.add(event(String.valueOf((char) ('a' + random.nextInt(3))), value, time));
            if (random.nextInt(5) == 0 && newest - outOfOrder > watermark) {
                watermark = newest - outOfOrder;
                steps.add(watermark(watermark));
            }
        }
        steps.add(watermark(Long.MAX_VALUE));
        return steps;
    }

    private static Step event(String user, Double value, long time) {
        return new Step(Row.of(user, value), time, 0);
    }

    private static Step watermark(long watermark) {
        return new Step(null, 0, watermark);
    }

    private static KeyedOneInputStreamOperatorTestHarness<Row, Row, Row> sliced(Window window) throws Exception {
        SlicedWindowAggregate function = new SlicedWindowAggregate(
                new Slices(window.size(), window.slide(), window.lateness()), new IncrementalAggregate(AGGREGATES),
                new WindowRows(1, AGGREGATES.size(), window.having()), TOO_LATE);
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function), new KeyOf(), KEY);
    }

    /** Flink's window operator, built by the DataStream API exactly as the job built it before slicing. */
    @SuppressWarnings("unchecked")
    private static KeyedOneInputStreamOperatorTestHarness<Row, Row, Row> reference(Window window) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<Row> input = env.fromSequence(0, 1).map(i -> Row.of("x", 0.0), EVENT);
        SingleOutputStreamOperator<Row> results = input.keyBy(new KeyOf(), KEY)
                .window(SlidingEventTimeWindows.of(Duration.ofMillis(window.size()), Duration.ofMillis(window.slide())))
                .allowedLateness(Duration.ofMillis(window.lateness()))
                .sideOutputLateData(TOO_LATE)
                .aggregate(new IncrementalAggregate(AGGREGATES),
                        new WindowResultFunction(1, AGGREGATES.size(), false, window.having()),
                        TypeInformation.of(Accumulator.class), AGGREGATE_ROW, RESULT);
        var transformation = (OneInputTransformation<Row, Row>) results.getTransformation();
        return new KeyedOneInputStreamOperatorTestHarness<>(transformation.getOperatorFactory(), new KeyOf(), KEY);
    }
}
