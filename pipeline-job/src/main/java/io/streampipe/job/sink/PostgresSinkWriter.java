package io.streampipe.job.sink;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.datasource.connections.SimpleJdbcConnectionProvider;
import org.apache.flink.connector.jdbc.internal.JdbcOutputFormat;
import org.apache.flink.connector.jdbc.internal.JdbcOutputSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One subtask's writer: the connector's {@link JdbcOutputFormat} (interval flushes, retries with backoff, reconnects)
 * driving a {@link BatchExecutor}. A batch is written when it holds the spec's {@code batch.size} rows — distinct
 * primary keys, since a later change of a pending row replaces the earlier one — not after that many records: with
 * updates in the stream, counting records would write smaller statements than asked for.
 */
final class PostgresSinkWriter<T> implements SinkWriter<T> {
    private final JdbcOutputFormat<T, T, BatchExecutor<T>> output;
    private final int batchRows;
    private BatchExecutor<T> executor;

    PostgresSinkWriter(String jdbcUrl, DatabaseCredentials credentials, TableWriter<T> writer, JdbcExecutionOptions execution,
                       SinkMetrics metrics, TypeSerializer<T> serializer) {
        JdbcConnectionOptions.JdbcConnectionOptionsBuilder connection = new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                .withUrl(jdbcUrl)
                .withDriverName("org.postgresql.Driver");
        if (credentials.username() != null) {
            connection.withUsername(credentials.username());
        }
        if (credentials.password() != null) {
            connection.withPassword(credentials.password());
        }
        batchRows = execution.getBatchSize();
        // Size 0: the output format does not count records; write() flushes on distinct rows instead.
        JdbcExecutionOptions byInterval = JdbcExecutionOptions.builder()
                .withBatchSize(0)
                .withBatchIntervalMs(execution.getBatchIntervalMs())
                .withMaxRetries(execution.getMaxRetries())
                .build();
        output = new JdbcOutputFormat<>(new SimpleJdbcConnectionProvider(connection.build()), byInterval,
                () -> executor = new BatchExecutor<>(writer, metrics));
        try {
            output.open(JdbcOutputSerializer.of(serializer, false)); // no copy: see PostgresSink
        } catch (IOException e) {
            throw new UncheckedIOException("Could not connect to " + jdbcUrl, e);
        }
    }

    @Override
    public void write(T element, Context context) throws IOException {
        synchronized (output) { // the output format's lock, which its interval flusher holds while writing
            output.writeRecord(element);
            if (executor.pendingRows() >= batchRows) {
                output.flush();
            }
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        output.flush();
    }

    @Override
    public void close() {
        output.close();
    }
}
