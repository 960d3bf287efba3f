package io.streampipe.sandbox.generator;

import java.util.Map;

/**
 * One record the generator made.
 *
 * @param kind    what it was meant to be
 * @param key     the Kafka record key: the keyBy values, joined with '|'
 * @param payload the record value
 * @param fields  the declared fields it carries, by name (timestamps as {@link java.time.Instant}); for a rejected
 *                record, the values of the valid event it was made from
 * @param field   the field a schema violation is about; null for valid and malformed records
 */
public record GeneratedEvent(EventKind kind, String key, String payload, Map<String, Object> fields, String field) {

    /** Whether {@code reason}, from the dead-letter table, is the one the job gives this record. */
    public boolean explainedBy(String reason) {
        if (!kind.rejected() || reason == null || !reason.contains(kind.reasonPhrase())) {
            return false;
        }
        return field == null || reason.startsWith("field '" + field + "': ");
    }
}
