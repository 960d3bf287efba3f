package io.streampipe.job.sink;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * A PostgreSQL sink whose rows become visible together with the checkpoint that holds the state they were computed
 * from, for the outputs of a window operator: result rows and late events. What a window decides about an event
 * (counted in a row, or too late) depends on the watermark it meets, and after a restore the replay can meet another
 * one; with this sink, what an epoch decided is written only once its checkpoint is complete, so a failure before
 * that discards the decision together with its state, and the replay decides afresh: an event ends in the row or in
 * the late table, once.
 *
 * <p>Flink's Sink V2 two-phase contract: {@link EpochRowsWriter} hands the epoch's rows over as a committable before
 * the checkpoint barrier; Flink's committer operator (uid {@code Sink Committer: <uid of the sink>}, set by Flink)
 * keeps them in its state and calls {@link PostgresCommitter} when the checkpoint completes, and again after a restore
 * from it. The cost: rows appear up to one checkpoint interval later, and a checkpoint holds up to one interval's
 * output (rows, not events: {@link EpochRowsSerializer}). Outputs that decide nothing that a replay could decide
 * otherwise (rows without a window, rejects) use {@link PostgresSink}, which writes at once.
 *
 * <p>As {@link PostgresSink}, the writer keeps the records it is given without copying them.
 */
public final class CheckpointedPostgresSink<T> extends PostgresTableSink<T> implements SupportsCommitter<EpochRows<T>> {
    private static final long serialVersionUID = 1L;

    public CheckpointedPostgresSink(String jdbcUrl, DatabaseCredentials credentials, TableWriter<T> writer, SinkSettings settings) {
        super(jdbcUrl, credentials, writer, settings);
    }

    @Override
    public CommittingSinkWriter<T, EpochRows<T>> createWriter(WriterInitContext context) {
        return new EpochRowsWriter<>(writer);
    }

    @Override
    @Deprecated
    public CommittingSinkWriter<T, EpochRows<T>> createWriter(InitContext context) {
        return new EpochRowsWriter<>(writer);
    }

    /** Connects and checks the table: a table that does not fit fails the task when it starts, before any row. */
    @Override
    public Committer<EpochRows<T>> createCommitter(CommitterInitContext context) {
        return new PostgresCommitter<>(jdbcUrl, credentials, writer, settings, new SinkMetrics(context.metricGroup()),
                context.getTaskInfo().getIndexOfThisSubtask());
    }

    @Override
    public SimpleVersionedSerializer<EpochRows<T>> getCommittableSerializer() {
        return new EpochRowsSerializer<>(writer);
    }
}
