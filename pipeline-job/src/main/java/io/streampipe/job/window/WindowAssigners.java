package io.streampipe.job.window;

import io.streampipe.api.Durations;
import io.streampipe.api.v1alpha1.TransformSpec.Window;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

import java.time.Duration;

/** The event-time window assigner a spec's {@code transform.window} asks for. */
public final class WindowAssigners {
    private WindowAssigners() {
    }

    public static WindowAssigner<Object, TimeWindow> of(Window window) {
        return switch (window.type) {
            case TUMBLING -> TumblingEventTimeWindows.of(duration("size", window.size));
            case SLIDING -> SlidingEventTimeWindows.of(duration("size", window.size), duration("slide", window.slide));
            case SESSION -> EventTimeSessionWindows.withGap(gap(window));
        };
    }

    /** The slices of a tumbling or sliding window. */
    public static Slices slices(Window window) {
        return switch (window.type) {
            case TUMBLING -> new Slices(duration("size", window.size), duration("size", window.size), allowedLateness(window));
            case SLIDING -> new Slices(duration("size", window.size), duration("slide", window.slide), allowedLateness(window));
            case SESSION -> throw new IllegalArgumentException("session windows are not sliced");
        };
    }

    public static Duration gap(Window window) {
        return duration("gap", window.gap);
    }

    public static Duration allowedLateness(Window window) {
        return window.allowedLateness == null ? Duration.ZERO : duration("allowedLateness", window.allowedLateness);
    }

    private static Duration duration(String field, String value) {
        return Durations.parse("spec.transform.window." + field, value);
    }
}
