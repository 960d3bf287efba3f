package io.streampipe.job;

/**
 * The uid and name of every operator of the job. Uids are how a savepoint's state finds its operator again: never
 * change one without a migration. pipeline-job/README.md has the same table.
 */
public final class OperatorUids {
    /** Kafka source (state: partition offsets). The epoch changes on an offset reset that keeps the other state. */
    public static String kafkaSource(String epoch) {
        return "kafka-source-epoch-" + epoch;
    }

    /** Stateless, chained to the source: events on, rejects to the dead-letter side output. */
    public static final String SPLIT_REJECTS = "split-rejects";

    /**
     * Stateless, chained after {@link #SPLIT_REJECTS}: joins dimension {@code name} of spec.transform.enrich from the
     * copy every subtask reads at open and refreshes; nothing of it is in a savepoint.
     */
    public static String enrich(String name) {
        return "enrich-" + name;
    }
    /**
     * Chained in front of either window operator (state: the highest watermark, the window layout): the watermark
     * survives restores, and a restore into another window layout is refused.
     */
    public static final String WINDOW_CLOCK = "window-clock";
    /** Session windows: Flink's merging window operator (state: accumulators, merging windows, timers, written-windows). */
    public static final String WINDOW_AGGREGATE = "window-aggregate";
    /**
     * Tumbling and sliding windows, aggregated per slice (state: slices, written-windows, timers). Not
     * {@code window-aggregate}: the state layout differs, so a savepoint of the former window operator is refused
     * (unless restored with allowNonRestoredState) rather than silently restored without its windows.
     */
    public static final String WINDOW_SLICES = "window-slices";
    /**
     * Without a window: stateless, chained to the source, each event becomes its row; the table's upsert guard keeps
     * the newest version. Replaces {@code latest-per-key} (keyed, newest event time per key), whose state a savepoint
     * of an older job still holds: restore such a savepoint once with allowNonRestoredState.
     */
    public static final String RESULT_ROWS = "result-rows";
    /** Stateless: counts and describes too-late events. */
    public static final String LATE_EVENTS = "late-events";
    /**
     * Results to {@code sink.postgres.table}. Windowed: the writer collects an epoch's rows (no state) and its committer,
     * uid {@code Sink Committer: postgres-sink}, set by Flink, holds them until their checkpoint completes and writes
     * them ({@code CheckpointedPostgresSink}); a savepoint from before that committer existed has no state for it and
     * restores unchanged. Without a window: the writer writes at once, no committer.
     */
    public static final String POSTGRES_SINK = "postgres-sink";
    /**
     * Results to {@code sink.kafka.topic} (state: the Kafka writer's transactional id prefix; its committer, uid
     * {@code Sink Committer: kafka-sink}, set by Flink, holds the transactions of checkpoints not yet committed).
     */
    public static final String KAFKA_SINK = "kafka-sink";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";
    /** Rejects to {@code deadLetter.topic}: a Kafka sink, whose state the table sink's uid must not be given. */
    public static final String DEAD_LETTER_TOPIC_SINK = "dead-letter-topic-sink";
    /** Too-late events to {@code lateData.table}, with a committer as a windowed {@link #POSTGRES_SINK}. */
    public static final String LATE_DATA_SINK = "late-data-sink";
    /** Too-late events to {@code lateData.topic}. */
    public static final String LATE_DATA_TOPIC_SINK = "late-data-topic-sink";
    /** Where too-late events go when the spec drops them (still counted). */
    public static final String LATE_DATA_DISCARD = "late-data-discard";

    private OperatorUids() {
    }
}
