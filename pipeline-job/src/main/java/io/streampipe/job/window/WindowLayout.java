package io.streampipe.job.window;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.TransformSpec.Aggregate;
import io.streampipe.api.v1alpha1.TransformSpec.AggregateFunction;
import io.streampipe.api.v1alpha1.TransformSpec.Window;
import io.streampipe.api.v1alpha1.TransformSpec.WindowType;
import io.streampipe.job.OperatorUids;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What window state means, recorded with it: the window operator that holds it, the key fields, the window's type,
 * geometry and allowed lateness, and the aggregates in order. Each is part of the state's identity:
 * <ul>
 *   <li>slices and timers sit at multiples of the old size and slide, and timers at the old cleanup times
 *       ({@code maxTimestamp + allowedLateness}); restored into other windows they are summed into the wrong windows,
 *       never fire or are never cleaned up;</li>
 *   <li>accumulators are positional (one slot per aggregate, {@link Accumulator}): another order or function reads
 *       one aggregate's running value as another's;</li>
 *   <li>keys are rows of the key fields' values: other fields of the same types would restore the old keys' state.</li>
 * </ul>
 * A restore compares the recorded layout with the spec's ({@link #mismatch}) and refuses any difference, naming the
 * fields.
 */
public final class WindowLayout implements Serializable {
    private static final long serialVersionUID = 1L;
    static final String OPERATOR = "operator";

    /** Spec field (or {@link #OPERATOR}) → value, in a fixed order. */
    private final LinkedHashMap<String, String> fields;

    private WindowLayout(LinkedHashMap<String, String> fields) {
        this.fields = fields;
    }

    public static WindowLayout of(StreamingPipelineSpec spec) {
        Window window = spec.transform.window;
        LinkedHashMap<String, String> fields = new LinkedHashMap<>();
        fields.put(OPERATOR, window.type == WindowType.SESSION ? OperatorUids.WINDOW_AGGREGATE : OperatorUids.WINDOW_SLICES);
        fields.put("spec.transform.keyBy", String.join(", ", spec.transform.keyBy));
        fields.put("spec.transform.window.type", window.type.name().toLowerCase(java.util.Locale.ROOT));
        if (window.type == WindowType.SESSION) {
            fields.put("spec.transform.window.gap", format(WindowAssigners.gap(window)));
        } else {
            Slices slices = WindowAssigners.slices(window);
            fields.put("spec.transform.window.size", format(Duration.ofMillis(slices.size())));
            if (window.type == WindowType.SLIDING) {
                fields.put("spec.transform.window.slide", format(Duration.ofMillis(slices.slide())));
            }
        }
        fields.put("spec.transform.window.allowedLateness", format(WindowAssigners.allowedLateness(window)));
        fields.put("spec.transform.aggregates", spec.transform.aggregates.stream()
                .map(WindowLayout::aggregate).collect(Collectors.joining(", ")));
        return new WindowLayout(fields);
    }

    /** The layout as state entries, {@code field=value}. */
    public List<String> entries() {
        List<String> entries = new ArrayList<>();
        fields.forEach((field, value) -> entries.add(field + "=" + value));
        return entries;
    }

    /**
     * Why window state recorded with {@code recorded} entries cannot be restored under this layout, or null when it
     * can: state without entries (a savepoint taken before layouts were recorded) or of another window operator
     * (its state does not restore into this one) is not compared.
     */
    public String mismatch(Iterable<String> recorded) {
        Map<String, String> old = new LinkedHashMap<>();
        for (String entry : recorded) {
            int equals = entry.indexOf('=');
            old.put(entry.substring(0, equals), entry.substring(equals + 1));
        }
        if (old.isEmpty() || !fields.get(OPERATOR).equals(old.get(OPERATOR))) {
            return null;
        }
        List<String> differences = new ArrayList<>();
        fields.forEach((field, value) -> {
            String was = old.get(field);
            if (!OPERATOR.equals(field) && !value.equals(was)) {
                differences.add(field + " is " + quote(value) + " but the state was built with " + quote(was));
            }
        });
        if (differences.isEmpty()) {
            return null;
        }
        return "The restored window state (" + fields.get(OPERATOR) + ") does not fit this spec: "
                + String.join("; ", differences) + ". Window state of another key, geometry, lateness or aggregate "
                + "list would be summed into the wrong windows or never cleaned up. Revert the change, or deploy it "
                + "without restoring this state.";
    }

    private static String aggregate(Aggregate aggregate) {
        String fn = aggregate.fn.name().toLowerCase(java.util.Locale.ROOT);
        return aggregate.fn == AggregateFunction.COUNT ? fn : fn + "(" + aggregate.field + ")";
    }

    private static String quote(String value) {
        return value == null ? "nothing" : "'" + value + "'";
    }

    /** 600000 ms → 10m, 90 s → 90s, 1500 ms → 1500ms. */
    static String format(Duration duration) {
        long ms = duration.toMillis();
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
