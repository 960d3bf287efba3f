package io.streampipe.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The output of a benchmark: {@code key: value} lines on stdout, then one {@code summary:} line. */
final class Report {
    private Report() {
    }

    static void line(String key, Object value) {
        System.out.println(key + ": " + (value instanceof Double d ? number(d) : value));
        System.out.flush();
    }

    /** Progress for the human watching, on stderr, so stdout stays {@code key: value}. */
    static void progress(String format, Object... args) {
        System.err.printf(Locale.ROOT, "bench: " + format + "%n", args);
    }

    static String number(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 1000) {
            return String.format(Locale.ROOT, "%.0f", value);
        } else if (magnitude >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }

    /** Median, min and max of repeated measurements. */
    record Spread(double median, double min, double max, int count) {
        static Spread of(List<Double> values) {
            if (values.isEmpty()) {
                return new Spread(Double.NaN, Double.NaN, Double.NaN, 0);
            }
            List<Double> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            return new Spread(median, sorted.get(0), sorted.get(n - 1), n);
        }

        @Override
        public String toString() {
            return number(median) + " (min " + number(min) + ", max " + number(max) + ", n=" + count + ")";
        }
    }
}
