package io.streampipe.job.it;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The expected result, late and nothing else, of a windowed pipeline, computed in plain Java from the events and
 * the watermark range each was processed under; it shares no code with the job. It refuses (throws) a scenario
 * whose outcome would depend on timing: an event whose windows are late at the lowest possible watermark of its
 * step but not at the highest, or the reverse.
 *
 * <p>Semantics it models (Flink's event-time windows): a window [s, e) fires once the watermark reaches e - 1 and
 * keeps state until e - 1 + lateness; an event whose every window is past that point is dropped and, if
 * t + lateness <= watermark, goes to the late table. Session windows [t, t + gap) merge when they overlap or touch.
 * A row exists for each fired window whose final aggregates pass {@code having}.
 */
public final class WindowOracle {
    public enum Kind { TUMBLING, SLIDING, SESSION }

    /** A result row: key, window bounds, count, sum, avg, min, max of v. */
    public record Row(String user, long start, long end, long n, double total, double mean, double lo, double hi) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%s [%s, %s) n=%d total=%.6f mean=%.6f lo=%.6f hi=%.6f",
                    user, java.time.Instant.ofEpochMilli(start), java.time.Instant.ofEpochMilli(end), n, total, mean, lo, hi);
        }
    }

    private static final class Window {
        final long start;
        long end;
        final List<Double> values = new ArrayList<>();

        Window(long start, long end) {
            this.start = start;
            this.end = end;
        }
    }

    private final Kind kind;
    private final long size;
    private final long slide;
    private final long lateness;
    private final Map<String, Map<Long, Window>> windows = new TreeMap<>();
    private final List<Ev> late = new ArrayList<>();
    private final List<Window> supersededAfterFiring = new ArrayList<>();

    /** @param size window size, or the gap for sessions; slide only for sliding windows (ms) */
    public WindowOracle(Kind kind, long size, long slide, long lateness) {
        this.kind = kind;
        this.size = size;
        this.slide = slide;
        this.lateness = lateness;
    }

    /** Processes one event that the job sees while its watermark is somewhere in [low, high]. */
    public void add(Ev event, long low, long high) {
        boolean dropped = kind == Kind.SESSION ? addToSession(event, low, high) : addToWindows(event, low, high);
        if (dropped) {
            boolean lateAtLow = event.time() + lateness <= low;
            if (lateAtLow != event.time() + lateness <= high) {
                throw new IllegalStateException("Ambiguous scenario: late-table decision for " + event);
            }
            if (lateAtLow) {
                late.add(event);
            }
        }
    }

    private boolean addToWindows(Ev event, long low, long high) {
        long t = event.time();
        long step = kind == Kind.TUMBLING ? size : slide;
        boolean anyAdded = false;
        for (long start = Math.floorDiv(t, step) * step; start > t - size; start -= step) {
            long end = start + size;
            if (expired(end, low, high, event)) {
                continue;
            }
            anyAdded = true;
            windows.computeIfAbsent(event.user(), k -> new TreeMap<>())
                    .computeIfAbsent(start, s -> new Window(s, end)).values.add(event.v());
        }
        return !anyAdded;
    }

    private boolean addToSession(Ev event, long low, long high) {
        Map<Long, Window> sessions = windows.computeIfAbsent(event.user(), k -> new TreeMap<>());
        long start = event.time();
        long end = event.time() + size;
        List<Window> absorbed = new ArrayList<>();
        for (Window session : sessions.values()) {
            boolean touches = session.start <= end && session.end >= start;
            if (touches && !expired(session.end, low, high, event)) {
                absorbed.add(session);
                start = Math.min(start, session.start);
                end = Math.max(end, session.end);
            }
        }
        if (absorbed.isEmpty() && expired(end, low, high, event)) {
            return true;
        }
        Window merged = new Window(start, end);
        for (Window session : absorbed) {
            sessions.remove(session.start);
            merged.values.addAll(session.values);
            if (session.start != start && session.end - 1 <= high) {
                supersededAfterFiring.add(merged);
            }
        }
        merged.values.add(event.v());
        sessions.put(start, merged);
        return false;
    }

    /** Whether the window's state is gone; refuses a window that could be either. */
    private boolean expired(long end, long low, long high, Ev event) {
        boolean atLow = end - 1 + lateness <= low;
        if (atLow != (end - 1 + lateness <= high)) {
            throw new IllegalStateException("Ambiguous scenario: the window ending " + java.time.Instant.ofEpochMilli(end)
                    + " may or may not be expired when " + event + " arrives");
        }
        return atLow;
    }

    /** Rows of the result table once the watermark reached {@code finalWatermark}, ordered by user and start. */
    public List<Row> rows(long finalWatermark, Predicate<Row> having) {
        for (Window merged : supersededAfterFiring) {
            if (merged.end - 1 > finalWatermark) {
                throw new IllegalStateException("Scenario leaves a superseded session row (its merged session never fires)");
            }
        }
        List<Row> rows = new ArrayList<>();
        windows.forEach((user, byStart) -> byStart.values().forEach(w -> {
            if (w.end - 1 <= finalWatermark) {
                double total = 0;
                double lo = Double.POSITIVE_INFINITY;
                double hi = Double.NEGATIVE_INFINITY;
                for (double v : w.values) {
                    total += v;
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
                Row row = new Row(user, w.start, w.end, w.values.size(), total, total / w.values.size(), lo, hi);
                if (having.test(row)) {
                    rows.add(row);
                }
            }
        }));
        rows.sort(Comparator.comparing(Row::user).thenComparing(Row::start));
        return rows;
    }

    /** Events the late-data table must hold. */
    public List<Ev> late() {
        return late;
    }
}
