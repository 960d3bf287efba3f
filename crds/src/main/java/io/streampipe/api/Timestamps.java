package io.streampipe.api;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Parses the RFC 3339 instants of the spec (startingOffsets.timestamp, offsetReset.timestamp). */
public final class Timestamps {
    private Timestamps() {
    }

    /** @throws IllegalArgumentException naming {@code field} */
    public static Instant parse(String field, String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException | NullPointerException e) {
            throw new IllegalArgumentException(field + ": '" + value + "' is not an RFC 3339 instant such as 2026-11-20T00:00:00Z");
        }
    }
}
