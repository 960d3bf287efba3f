package io.streampipe.job.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a batch ({@link PendingRows}: at most one change per row) as one transaction on one connection, in the writer's
 * row order (so that two subtasks writing the same rows cannot deadlock): upserts and deletes together, then commit.
 * An array statement runs once for the whole batch; the others run once per record in a JDBC batch. A batch that fails
 * is rolled back and left as it was, so {@link BatchCommitter} can send it again.
 */
final class BatchExecutor<T> implements AutoCloseable {
    private final TableWriter<T> writer;
    private final SinkMetrics metrics;
    private final Connection connection;
    private final PreparedStatement[] statements;

    /** Prepares the writer's statements on {@code connection}, which it then runs in transactions of its own. */
    BatchExecutor(TableWriter<T> writer, SinkMetrics metrics, Connection connection) throws SQLException {
        this.writer = writer;
        this.metrics = metrics;
        this.connection = connection;
        connection.setAutoCommit(false);
        List<String> sql = writer.statements();
        statements = new PreparedStatement[sql.size()];
        for (int i = 0; i < statements.length; i++) {
            statements[i] = connection.prepareStatement(sql.get(i));
        }
    }

    void execute(PendingRows<T> batch) throws SQLException {
        if (batch.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        List<List<T>> byStatement = new ArrayList<>(statements.length);
        for (int i = 0; i < statements.length; i++) {
            byStatement.add(new ArrayList<>());
        }
        for (T record : batch.inWriteOrder()) {
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
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(e);
            throw e;
        }
        if (metrics != null) {
            metrics.batchWritten(batch.size() - refused, batch.superseded() + refused,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
    }

    @Override
    public void close() throws SQLException {
        for (PreparedStatement statement : statements) {
            statement.close();
        }
    }

    private void rollbackQuietly(Exception cause) {
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
