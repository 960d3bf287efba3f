package io.streampipe.job.sink;

import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.datasource.connections.SimpleJdbcConnectionProvider;
import org.apache.flink.connector.jdbc.internal.JdbcOutputFormat;
import org.apache.flink.connector.jdbc.internal.JdbcOutputSerializer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One subtask's writer. The task thread collects records into a batch ({@link PendingRows}); a batch is written
 * when it holds the spec's {@code batch.size} rows — distinct primary keys, since a later change of a pending row
 * replaces the earlier one — or when the batch interval elapses with rows pending. Writing happens on the writer's
 * own thread, through the connector's {@link JdbcOutputFormat} (retries with backoff, reconnects), while the task
 * thread goes on reading and collecting the next batch: without that, the task thread sat idle for every batch
 * PostgreSQL executed (e2e/bench). At most one batch is being written; the next waits for it, so batches commit in
 * the order they were collected and at most two are held in memory. {@link #flush} — before every checkpoint and at
 * the end of the input — hands over what is pending and waits until it is committed, so a checkpoint never covers a
 * record that is not in the table. A batch that fails after its retries fails the task at the next hand-over, flush
 * or batch interval, whichever comes first.
 */
final class PostgresSinkWriter<T> implements SinkWriter<T> {
    private final JdbcOutputFormat<T, T, BatchExecutor<T>> output;
    private final TableWriter<T> writer;
    private final int batchRows;
    private final long intervalMs;
    private final ProcessingTimeService timers;
    private final ExecutorService writing;
    private BatchExecutor<T> executor;
    private PendingRows<T> collecting;
    private Future<?> written = CompletableFuture.completedFuture(null);
    private boolean closed;

    /**
     * @param timers the task's processing-time service, whose callbacks run on the task thread (so the interval flush
     *               needs no lock); may be null when the interval is 0
     * @param subtask the subtask's index, for the writer thread's name
     */
    PostgresSinkWriter(String jdbcUrl, DatabaseCredentials credentials, TableWriter<T> writer, JdbcExecutionOptions execution,
                       SinkMetrics metrics, TypeSerializer<T> serializer, ProcessingTimeService timers, int subtask) {
        JdbcConnectionOptions.JdbcConnectionOptionsBuilder connection = new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                .withUrl(jdbcUrl)
                .withDriverName("org.postgresql.Driver");
        if (credentials.username() != null) {
            connection.withUsername(credentials.username());
        }
        if (credentials.password() != null) {
            connection.withPassword(credentials.password());
        }
        this.writer = writer;
        this.batchRows = execution.getBatchSize();
        this.intervalMs = execution.getBatchIntervalMs();
        this.timers = timers;
        // Size and interval 0: the output format neither counts records nor flushes on its own thread; this writer
        // decides when a batch is written.
        JdbcExecutionOptions retriesOnly = JdbcExecutionOptions.builder()
                .withBatchSize(0)
                .withBatchIntervalMs(0)
                .withMaxRetries(execution.getMaxRetries())
                .build();
        output = new JdbcOutputFormat<>(new SimpleJdbcConnectionProvider(connection.build()), retriesOnly,
                () -> executor = new BatchExecutor<>(writer, metrics));
        try {
            output.open(JdbcOutputSerializer.of(serializer, false)); // no copy: see PostgresSink
        } catch (IOException e) {
            throw new UncheckedIOException("Could not connect to " + jdbcUrl, e);
        }
        collecting = new PendingRows<>(writer, batchRows);
        writing = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "postgres-sink-writer " + writer.table() + " " + subtask);
            thread.setDaemon(true);
            return thread;
        });
        if (intervalMs > 0) {
            scheduleIntervalFlush();
        }
    }

    @Override
    public void write(T element, Context context) throws IOException {
        collecting.add(element);
        if (collecting.size() >= batchRows) {
            handOver();
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        if (!collecting.isEmpty()) {
            handOver();
        }
        awaitWritten();
    }

    /** Stops without writing what is still collecting: a close without a flush is a failover, and replays it. */
    @Override
    public void close() throws Exception {
        closed = true;
        writing.shutdownNow(); // interrupts a retry's backoff; a statement that runs finishes
        try {
            if (!writing.awaitTermination(1, TimeUnit.MINUTES)) {
                throw new IOException("The PostgreSQL sink's writer thread did not stop within a minute");
            }
        } finally {
            output.close();
        }
    }

    private void handOver() throws IOException {
        awaitWritten();
        PendingRows<T> batch = collecting;
        collecting = new PendingRows<>(writer, batchRows);
        written = writing.submit(() -> {
            executor.take(batch);
            output.flush();
            return null;
        });
    }

    /** Waits until the batch handed over last is committed (or has failed). */
    void awaitWritten() throws IOException {
        try {
            written.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while a batch was written to PostgreSQL");
        } catch (ExecutionException e) {
            throw new IOException("Writing a batch to PostgreSQL failed", e.getCause());
        }
    }

    private void scheduleIntervalFlush() {
        timers.registerTimer(timers.getCurrentProcessingTime() + intervalMs, time -> {
            if (closed) {
                return;
            }
            if (!collecting.isEmpty()) {
                handOver();
            } else if (written.isDone()) {
                awaitWritten(); // a batch that failed fails the task now, not when the next one is full
            }
            scheduleIntervalFlush();
        });
    }
}
