package io.streampipe.job.window;

import java.io.Serializable;
import java.time.Duration;

/**
 * The geometry of tumbling and sliding event-time windows cut into slices: the same windows Flink's
 * {@code TumblingEventTimeWindows} / {@code SlidingEventTimeWindows} assign (offset 0; a window starts at a multiple
 * of the slide and holds {@code [start, start + size)}), each of them the union of the slices
 * {@code [s, s + slice)} it covers, where {@code slice = gcd(size, slide)}. An event is aggregated into its one
 * slice; a window's result combines its {@code size / slice} slices. A tumbling window is one slice.
 */
public final class Slices implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long size;
    private final long slide;
    private final long slice;
    private final long allowedLateness;

    public Slices(Duration size, Duration slide, Duration allowedLateness) {
        this(size.toMillis(), slide.toMillis(), allowedLateness.toMillis());
    }

    Slices(long size, long slide, long allowedLateness) {
        if (size <= 0 || slide <= 0 || slide > size || allowedLateness < 0) {
            throw new IllegalArgumentException("window size " + size + " ms, slide " + slide + " ms, allowed lateness "
                    + allowedLateness + " ms: need 0 < slide <= size and lateness >= 0");
        }
        this.size = size;
        this.slide = slide;
        this.slice = gcd(size, slide);
        this.allowedLateness = allowedLateness;
    }

    public long size() {
        return size;
    }

    public long slide() {
        return slide;
    }

    /** Length of one slice: the largest length that divides both size and slide. */
    public long sliceLength() {
        return slice;
    }

    /** Start of the slice holding {@code timestamp}. */
    public long sliceOf(long timestamp) {
        return floor(timestamp, slice);
    }

    /** Start of the last (latest-starting) window holding the slice. */
    public long lastWindowOf(long sliceStart) {
        return floor(sliceStart, slide);
    }

    /** Start of the first (earliest-starting) window holding the slice. */
    public long firstWindowOf(long sliceStart) {
        return ceil(sliceStart + slice - size, slide);
    }

    /** The last millisecond of the window, when its result is due. */
    public long maxTimestamp(long windowStart) {
        return windowStart + size - 1;
    }

    /** When the window's state can go: {@code maxTimestamp + allowedLateness} (saturating, as Flink does). */
    public long cleanupTime(long windowStart) {
        long max = maxTimestamp(windowStart);
        long cleanup = max + allowedLateness;
        return cleanup >= max ? cleanup : Long.MAX_VALUE;
    }

    /** Whether no firing may touch the window any more at this watermark. */
    public boolean isPurged(long windowStart, long watermark) {
        return cleanupTime(windowStart) <= watermark;
    }

    /** The start of the window whose result is due at {@code time}, or {@code Long.MIN_VALUE} when none is. */
    public long windowDueAt(long time) {
        long start = time + 1 - size;
        return Math.floorMod(start, slide) == 0 ? start : Long.MIN_VALUE;
    }

    /** The start of the window whose state can go at {@code time}, or {@code Long.MIN_VALUE} when none. */
    public long windowCleanedAt(long time) {
        if (time == Long.MAX_VALUE) {
            return Long.MIN_VALUE;
        }
        return windowDueAt(time - allowedLateness);
    }

    private static long floor(long value, long unit) {
        return value - Math.floorMod(value, unit);
    }

    private static long ceil(long value, long unit) {
        long rem = Math.floorMod(value, unit);
        return rem == 0 ? value : value - rem + unit;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
