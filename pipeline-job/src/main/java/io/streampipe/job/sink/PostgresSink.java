package io.streampipe.job.sink;

import io.streampipe.api.Durations;
import io.streampipe.api.v1alpha1.SinkSpec;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.metrics.MetricGroup;

/**
 * A PostgreSQL sink: rows are collected up to the spec's batch size or interval and written by a
 * {@link TableWriter} in one transaction per batch, on a thread beside the task's, retried with backoff (through
 * flink-connector-jdbc's output format), and flushed before every checkpoint completes (at-least-once; the
 * statements make replays idempotent). {@link PostgresSinkWriter} has the details.
 *
 * <p>The writer keeps the records it is given until their batch is written, and does not copy them, even with
 * object reuse on: every operator that feeds a sink in this job (the window operators, result-rows, the
 * late-event and reject descriptions) emits a new object per record and never touches it again.
 */
public final class PostgresSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    private final String jdbcUrl;
    private final DatabaseCredentials credentials;
    private final TableWriter<T> writer;
    private final JdbcExecutionOptions execution;

    public PostgresSink(String jdbcUrl, DatabaseCredentials credentials, TableWriter<T> writer, JdbcExecutionOptions execution) {
        this.jdbcUrl = jdbcUrl;
        this.credentials = credentials;
        this.writer = writer;
        this.execution = execution;
    }

    /** The spec's batch size, batch interval and retries. */
    public static JdbcExecutionOptions executionOptions(SinkSpec.Postgres postgres) {
        return JdbcExecutionOptions.builder()
                .withBatchSize(postgres.batch.size)
                .withBatchIntervalMs(Durations.parse("spec.sink.postgres.batch.interval", postgres.batch.interval).toMillis())
                .withMaxRetries(postgres.maxRetries)
                .build();
    }

    public TableWriter<T> writer() {
        return writer;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return create(context.metricGroup(), context.createInputSerializer(), context.getProcessingTimeService(),
                context.getTaskInfo().getIndexOfThisSubtask());
    }

    @Override
    @Deprecated
    public SinkWriter<T> createWriter(InitContext context) {
        return create(context.metricGroup(), context.createInputSerializer(), context.getProcessingTimeService(),
                context.getTaskInfo().getIndexOfThisSubtask());
    }

    private SinkWriter<T> create(MetricGroup metrics, TypeSerializer<T> serializer, ProcessingTimeService timers, int subtask) {
        return new PostgresSinkWriter<>(jdbcUrl, credentials, writer, execution, new SinkMetrics(metrics), serializer, timers,
                subtask);
    }
}
