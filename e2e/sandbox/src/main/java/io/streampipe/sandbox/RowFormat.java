package io.streampipe.sandbox;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Table rows as short lines: {@code {sensor_id=s-17, window_start=10:15:20, avg_temp=47.31, readings=12}}. Times
 * are UTC, without the date when it is today; numbers have at most two decimals; long text is cut.
 */
public final class RowFormat {
    static final int MAX_TEXT = 90;
    static final int MAX_PAYLOAD = 48;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME_MILLIS = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private RowFormat() {
    }

    static String row(Map<String, Object> row, Collection<String> columns) {
        return columns.stream().map(c -> c + "=" + value(c, row.get(c))).collect(Collectors.joining(", ", "{", "}"));
    }

    /** Payloads are cut shorter than other text: the reason next to them says what is wrong. */
    static String value(String column, Object value) {
        return column.equals("payload") && value != null ? text(value.toString(), MAX_PAYLOAD) : value(value);
    }

    /** Key columns, then each changed column as {@code old→new}. */
    static String change(Map<String, Object> before, Map<String, Object> after, Collection<String> key) {
        String keys = key.stream().map(c -> c + "=" + value(after.get(c))).collect(Collectors.joining(", "));
        String changed = after.keySet().stream()
                .filter(c -> !key.contains(c) && !java.util.Objects.equals(before.get(c), after.get(c)))
                .map(c -> c + "=" + value(before.get(c)) + "→" + value(after.get(c)))
                .collect(Collectors.joining(", "));
        return "{" + keys + (changed.isEmpty() ? "" : ", " + changed) + "}";
    }

    static String value(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Timestamp timestamp) {
            return time(timestamp.toInstant());
        }
        if (value instanceof OffsetDateTime time) {
            return time(time.toInstant());
        }
        if (value instanceof Instant instant) {
            return time(instant);
        }
        if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            return number(((Number) value).doubleValue());
        }
        return text(value.toString(), MAX_TEXT);
    }

    public static String time(Instant instant) {
        if (!LocalDate.ofInstant(instant, ZoneOffset.UTC).equals(LocalDate.now(ZoneOffset.UTC))) {
            return instant.toString();
        }
        return (instant.toEpochMilli() % 1000 == 0 ? TIME : TIME_MILLIS).format(instant);
    }

    static String number(double value) {
        BigDecimal rounded = BigDecimal.valueOf(value).setScale(2, java.math.RoundingMode.HALF_UP).stripTrailingZeros();
        return rounded.scale() < 0 ? rounded.setScale(0).toPlainString() : rounded.toPlainString();
    }

    public static String text(String text, int max) {
        String line = text.replace('\n', ' ').replace('\r', ' ');
        return line.length() <= max ? line : line.substring(0, max - 1) + "…";
    }
}
