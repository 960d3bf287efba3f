package io.streampipe.job.sink;

import org.apache.flink.api.connector.sink2.Sink;

/**
 * What both PostgreSQL sinks are made of: the database, the login, how a record becomes a statement, and the batch
 * settings. {@link PostgresSink} writes as records come; {@link CheckpointedPostgresSink} when their checkpoint completes.
 */
abstract class PostgresTableSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    final String jdbcUrl;
    final DatabaseCredentials credentials;
    final TableWriter<T> writer;
    final SinkSettings settings;

    PostgresTableSink(String jdbcUrl, DatabaseCredentials credentials, TableWriter<T> writer, SinkSettings settings) {
        this.jdbcUrl = jdbcUrl;
        this.credentials = credentials;
        this.writer = writer;
        this.settings = settings;
    }
}
