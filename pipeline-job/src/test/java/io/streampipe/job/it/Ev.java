package io.streampipe.job.it;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * One test record: an event of user {@code user} with value {@code v} at {@code minute} after {@link #T0}, produced to
 * {@code partition}. {@code raw} replaces the JSON for malformed records.
 */
public record Ev(String user, double v, double minute, int partition, String raw) {
    /** Event time zero of every scenario. */
    public static final Instant T0 = Instant.parse("2026-11-20T00:00:00Z");

    public static Ev ev(String user, double minute, double v, int partition) {
        return new Ev(user, v, minute, partition, null);
    }

    public static Ev raw(String payload, int partition) {
        return new Ev(null, 0, 0, partition, payload);
    }

    public long time() {
        return T0.plus(Duration.ofMillis(Math.round(minute * 60_000))).toEpochMilli();
    }

    public boolean malformed() {
        return raw != null;
    }

    /** Timestamps alternate between ISO-8601 and epoch millis, which the schema both accepts. */
    public String json() {
        if (raw != null) {
            return raw;
        }
        String ts = ((long) minute) % 2 == 0 ? "\"" + Instant.ofEpochMilli(time()) + "\"" : Long.toString(time());
        return String.format(Locale.ROOT, "{\"user_id\":\"%s\",\"v\":%s,\"ts\":%s}", user, v, ts);
    }
}
