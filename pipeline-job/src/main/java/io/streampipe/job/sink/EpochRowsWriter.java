package io.streampipe.job.sink;

import org.apache.flink.api.connector.sink2.CommittingSinkWriter;

import java.util.Collection;
import java.util.List;

/**
 * The writer of a {@link CheckpointedPostgresSink}: it writes nothing. It collects the records of the epoch (at most
 * one change per row, as a batch does) and hands them over as one committable when Flink prepares the next
 * checkpoint ({@code SinkWriterOperator#prepareSnapshotPreBarrier} calls {@link #flush} then {@link #prepareCommit};
 * Flink 1.20, flink-streaming-java {@code runtime/operators/sink/SinkWriterOperator.java}). A failure before that
 * checkpoint completes loses them with the state they were decided on, and the replay decides again.
 */
final class EpochRowsWriter<T> implements CommittingSinkWriter<T, EpochRows<T>> {
    private final TableWriter<T> writer;
    private PendingRows<T> epoch;

    EpochRowsWriter(TableWriter<T> writer) {
        this.writer = writer;
        this.epoch = new PendingRows<>(writer);
    }

    @Override
    public void write(T element, Context context) {
        epoch.add(element);
    }

    /** Nothing to write: the rows go with the checkpoint ({@link #prepareCommit}). */
    @Override
    public void flush(boolean endOfInput) {
    }

    @Override
    public Collection<EpochRows<T>> prepareCommit() {
        if (epoch.isEmpty()) {
            return List.of();
        }
        EpochRows<T> rows = new EpochRows<>(epoch.inWriteOrder(), epoch.superseded());
        epoch = new PendingRows<>(writer);
        return List.of(rows);
    }

    /** What is still collecting belongs to an epoch no checkpoint covers: the replay produces it again. */
    @Override
    public void close() {
    }
}
