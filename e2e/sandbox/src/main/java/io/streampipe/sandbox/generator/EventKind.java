package io.streampipe.sandbox.generator;

/**
 * What the generator meant an event to be. The first four are valid events (the job accepts them; where they end up
 * depends on event time and the watermark); the others break the schema and must land in the dead-letter table with
 * a reason that contains {@link #reasonPhrase()}.
 */
public enum EventKind {
    ON_TIME("on time", null),
    OUT_OF_ORDER("out of order, within maxOutOfOrderness", null),
    LATE_ALLOWED("late, within allowedLateness", null),
    TOO_LATE("later than allowedLateness", null),
    MALFORMED_JSON("malformed JSON", "malformed JSON"),
    MISSING_REQUIRED("a required field missing", "required but missing"),
    BELOW_MIN("a number below min", "is below min"),
    ABOVE_MAX("a number above max", "is above max"),
    NOT_ALLOWED_VALUE("a value not in allowedValues", "is not one of"),
    PATTERN_MISMATCH("a string not matching pattern", "does not match pattern");

    private final String description;
    private final String reasonPhrase;

    EventKind(String description, String reasonPhrase) {
        this.description = description;
        this.reasonPhrase = reasonPhrase;
    }

    public String description() {
        return description;
    }

    /** Part of the dead-letter reason the job gives such a record; null for valid events. */
    public String reasonPhrase() {
        return reasonPhrase;
    }

    public boolean rejected() {
        return reasonPhrase != null;
    }
}
