package io.streampipe.job.sink;

import org.apache.flink.connector.jdbc.internal.executor.JdbcBatchStatementExecutor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a batch ({@link PendingRows}: at most one change per row) as one transaction, in the writer's row order (so
 * that two subtasks writing the same rows cannot deadlock): upserts and deletes together, then commit. An array
 * statement runs once for the whole batch; the others run once per record in a JDBC batch. A failed batch is rolled
 * back and kept, so the connector's retry (with backoff, on a fresh connection if needed) sends it again.
 */
final class BatchExecutor<T> implements JdbcBatchStatementExecutor<T> {
    private final TableWriter<T> writer;
    private final SinkMetrics metrics;
    private PendingRows<T> pending;
    private Connection connection;
    private PreparedStatement[] statements;

    BatchExecutor(TableWriter<T> writer, SinkMetrics metrics) {
        this.writer = writer;
        this.metrics = metrics;
        this.pending = new PendingRows<>(writer);
    }

    @Override
    public void prepareStatements(Connection connection) throws SQLException {
        this.connection = connection;
        connection.setAutoCommit(false);
        var sql = writer.statements();
        statements = new PreparedStatement[sql.size()];
        for (int i = 0; i < statements.length; i++) {
            statements[i] = connection.prepareStatement(sql.get(i));
        }
    }

    @Override
    public void addToBatch(T record) {
        pending.add(record);
    }

    /** Makes {@code batch}, collected elsewhere, the one {@link #executeBatch} writes; nothing else may be pending. */
    void take(PendingRows<T> batch) {
        if (!pending.isEmpty()) {
            throw new IllegalStateException(pending.size() + " rows of the previous batch are not written yet");
        }
        pending = batch;
    }

    @Override
    public void executeBatch() throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        List<List<T>> byStatement = new ArrayList<>(statements.length);
        for (int i = 0; i < statements.length; i++) {
            byStatement.add(new ArrayList<>());
        }
        for (T record : pending.inWriteOrder()) {
            byStatement.get(writer.statementFor(record)).add(record);
        }
        int refused = 0;
        try {
            for (int i = 0; i < statements.length; i++) {
                List<T> records = byStatement.get(i);
                if (records.isEmpty()) {
                    continue;
                }
                if (writer.writesArrays(i)) {
                    writer.bindAll(records, statements[i]);
                    // Rows the upsert's guard refused (an older version than the table's) are not counted.
                    refused += records.size() - statements[i].executeUpdate();
                } else {
                    for (T record : records) {
                        writer.bind(record, statements[i]);
                        statements[i].addBatch();
                    }
                    statements[i].executeBatch();
                }
            }
            connection.commit();
        } catch (SQLException e) {
            rollbackQuietly(e);
            throw e;
        }
        if (metrics != null) {
            metrics.batchWritten(pending.size() - refused, pending.superseded() + refused,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
        pending = new PendingRows<>(writer);
    }

    @Override
    public void closeStatements() throws SQLException {
        if (statements != null) {
            for (PreparedStatement statement : statements) {
                statement.close();
            }
            statements = null;
        }
    }

    int pendingRows() {
        return pending.size();
    }

    private void rollbackQuietly(SQLException cause) {
        try {
            for (PreparedStatement statement : statements) {
                statement.clearBatch();
            }
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
