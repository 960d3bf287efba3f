package io.streampipe.job.sink;

import org.apache.flink.api.connector.sink2.Committer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes the rows of completed checkpoints ({@link CheckpointedPostgresSink}). Flink's committer operator calls
 * {@link #commit} on the task thread when a checkpoint completes, with the rows of every checkpoint up to it not yet
 * committed, one checkpoint at a time and oldest first; and again, right after a restore, with the rows the restored
 * checkpoint still holds, which may have been written before the failure (Flink 1.20, flink-streaming-java
 * {@code runtime/operators/sink/CommitterOperator.java}, {@code committables/CheckpointCommittableManagerImpl.java}).
 * Writing them again is harmless: result rows are upserts by key (a delete deletes by key) and late events are
 * inserted once per Kafka record, and the rows of one checkpoint are written before those of the next, so the table
 * ends as it was.
 *
 * <p>A checkpoint's rows go in batches of {@code batch.size} rows, one transaction each, through a
 * {@link BatchCommitter} (retries with backoff, reconnects, errors a retry cannot fix fail at once). A batch that
 * still fails makes {@link #commit} throw: the task fails and the job restarts from its last completed checkpoint, whose
 * state holds these rows again. Never {@code CommitRequest#signalFailedWithKnownReason}, which drops the rows, and
 * never {@code retryLater}, which Flink 1.20 repeats at once, without a pause ({@code SinkOptions.COMMITTER_RETRIES}).
 *
 * <p>The batches are written on a thread of the committer's own, and the task thread waits for it: a task that is
 * cancelled while a batch is on the wire is interrupted, aborts the connection and returns once that thread has
 * ended. So, as for {@link PostgresSinkWriter}, once {@link #commit} has thrown or {@link #close} has returned, no
 * statement of this committer reaches PostgreSQL, except a {@code COMMIT} already sent.
 */
final class PostgresCommitter<T> implements Committer<EpochRows<T>> {
    private final BatchCommitter<T> committer;
    private final TableWriter<T> writer;
    private final int batchRows;
    private final ExecutorService writing;
    private final AtomicReference<Thread> writerThread = new AtomicReference<>();
    private volatile Future<?> written;

    /** Connects and checks the table ({@link TableCheck}): a table that does not fit fails here, before any row. */
    PostgresCommitter(String jdbcUrl, DatabaseCredentials credentials, TableWriter<T> writer, SinkSettings settings,
                      SinkMetrics metrics, int subtask) {
        this.writer = writer;
        this.batchRows = settings.batchRows();
        committer = new BatchCommitter<>(jdbcUrl, credentials, writer, metrics, settings.maxRetries());
        committer.open();
        writing = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "postgres-sink-committer " + writer.table() + " " + subtask);
            thread.setDaemon(true);
            writerThread.set(thread);
            return thread;
        });
    }

    @Override
    public void commit(Collection<CommitRequest<EpochRows<T>>> requests) throws IOException, InterruptedException {
        if (writing.isShutdown()) {
            throw new IOException("The PostgreSQL sink of " + writer.table() + " is closed");
        }
        List<PendingRows<T>> batches = batches(requests);
        if (batches.isEmpty()) {
            return;
        }
        written = writing.submit(() -> {
            for (PendingRows<T> batch : batches) {
                committer.commit(batch);
            }
            return null;
        });
        try {
            written.get();
        } catch (InterruptedException e) {
            stop();
            throw e;
        } catch (ExecutionException e) {
            throw new IOException("Writing the rows of a completed checkpoint to " + writer.table() + " failed: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /** The rows of all requests, in order, cut into batches of at most {@code batch.size} rows. */
    private List<PendingRows<T>> batches(Collection<CommitRequest<EpochRows<T>>> requests) {
        List<PendingRows<T>> batches = new ArrayList<>();
        PendingRows<T> batch = null;
        for (CommitRequest<EpochRows<T>> request : requests) {
            EpochRows<T> epoch = request.getCommittable();
            for (T row : epoch.rows()) {
                if (batch == null || batch.size() >= batchRows) {
                    batch = new PendingRows<>(writer, batchRows);
                    batches.add(batch);
                }
                batch.add(row);
            }
            if (batch != null) {
                batch.countSuperseded(epoch.superseded());
            }
        }
        return batches;
    }

    /** Stops the committer thread and returns once it has ended; see the class comment. */
    @Override
    public void close() throws Exception {
        stop();
    }

    private void stop() throws IOException {
        Future<?> current = written;
        if (current == null || current.isDone()) {
            committer.close();
        } else {
            committer.stop(); // a statement that runs fails now, and none follows
        }
        writing.shutdownNow(); // interrupts a retry's backoff
        Thread thread = writerThread.get();
        if (thread != null && !PostgresSinkWriter.joinUninterruptibly(thread, PostgresSinkWriter.STOP_TIMEOUT_MS)) {
            throw new InterruptedIOException("The PostgreSQL sink's committer thread for " + writer.table()
                    + " did not stop within " + PostgresSinkWriter.STOP_TIMEOUT_MS / 1000 + " s of its connection being aborted");
        }
    }
}
