package io.streampipe.job.sink;

import org.postgresql.util.PSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * Commits batches to one table over one connection, on the sink's writer thread: plain JDBC, no connector.
 *
 * <ul>
 *   <li><b>Retries.</b> A batch that fails is rolled back and sent again, up to {@code maxRetries} more times, after
 *   {@link #backoffMs} (0.5 s, 1 s, 2 s, … at most 10 s), on a new connection when the old one is broken (closed, or
 *   not answering {@code isValid}). An error a retry cannot fix — bad data, a constraint, a missing column or
 *   privilege ({@link #isPermanent}) — fails the batch at once. Batches are idempotent (upserts by key, inserts that
 *   ignore replays), so sending one again after a commit whose answer was lost is harmless.</li>
 *   <li><b>Fencing.</b> {@link #stop} — called from the task thread when the task closes — aborts the connection:
 *   its socket is closed, so no statement of this committer reaches PostgreSQL afterwards, and a transaction that was
 *   open there is rolled back when the server finds the client gone. No retry or reconnect follows a stop. So once
 *   {@code stop} has returned, the only commit still possible is one whose {@code COMMIT} had already been sent.</li>
 * </ul>
 */
final class BatchCommitter<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchCommitter.class);
    /**
     * SQLSTATE classes of errors a retry cannot fix: 0A feature not supported, 22 data exception, 23 integrity
     * constraint violation, 28 invalid authorization, 3D invalid catalog, 3F invalid schema, 42 syntax error or access
     * rule violation (a missing table, column or privilege). Anything else — connection errors (08), a deadlock or
     * serialization failure (40), an administrator's shutdown or cancel (57), too many connections (53), an I/O error
     * without a state — is retried.
     */
    private static final Set<String> PERMANENT_CLASSES = Set.of("0A", "22", "23", "28", "3D", "3F", "42");
    private static final long FIRST_BACKOFF_MS = 500;
    private static final long MAX_BACKOFF_MS = 10_000;
    private static final int VALID_TIMEOUT_S = 5;

    private final String jdbcUrl;
    private final DatabaseCredentials credentials;
    private final TableWriter<T> writer;
    private final SinkMetrics metrics;
    private final int maxRetries;
    /** Guarded by this: the connection in use, and whether {@link #stop} has closed it for good. */
    private Connection connection;
    private BatchExecutor<T> executor;
    private boolean stopped;

    BatchCommitter(String jdbcUrl, DatabaseCredentials credentials, TableWriter<T> writer, SinkMetrics metrics, int maxRetries) {
        this.jdbcUrl = jdbcUrl;
        this.credentials = credentials;
        this.writer = writer;
        this.metrics = metrics;
        this.maxRetries = maxRetries;
    }

    /**
     * Connects and checks the table ({@link TableCheck}) before any row is written.
     *
     * @throws IllegalStateException when the table does not fit, or PostgreSQL cannot be reached
     */
    void open() {
        try {
            executor();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not connect to PostgreSQL at " + withoutParameters(jdbcUrl)
                    + " to write " + writer.table() + " (" + writer.field() + "): " + describe(e), e);
        }
    }

    /** Commits the batch, retrying as described above; the batch is unchanged whatever happens. */
    void commit(PendingRows<T> batch) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                executor().execute(batch);
                return;
            } catch (SQLException e) {
                if (isStopped()) {
                    throw new IOException("The PostgreSQL sink of " + writer.table() + " was closed while a batch was written", e);
                }
                if (isPermanent(e)) {
                    throw new IOException(describe(e) + " (not retried: a retry cannot fix it)", e);
                }
                if (attempt >= maxRetries) {
                    throw new IOException(describe(e) + " (gave up after " + (attempt + 1) + (attempt == 0 ? " attempt)" : " attempts)"), e);
                }
                long backoff = backoffMs(attempt);
                LOG.warn("Writing a batch of {} rows to {} failed (attempt {} of {}), trying again in {} ms: {}",
                        batch.size(), writer.table(), attempt + 1, maxRetries + 1, backoff, describe(e));
                dropIfBroken();
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("Interrupted while waiting to write a batch to " + writer.table() + " again");
                }
            }
        }
    }

    /**
     * Aborts the connection (closes its socket without waiting for a statement that runs) and refuses every later
     * statement and reconnect. Safe from any thread, and quick: it never waits for the writer thread.
     */
    void stop() {
        Connection aborted = takeForGood();
        if (aborted != null) {
            try {
                aborted.abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                LOG.warn("Could not abort the connection of the PostgreSQL sink of {}: {}", writer.table(), e.toString());
            }
        }
    }

    /** Closes the connection politely; only when no batch is being written (otherwise {@link #stop}). */
    @Override
    public void close() {
        Connection idle = takeForGood();
        if (idle != null) {
            closeQuietly(idle, null);
        }
    }

    private synchronized Connection takeForGood() {
        stopped = true;
        Connection taken = connection;
        connection = null;
        executor = null;
        return taken;
    }

    /** 0.5 s, 1 s, 2 s, … at most 10 s before attempt {@code attempt + 2}. */
    static long backoffMs(int attempt) {
        return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(attempt, 20));
    }

    static boolean isPermanent(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.length() >= 2 && PERMANENT_CLASSES.contains(state.substring(0, 2));
    }

    /**
     * PostgreSQL's own message and SQLSTATE, without its detail lines: a detail can quote the rows of the batch
     * ("Failing row contains …"), and this text can end up in a status or an event.
     */
    static String describe(SQLException e) {
        String message = e instanceof PSQLException psql && psql.getServerErrorMessage() != null
                ? psql.getServerErrorMessage().getMessage() : e.getMessage();
        return (e.getSQLState() == null ? "" : "SQLSTATE " + e.getSQLState() + ": ") + message;
    }

    /** A JDBC URL as it may be shown: its parameters can carry a password. */
    static String withoutParameters(String jdbcUrl) {
        int query = jdbcUrl.indexOf('?');
        return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
    }

    private synchronized boolean isStopped() {
        return stopped;
    }

    private BatchExecutor<T> executor() throws SQLException {
        synchronized (this) {
            if (stopped) {
                throw new SQLException("The PostgreSQL sink of " + writer.table() + " is closed");
            }
            if (executor != null) {
                return executor;
            }
        }
        // Connecting can take long: outside the lock, so that stop() never waits for it.
        Connection opened = PostgresDriver.connect(jdbcUrl, credentials);
        try {
            TableCheck.verify(opened, writer);
            BatchExecutor<T> prepared = new BatchExecutor<>(writer, metrics, opened);
            synchronized (this) {
                if (!stopped) {
                    connection = opened;
                    executor = prepared;
                    return prepared;
                }
            }
            throw new SQLException("The PostgreSQL sink of " + writer.table() + " is closed");
        } catch (SQLException | RuntimeException e) {
            closeQuietly(opened, e);
            throw e;
        }
    }

    /** After a failure: keeps a connection that still answers, closes one that does not, so the next attempt reconnects. */
    private void dropIfBroken() {
        Connection current;
        synchronized (this) {
            current = connection;
        }
        if (current == null) {
            return;
        }
        boolean valid;
        try {
            valid = !current.isClosed() && current.isValid(VALID_TIMEOUT_S);
        } catch (SQLException e) {
            valid = false;
        }
        if (!valid) {
            synchronized (this) {
                if (connection == current) {
                    connection = null;
                    executor = null;
                }
            }
            closeQuietly(current, null);
            LOG.info("Closed the broken connection of the PostgreSQL sink of {}; the next attempt opens a new one", writer.table());
        }
    }

    private static void closeQuietly(Connection connection, Exception cause) {
        try {
            connection.close();
        } catch (SQLException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
        }
    }
}
