package io.streampipe.job.parse;

import java.util.Objects;

/**
 * A record that failed parsing or the schema, bound for the dead-letter table. A Flink POJO (public fields, no-arg
 * constructor), so it is serialized without Kryo.
 */
public class Reject {
    public String topic;
    public int partition;
    public long offset;
    /** The Kafka record's timestamp, epoch millis. */
    public long kafkaTimestamp;
    /** When the job rejected it, epoch millis. */
    public long rejectedAt;
    /** The record value as text (invalid UTF-8 and NUL replaced by U+FFFD), null for a tombstone. */
    public String payload;
    public String reason;

    public Reject() {
    }

    public Reject(String topic, int partition, long offset, long kafkaTimestamp, long rejectedAt, String payload, String reason) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.kafkaTimestamp = kafkaTimestamp;
        this.rejectedAt = rejectedAt;
        this.payload = payload;
        this.reason = reason;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reject other && partition == other.partition && offset == other.offset
                && kafkaTimestamp == other.kafkaTimestamp && rejectedAt == other.rejectedAt
                && Objects.equals(topic, other.topic) && Objects.equals(payload, other.payload)
                && Objects.equals(reason, other.reason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    @Override
    public String toString() {
        return "Reject{" + topic + "/" + partition + "@" + offset + ": " + reason + "}";
    }
}
