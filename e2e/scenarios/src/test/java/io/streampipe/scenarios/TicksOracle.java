package io.streampipe.scenarios;

import io.streampipe.scenarios.TickProducer.Tick;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * What the {@code ticks} pipeline's table must hold, computed from the events the producer had acknowledged, on its own
 * (no Flink, no SQL): per device and 2-second window, the number of events and the sum of their sequence numbers. And
 * how a table differs from it: the events counted more than once (duplicated) and the events in no row (missing).
 */
final class TicksOracle {
    static final long WINDOW_MILLIS = 2_000;
    static final long OUT_OF_ORDERNESS_MILLIS = 1_000;

    record Window(String device, long start) implements Comparable<Window> {
        @Override
        public int compareTo(Window other) {
            int byStart = Long.compare(start, other.start);
            return byStart != 0 ? byStart : device.compareTo(other.device);
        }
    }

    record Row(long events, long seqSum) {
    }

    /** How a table differs from the oracle, over the windows compared. */
    record Difference(int windows, long duplicated, long missing, List<String> wrongRows) {
        boolean exact() {
            return duplicated == 0 && missing == 0 && wrongRows.isEmpty();
        }

        @Override
        public String toString() {
            return windows + " windows compared, " + duplicated + " duplicated, " + missing + " missing"
                    + (wrongRows.isEmpty() ? "" : ", wrong rows (first 10): " + wrongRows.subList(0, Math.min(10, wrongRows.size())));
        }
    }

    private TicksOracle() {
    }

    static Map<Window, Row> expected(Collection<Tick> ticks) {
        Map<Window, long[]> sums = new HashMap<>();
        for (Tick tick : ticks) {
            long[] sum = sums.computeIfAbsent(new Window(tick.device(), Math.floorDiv(tick.ts(), WINDOW_MILLIS) * WINDOW_MILLIS),
                    window -> new long[2]);
            sum[0]++;
            sum[1] += tick.seq();
        }
        Map<Window, Row> rows = new TreeMap<>();
        sums.forEach((window, sum) -> rows.put(window, new Row(sum[0], sum[1])));
        return rows;
    }

    /**
     * The end before which every window must have fired: the job's watermark trails the newest event of its slowest
     * partition by the out-of-orderness (Flink's bounded out-of-orderness: newest − bound − 1 ms).
     */
    static long firedBefore(Collection<Tick> ticks, int partitions) {
        long[] newest = new long[partitions];
        java.util.Arrays.fill(newest, Long.MIN_VALUE);
        for (Tick tick : ticks) {
            newest[tick.partition()] = Math.max(newest[tick.partition()], tick.ts());
        }
        long slowest = java.util.Arrays.stream(newest).min().orElseThrow();
        return slowest == Long.MIN_VALUE ? Long.MIN_VALUE : slowest - OUT_OF_ORDERNESS_MILLIS;
    }

    /**
     * Compares the table's rows with the expected ones for the windows that end by {@code firedBefore} and that
     * {@code compared} selects. A row whose count is higher holds duplicates; a lower count or no row, missing events;
     * a right count with the wrong sum holds the wrong events (one duplicated and one missing at least).
     */
    static Difference compare(Map<Window, Row> expected, Map<Window, Row> table, long firedBefore, Predicate<Window> compared) {
        long duplicated = 0;
        long missing = 0;
        int windows = 0;
        List<String> wrong = new ArrayList<>();
        TreeMap<Window, Row> all = new TreeMap<>(expected);
        table.keySet().forEach(window -> all.putIfAbsent(window, new Row(0, 0)));
        for (Window window : all.keySet()) {
            if (window.start() + WINDOW_MILLIS > firedBefore || !compared.test(window)) {
                continue;
            }
            windows++;
            Row want = expected.getOrDefault(window, new Row(0, 0));
            Row got = table.getOrDefault(window, new Row(0, 0));
            duplicated += Math.max(0, got.events() - want.events());
            missing += Math.max(0, want.events() - got.events());
            if (!want.equals(got)) {
                wrong.add(window + ": expected " + want + ", table " + got);
            }
        }
        return new Difference(windows, duplicated, missing, wrong);
    }
}
