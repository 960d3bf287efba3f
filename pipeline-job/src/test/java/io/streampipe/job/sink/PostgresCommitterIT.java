package io.streampipe.job.sink;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.it.Pipelines;
import io.streampipe.job.schema.ResultSchema;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.flink.api.connector.sink2.Committer.CommitRequest;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The committer of the windowed sinks against a real PostgreSQL: a completed checkpoint's rows go in transactions of
 * batch.size rows with the writer's retries, writing them again (as after a restore) changes nothing, and a committer
 * whose task is cancelled while its rows wait in PostgreSQL commits nothing once its commit has returned.
 */
class PostgresCommitterIT {
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();

    private static final String TABLE = "committed_orders";
    private static final OrdersTable ORDERS = new OrdersTable(POSTGRES, TABLE);
    private static final String APPLICATION = "sink-committer-under-test";

    /** The task thread: Flink calls commit and close from it. */
    private final ExecutorService task = Executors.newSingleThreadExecutor();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private StreamingPipelineSpec spec;
    private PostgresCommitter<Row> committer;

    @BeforeEach
    void createTable() {
        spec = ORDERS.createAgain();
    }

    @AfterEach
    void close() throws Exception {
        task.shutdownNow();
        if (committer != null) {
            committer.close();
        }
    }

    @Test
    void aCheckpointsRowsGoInTransactionsOfBatchSizeRowsAndWritingThemAgainChangesNothing() throws Exception {
        committer = committer(100, 0);
        List<CommitRequest<EpochRows<Row>>> checkpoint = List.of(request(orders(0, 150, 0), 3), request(orders(150, 250, 0), 0));

        committer.commit(checkpoint);
        assertThat(ORDERS.rows()).isEqualTo(250);
        assertThat(counters.get("sinkBatches").getCount()).isEqualTo(3);
        assertThat(counters.get("sinkRowsWritten").getCount()).isEqualTo(250);
        assertThat(counters.get("staleRecordsSkipped").getCount()).isEqualTo(3);

        committer.commit(List.of(request(orders(0, 250, 1), 0))); // the next checkpoint: newer versions
        committer.commit(List.of(request(orders(0, 250, 1), 0))); // it again, as right after a restore from it
        assertThat(POSTGRES.query("SELECT count(*) AS n FROM " + TABLE + " WHERE items = 2").get(0).get("n")).isEqualTo(250L);
    }

    /** PostgreSQL ends the connection while the rows wait for a lock: they are sent again on a new one. */
    @Test
    void rowsWhoseConnectionIsKilledWhileTheyAreWrittenAreRetriedOnANewOne() throws Exception {
        committer = committer(100, 3);
        try (Connection blocker = lockTable()) {
            Future<?> commit = onTask(() -> committer.commit(List.of(request(orders(0, 100, 0), 0))));
            ORDERS.awaitWaitingForLock(APPLICATION);
            assertThat((Long) POSTGRES.query("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity"
                    + " WHERE application_name = ?", APPLICATION).get(0).get("n")).isEqualTo(1L);
            blocker.commit();
            commit.get(30, TimeUnit.SECONDS);
        }
        assertThat(ORDERS.rows()).isEqualTo(100);
    }

    /** No retries left: commit fails, so the task fails and the restore writes the rows again; nothing half-written stays. */
    @Test
    void rowsThatFailAfterTheirRetriesFailTheCommit() throws Exception {
        POSTGRES.execute("ALTER TABLE " + TABLE + " ADD CONSTRAINT small_amounts CHECK (amount < 50)");
        committer = committer(100, 3);
        assertThatThrownBy(() -> committer.commit(List.of(request(orders(0, 100, 0), 0))))
                .hasMessageContaining("Writing the rows of a completed checkpoint to " + TABLE + " failed")
                .hasMessageContaining("not retried");
        assertThat(ORDERS.rows()).isZero();
    }

    /**
     * Flink interrupts a cancelled task's thread while commit waits for its rows: commit aborts the connection, ends
     * its thread and returns; the rows it sent never commit, even once the lock is released.
     */
    @Test
    void anInterruptedCommitStopsAndNothingCommitsAfterItReturned() throws Exception {
        committer = committer(100, 3);
        try (Connection blocker = lockTable()) {
            Future<?> commit = onTask(() -> committer.commit(List.of(request(orders(0, 100, 0), 0))));
            ORDERS.awaitWaitingForLock(APPLICATION);
            commit.cancel(true);
            Pipelines.awaitEqual(() -> Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                    .anyMatch(t -> t.getName().equals("postgres-sink-committer " + TABLE + " 0")), false);
            blocker.commit();
        }
        Pipelines.awaitEqual(() -> (Long) POSTGRES.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ?",
                APPLICATION).get(0).get("n"), 0L);
        assertThat(ORDERS.rows()).isZero();
        assertThatThrownBy(() -> committer.commit(List.of(request(orders(0, 1, 0), 0))))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("is closed");
    }

    private PostgresCommitter<Row> committer(int batchSize, int maxRetries) {
        UnregisteredMetricsGroup metrics = new UnregisteredMetricsGroup() {
            @Override
            public Counter counter(String name) {
                return counter(name, new SimpleCounter());
            }

            @Override
            public <C extends Counter> C counter(String name, C counter) {
                counters.put(name, counter);
                return counter;
            }
        };
        return new PostgresCommitter<>(ORDERS.jdbcUrlAs(APPLICATION), ORDERS.credentials(),
                new ResultRowWriter(TABLE, ResultSchema.of(spec)), new SinkSettings(batchSize, 0, maxRetries),
                new SinkMetrics(metrics), 0);
    }

    private Future<?> onTask(Call call) {
        return task.submit(() -> {
            call.run();
            return null;
        });
    }

    private interface Call {
        void run() throws Exception;
    }

    private static Connection lockTable() throws Exception {
        Connection blocker = POSTGRES.newConnection();
        blocker.setAutoCommit(false);
        try (Statement statement = blocker.createStatement()) {
            statement.execute("LOCK TABLE " + TABLE + " IN SHARE MODE");
        }
        return blocker;
    }


    private static List<Row> orders(int from, int to, int version) {
        List<Row> rows = new ArrayList<>();
        for (int order = from; order < to; order++) {
            rows.add(OrdersTable.order(order, version));
        }
        return rows;
    }

    private static CommitRequest<EpochRows<Row>> request(List<Row> rows, int superseded) {
        return new Request(new EpochRows<>(rows, superseded));
    }

    /** What Flink's committer operator hands over; the committer never signals anything on it (it throws instead). */
    private record Request(EpochRows<Row> committable) implements CommitRequest<EpochRows<Row>> {
        @Override
        public EpochRows<Row> getCommittable() {
            return committable;
        }

        @Override
        public int getNumberOfRetries() {
            return 0;
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            throw new AssertionError("a committable must never be dropped", t);
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            throw new AssertionError("unexpected", t);
        }

        @Override
        public void retryLater() {
            throw new AssertionError("Flink 1.20 retries at once, without backoff: not used");
        }

        @Override
        public void updateAndRetryLater(EpochRows<Row> committable) {
            throw new AssertionError("not used");
        }

        @Override
        public void signalAlreadyCommitted() {
            throw new AssertionError("not used");
        }
    }
}
