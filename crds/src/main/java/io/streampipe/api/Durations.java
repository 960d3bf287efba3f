package io.streampipe.api;

import io.streampipe.api.v1alpha1.Patterns;

import java.time.Duration;
import java.util.regex.Matcher;

/** Parses the Go-style durations of the spec ("10s", "1h30m", "200ms"), the same syntax CEL's duration() accepts. */
public final class Durations {
    private static final java.util.regex.Pattern WHOLE = java.util.regex.Pattern.compile(Patterns.DURATION);
    private static final java.util.regex.Pattern PART = java.util.regex.Pattern.compile("([0-9]+)(ms|s|m|h)");

    private Durations() {
    }

    /** @throws IllegalArgumentException naming {@code field} when the value is not a duration */
    public static Duration parse(String field, String value) {
        if (value == null || !WHOLE.matcher(value).matches()) {
            throw new IllegalArgumentException(field + ": '" + value + "' is not a duration; use e.g. 200ms, 10s, 5m, 1h30m");
        }
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(value);
        while (part.find()) {
            long amount = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            });
        }
        return total;
    }
}
