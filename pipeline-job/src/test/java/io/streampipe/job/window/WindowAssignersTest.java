package io.streampipe.job.window;

import io.streampipe.api.v1alpha1.TransformSpec.Window;
import io.streampipe.api.v1alpha1.TransformSpec.WindowType;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WindowAssignersTest {
    private static Window window(WindowType type, String size, String slide, String gap) {
        Window window = new Window();
        window.type = type;
        window.size = size;
        window.slide = slide;
        window.gap = gap;
        return window;
    }

    private static List<TimeWindow> windowsOf(WindowAssigner<Object, TimeWindow> assigner, long timestamp) {
        return List.copyOf(assigner.assignWindows("event", timestamp, new WindowAssigner.WindowAssignerContext() {
            @Override
            public long getCurrentProcessingTime() {
                return 0;
            }
        }));
    }

    @Test
    void eachTypeGetsItsEventTimeAssigner() {
        var tumbling = WindowAssigners.of(window(WindowType.TUMBLING, "5m", null, null));
        assertThat(tumbling).isInstanceOf(TumblingEventTimeWindows.class);
        assertThat(tumbling.isEventTime()).isTrue();
        assertThat(windowsOf(tumbling, 301_000)).containsExactly(new TimeWindow(300_000, 600_000));

        var sliding = WindowAssigners.of(window(WindowType.SLIDING, "1m", "20s", null));
        assertThat(sliding).isInstanceOf(SlidingEventTimeWindows.class);
        assertThat(windowsOf(sliding, 61_000)).containsExactlyInAnyOrder(
                new TimeWindow(60_000, 120_000), new TimeWindow(40_000, 100_000), new TimeWindow(20_000, 80_000));

        var session = WindowAssigners.of(window(WindowType.SESSION, null, null, "30m"));
        assertThat(session).isInstanceOf(EventTimeSessionWindows.class);
        assertThat(session.isEventTime()).isTrue();
        assertThat(windowsOf(session, 1_000)).containsExactly(new TimeWindow(1_000, 1_801_000));
    }

    @Test
    void allowedLatenessDefaultsToZero() {
        Window window = window(WindowType.TUMBLING, "1m", null, null);
        window.allowedLateness = null;
        assertThat(WindowAssigners.allowedLateness(window)).isZero();
        window.allowedLateness = "2m";
        assertThat(WindowAssigners.allowedLateness(window)).isEqualTo(Duration.ofMinutes(2));
    }
}
