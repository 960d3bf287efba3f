package io.streampipe.job.window;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.TransformSpec.Aggregate;
import io.streampipe.api.v1alpha1.TransformSpec.AggregateFunction;
import io.streampipe.job.Specs;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.typeutils.RowTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link WindowClock}: what the window operator behind it sees across restores and rescales, and the layout check.
 * The sensor-anomalies example (sliding 5m / 10s, 2m lateness, avg, max, count) is the spec.
 */
class WindowClockTest {
    private static final RowTypeInfo KEY = new RowTypeInfo(new TypeInformation<?>[]{Types.STRING}, new String[]{"k"});
    private static final int MAX_PARALLELISM = 128;

    private static final class KeyOf implements KeySelector<Row, Row> {
        @Override
        public Row getKey(Row event) {
            return Row.of(event.getField(0));
        }
    }

    @Test
    void passesRecordsAndOnlyRisingWatermarks() throws Exception {
        try (var clock = clock(spec(), 1, 0)) {
            clock.open();
            clock.processWatermark(new Watermark(10));
            clock.processElement(new StreamRecord<>(Row.of("a"), 5));
            clock.processWatermark(new Watermark(8));
            clock.processWatermark(new Watermark(12));
            assertThat(output(clock)).containsExactly("W10", "+I[a]@5", "W12");
        }
    }

    @Test
    void afterARestoreTheWindowsGetTheWatermarkReachedBeforeAnyRecordAndNoLowerOne() throws Exception {
        OperatorSubtaskState snapshot;
        try (var clock = clock(spec(), 1, 0)) {
            clock.open();
            clock.processWatermark(new Watermark(100));
            snapshot = clock.snapshot(1, 1);
        }
        try (var restored = clock(spec(), 1, 0)) {
            restored.initializeState(snapshot);
            restored.open();
            // A checkpoint before any input keeps the restored watermark.
            OperatorSubtaskState beforeInput = restored.snapshot(2, 2);
            // The sources start again from scratch: their first watermarks are lower.
            restored.processWatermark(new Watermark(40));
            restored.processElement(new StreamRecord<>(Row.of("a"), 30));
            restored.processWatermark(new Watermark(90));
            restored.processWatermark(new Watermark(101));
            assertThat(output(restored)).containsExactly("W100", "+I[a]@30", "W101");
            assertThat(rescaled(List.of(beforeInput), 1, 0)).containsExactly("W100");
        }
    }

    @Test
    void aRescaleTakesTheHighestWatermarkOfAllSubtasksIncludingOnesThatHeldNoKeys() throws Exception {
        List<OperatorSubtaskState> snapshots = new ArrayList<>();
        long[] watermarks = {70, 100}; // subtask 1 receives watermarks though no record of its keys ever came
        for (int subtask = 0; subtask < 2; subtask++) {
            try (var clock = clock(spec(), 2, subtask)) {
                clock.open();
                if (subtask == 0) {
                    clock.processElement(new StreamRecord<>(Row.of(keyOnSubtask0Of2()), 60));
                }
                clock.processWatermark(new Watermark(watermarks[subtask]));
                snapshots.add(clock.snapshot(1, 1));
            }
        }
        for (int subtask = 0; subtask < 3; subtask++) {
            assertThat(rescaled(snapshots, 3, subtask)).as("subtask %d of 3", subtask).containsExactly("W100");
        }
    }

    @Test
    void aRestoreIntoAnotherGeometryOrAggregateListIsRefusedNamingTheFields() throws Exception {
        OperatorSubtaskState snapshot;
        try (var clock = clock(spec(), 1, 0)) {
            clock.open();
            snapshot = clock.snapshot(1, 1);
        }
        StreamingPipelineSpec changed = spec();
        changed.transform.window.slide = "20s";
        changed.transform.window.allowedLateness = "2m"; // unchanged
        changed.transform.aggregates.add(0, new Aggregate("lowest", AggregateFunction.MIN, "temperature"));
        try (var restored = clock(changed, 1, 0)) {
            assertThatThrownBy(() -> restored.initializeState(snapshot))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("The restored window state (window-slices) does not fit this spec: "
                            + "spec.transform.window.slide is '20s' but the state was built with '10s'; "
                            + "spec.transform.aggregates is 'min(temperature), avg(temperature), max(temperature), count' "
                            + "but the state was built with 'avg(temperature), max(temperature), count'. Window state "
                            + "of another key, geometry, lateness or aggregate list would be summed into the wrong "
                            + "windows or never cleaned up. Revert the change, or deploy it without restoring this state.");
        }
        // Another having, or new names for the same aggregates, restores.
        StreamingPipelineSpec renamed = spec();
        renamed.transform.aggregates.get(0).name = "mean_temp";
        renamed.transform.having = List.of();
        try (var restored = clock(renamed, 1, 0)) {
            restored.initializeState(snapshot);
            restored.open();
        }
    }

    @Test
    void stateOfAnotherWindowOperatorOrWithoutALayoutIsNotCompared() throws Exception {
        StreamingPipelineSpec sessions = Specs.example("clickstream-sessions");
        OperatorSubtaskState snapshot;
        try (var clock = clock(sessions, 1, 0)) {
            clock.open();
            snapshot = clock.snapshot(1, 1);
        }
        try (var restored = clock(spec(), 1, 0)) {
            restored.initializeState(snapshot);
            restored.open();
        }
        try (var fresh = clock(spec(), 1, 0)) {
            fresh.initializeState(AbstractStreamOperatorTestHarness.repackageState());
            fresh.open();
        }
    }

    private static String keyOnSubtask0Of2() {
        for (char key = 'a'; ; key++) {
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(Row.of(String.valueOf(key)), MAX_PARALLELISM, 2) == 0) {
                return String.valueOf(key);
            }
        }
    }

    private static StreamingPipelineSpec spec() {
        return Specs.example("sensor-anomalies");
    }

    private static KeyedOneInputStreamOperatorTestHarness<Row, Row, Row> clock(StreamingPipelineSpec spec, int parallelism,
                                                                               int subtask) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new WindowClock(WindowLayout.of(spec)), new KeyOf(), KEY,
                MAX_PARALLELISM, parallelism, subtask);
    }

    /** The output of subtask {@code subtask} of {@code parallelism} restored from these snapshots, then given a record. */
    private static List<String> rescaled(List<OperatorSubtaskState> snapshots, int parallelism, int subtask) throws Exception {
        OperatorSubtaskState all = AbstractStreamOperatorTestHarness.repackageState(snapshots.toArray(OperatorSubtaskState[]::new));
        OperatorSubtaskState mine = AbstractStreamOperatorTestHarness.repartitionOperatorState(
                all, MAX_PARALLELISM, snapshots.size(), parallelism, subtask);
        try (var restored = clock(spec(), parallelism, subtask)) {
            restored.initializeState(mine);
            restored.open();
            restored.processWatermark(new Watermark(Long.MIN_VALUE + 1));
            return output(restored);
        }
    }

    private static List<String> output(KeyedOneInputStreamOperatorTestHarness<Row, Row, Row> harness) {
        List<String> out = new ArrayList<>();
        for (Object element : harness.getOutput()) {
            if (element instanceof Watermark mark) {
                out.add("W" + mark.getTimestamp());
            } else if (element instanceof StreamRecord<?> record) {
                out.add(record.getValue() + "@" + record.getTimestamp());
            }
        }
        harness.getOutput().clear();
        return out;
    }
}
