package io.streampipe.job.sink;

import java.util.List;

/**
 * What one writer subtask of a {@link CheckpointedPostgresSink} received between two checkpoints: at most one change
 * per table row (the one {@link TableWriter#replaces} keeps), in write order. The committable Flink keeps in the
 * checkpoint and hands to {@link PostgresCommitter} once that checkpoint is complete.
 *
 * @param rows       the changes, one per row
 * @param superseded records not written because a later change of their row came in the same epoch (for the metrics)
 */
record EpochRows<T>(List<T> rows, int superseded) {
}
