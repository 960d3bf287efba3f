package io.streampipe.job.sink;

import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One subtask's writer. The task thread collects records into a batch ({@link PendingRows}); a batch is written
 * when it holds the spec's {@code batch.size} rows — distinct primary keys, since a later change of a pending row
 * replaces the earlier one — or when the batch interval elapses with rows pending. Writing happens on the writer's
 * own thread, through a {@link BatchCommitter} (one transaction per batch, retries with backoff, reconnects), while
 * the task thread goes on reading and collecting the next batch: without that, the task thread sat idle for every
 * batch PostgreSQL executed (e2e/bench). At most one batch is being written; the next waits for it, so batches commit
 * in the order they were collected and at most two are held in memory. {@link #flush} — before every checkpoint and at
 * the end of the input — hands over what is pending and waits until it is committed, so a checkpoint never covers a
 * record that is not in the table. A batch that fails after its retries fails the task at the next hand-over, flush
 * or batch interval, whichever comes first.
 *
 * <p>{@link #close} stops the writer thread before it returns: Flink starts the task's next attempt once the old one
 * is closed, and a batch of the old attempt committing behind the new attempt's writes could put back older rows. While
 * a batch is being written, the committer's connection is aborted first (nothing sent after that can commit), then
 * the thread is joined; an idle connection is simply closed.
 */
final class PostgresSinkWriter<T> implements SinkWriter<T> {
    /** How long {@link #close} waits for the writer thread once its connection is aborted (it has nothing left to wait for). */
    static final long STOP_TIMEOUT_MS = 10_000;

    private final BatchCommitter<T> committer;
    private final TableWriter<T> writer;
    private final int batchRows;
    private final long intervalMs;
    private final ProcessingTimeService timers;
    private final ExecutorService writing;
    private final AtomicReference<Thread> writerThread = new AtomicReference<>();
    private PendingRows<T> collecting;
    private Future<?> written = CompletableFuture.completedFuture(null);
    private boolean closed;

    /**
     * Connects and checks the table ({@link TableCheck}): a table that does not fit fails here, before any row.
     *
     * @param timers the task's processing-time service, whose callbacks run on the task thread (so the interval flush
     *               needs no lock); may be null when the interval is 0
     * @param subtask the subtask's index, for the writer thread's name
     */
    PostgresSinkWriter(String jdbcUrl, DatabaseCredentials credentials, TableWriter<T> writer, SinkSettings settings,
                       SinkMetrics metrics, ProcessingTimeService timers, int subtask) {
        this.writer = writer;
        this.batchRows = settings.batchRows();
        this.intervalMs = settings.batchIntervalMs();
        this.timers = timers;
        committer = new BatchCommitter<>(jdbcUrl, credentials, writer, metrics, settings.maxRetries());
        committer.open();
        collecting = new PendingRows<>(writer, batchRows);
        writing = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "postgres-sink-writer " + writer.table() + " " + subtask);
            thread.setDaemon(true);
            writerThread.set(thread);
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

    /**
     * Stops without writing what is still collecting: a close without a flush is a failover, and replays it. Returns
     * once the writer thread has ended, so no batch of this writer can commit afterwards; keeps the task thread's
     * interrupt (Flink interrupts a cancelled task before closing it).
     */
    @Override
    public void close() throws Exception {
        closed = true;
        if (written.isDone()) {
            committer.close(); // nothing is being written, and nothing can be handed over any more
        } else {
            committer.stop(); // a statement that runs fails now, and none follows
        }
        writing.shutdownNow(); // interrupts a retry's backoff
        Thread thread = writerThread.get();
        if (thread != null && !joinUninterruptibly(thread, STOP_TIMEOUT_MS)) {
            throw new IOException("The PostgreSQL sink's writer thread for " + writer.table() + " did not stop within "
                    + STOP_TIMEOUT_MS / 1000 + " s of its connection being aborted");
        }
    }

    private void handOver() throws IOException {
        awaitWritten();
        PendingRows<T> batch = collecting;
        collecting = new PendingRows<>(writer, batchRows);
        written = writing.submit(() -> {
            committer.commit(batch);
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
            throw new IOException("Writing a batch to " + writer.table() + " failed: " + e.getCause().getMessage(), e.getCause());
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

    /** Joins {@code thread} for at most {@code timeoutMs}, through interrupts, which it keeps for the caller. */
    static boolean joinUninterruptibly(Thread thread, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        boolean interrupted = false;
        try {
            while (thread.isAlive()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                try {
                    thread.join(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
