package io.streampipe.job.sink;

import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.MetricGroup;

/**
 * A PostgreSQL sink: rows are collected up to the spec's batch size or interval and written by a
 * {@link TableWriter} in one transaction per batch, on a thread beside the task's, retried with backoff (plain JDBC,
 * {@link BatchCommitter}), and flushed before every checkpoint completes (at-least-once; the statements make replays
 * idempotent). The table is checked against the spec when the writer opens ({@link TableCheck}).
 * {@link PostgresSinkWriter} has the details.
 *
 * <p>The writer keeps the records it is given until their batch is written, and does not copy them, even with
 * object reuse on: every operator that feeds a sink in this job (the window operators, result-rows, the
 * late-event and reject descriptions) emits a new object per record and never touches it again.
 */
public final class PostgresSink<T> extends PostgresTableSink<T> {
    private static final long serialVersionUID = 1L;

    public PostgresSink(String jdbcUrl, DatabaseCredentials credentials, TableWriter<T> writer, SinkSettings settings) {
        super(jdbcUrl, credentials, writer, settings);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return create(context.metricGroup(), context.getProcessingTimeService(), context.getTaskInfo().getIndexOfThisSubtask());
    }

    @Override
    @Deprecated
    public SinkWriter<T> createWriter(InitContext context) {
        return create(context.metricGroup(), context.getProcessingTimeService(), context.getTaskInfo().getIndexOfThisSubtask());
    }

    private SinkWriter<T> create(MetricGroup metrics, ProcessingTimeService timers, int subtask) {
        return new PostgresSinkWriter<>(jdbcUrl, credentials, writer, settings, new SinkMetrics(metrics), timers, subtask);
    }
}
