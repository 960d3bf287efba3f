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

/** One subtask's writer: the connector's {@link JdbcOutputFormat} driving a {@link BatchExecutor}. */
final class PostgresSinkWriter<T> implements SinkWriter<T> {
    private final JdbcOutputFormat<T, T, BatchExecutor<T>> output;

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
        output = new JdbcOutputFormat<>(new SimpleJdbcConnectionProvider(connection.build()), execution,
                () -> new BatchExecutor<>(writer, metrics));
        try {
            output.open(JdbcOutputSerializer.of(serializer, false)); // no copy: see PostgresSink
        } catch (IOException e) {
            throw new UncheckedIOException("Could not connect to " + jdbcUrl, e);
        }
    }

    @Override
    public void write(T element, Context context) throws IOException {
        output.writeRecord(element);
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
