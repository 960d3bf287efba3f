package io.streampipe.job.late;

/**
 * An event that arrived after its window's allowed lateness, bound for the late-data table. A Flink POJO.
 */
public class LateEvent {
    public String topic;
    public int partition;
    public long offset;
    /** Event time, epoch millis. */
    public long eventTime;
    /** The keyBy fields as a JSON object. */
    public String eventKey;
    /** The declared fields of the event as a JSON object (timestamps as ISO-8601). */
    public String payload;
    /** When the job set it aside, epoch millis. */
    public long receivedAt;

    public LateEvent() {
    }

    @Override
    public String toString() {
        return "LateEvent{" + topic + "/" + partition + "@" + offset + " " + payload + "}";
    }
}
