package io.streampipe.job.sink;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.Specs;
import io.streampipe.job.it.Pipelines;
import io.streampipe.job.schema.ResultSchema;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.streampipe.job.sink.OrdersTable.order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sink writer against a real PostgreSQL: when a batch is written, on which thread, and what a lost connection does. */
class PostgresSinkWriterIT {
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();

    private static final long T0 = OrdersTable.T0;
    private static final String TABLE = "batched_orders";
    private static final OrdersTable ORDERS = new OrdersTable(POSTGRES, TABLE);
    /** The writer's connections say who they are, so a test can find and end them. */
    private static final String APPLICATION = "sink-writer-under-test";

    /**
     * Stands in for the task thread where a test watches whether a call blocks; such a test makes all its calls on the
     * writer from it, one at a time, as Flink does.
     */
    private final ExecutorService task = Executors.newSingleThreadExecutor();
    private StreamingPipelineSpec spec;
    private PostgresSinkWriter<Row> writer;

    @BeforeEach
    void createTable() {
        spec = ORDERS.createAgain();
    }

    @AfterEach
    void closeWriter() throws Exception {
        task.shutdownNow();
        if (writer != null) {
            writer.close();
        }
    }

    @Test
    void aBatchIsWrittenWhenItHoldsBatchSizeDistinctRowsNotRecords() throws Exception {
        writer = writer(100, 0, 0, null); // no interval flush: only the batch size can write
        // 100 records, each of 50 orders twice: 50 rows pending, nothing handed over.
        for (int version = 0; version < 2; version++) {
            for (int order = 0; order < 50; order++) {
                writer.write(order(order, version), null);
            }
        }
        writer.awaitWritten();
        assertThat(ORDERS.rows()).isZero();
        // 49 more orders: 99 rows pending.
        for (int order = 50; order < 99; order++) {
            writer.write(order(order, 0), null);
        }
        writer.awaitWritten();
        assertThat(ORDERS.rows()).isZero();
        // The 100th distinct row hands the batch over, every order at its last version.
        writer.write(order(99, 0), null);
        writer.awaitWritten();
        assertThat(ORDERS.rows()).isEqualTo(100);
        assertThat(POSTGRES.query("SELECT count(*) AS n FROM batched_orders WHERE items = 2").get(0).get("n"))
                .isEqualTo(50L);
    }

    @Test
    void rowsPendingWhenTheIntervalElapsesAreWrittenThen() throws Exception {
        TestProcessingTimeService time = new TestProcessingTimeService();
        time.setCurrentTime(0);
        writer = writer(100, 200, 0, time);
        for (int order = 0; order < 3; order++) {
            writer.write(order(order, 0), null);
        }
        time.setCurrentTime(199);
        writer.awaitWritten();
        assertThat(ORDERS.rows()).isZero();
        time.setCurrentTime(200);
        writer.awaitWritten();
        assertThat(ORDERS.rows()).isEqualTo(3);
        // The interval keeps going: the next rows are written one interval later.
        writer.write(order(3, 0), null);
        time.setCurrentTime(399);
        writer.awaitWritten();
        assertThat(ORDERS.rows()).isEqualTo(3);
        time.setCurrentTime(400);
        writer.awaitWritten();
        assertThat(ORDERS.rows()).isEqualTo(4);
    }

    @Test
    void theTaskThreadCollectsTheNextBatchWhileOneIsWrittenAndWaitsWithTheNext() throws Exception {
        writer = writer(100, 0, 0, null);
        try (Connection blocker = POSTGRES.newConnection()) {
            blocker.setAutoCommit(false);
            try (Statement statement = blocker.createStatement()) {
                statement.execute("LOCK TABLE " + TABLE + " IN SHARE MODE"); // the upsert waits for it
            }
            // Batch 1 is handed over and waits for the lock; batch 2 is collected meanwhile, but for its last row.
            onTask(() -> writeOrders(0, 199));
            // Its last row completes batch 2, which waits for batch 1.
            Future<?> secondHandOver = task.submit(() -> {
                writeOrders(199, 200);
                return null;
            });
            assertThatThrownBy(() -> secondHandOver.get(500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            assertThat(ORDERS.rows()).isZero();
            // The thread that waits says which sink it writes for, as a thread dump shows it.
            assertThat(Thread.getAllStackTraces().keySet()).map(Thread::getName)
                    .contains("postgres-sink-writer " + TABLE + " 0");
            blocker.commit();
            secondHandOver.get(30, TimeUnit.SECONDS);
        }
        onTask(() -> writer.flush(false));
        assertThat(ORDERS.rows()).isEqualTo(200);
    }

    @Test
    void aBatchWhoseConnectionWasLostIsWrittenAgainOnANewOne() throws Exception {
        writer = writer(100, 0, 1, null);
        writeOrders(0, 100);
        writer.awaitWritten();
        assertThat(terminateWriterConnections()).isEqualTo(1);
        writeOrders(100, 200);
        writer.flush(false);
        assertThat(ORDERS.rows()).isEqualTo(200);
        assertThat(writerConnections()).isEqualTo(1);
    }

    @Test
    void aBatchThatFailsAfterItsRetriesFailsTheNextFlushAndIsNotCommitted() throws Exception {
        writer = writer(100, 0, 0, null);
        writeOrders(0, 100);
        writer.awaitWritten();
        terminateWriterConnections();
        writeOrders(100, 150);
        assertThatThrownBy(() -> writer.flush(false))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("Writing a batch to batched_orders failed: SQLSTATE ")
                .hasMessageEndingWith("(gave up after 1 attempt)");
        assertThat(ORDERS.rows()).isEqualTo(100);
    }

    @Test
    void aFailedBatchFailsTheTaskAtTheNextIntervalEvenWithNothingNewToWrite() throws Exception {
        TestProcessingTimeService time = new TestProcessingTimeService();
        time.setCurrentTime(0);
        writer = writer(100, 200, 0, time);
        writeOrders(0, 1);
        time.setCurrentTime(200);
        writer.awaitWritten();
        terminateWriterConnections();
        writeOrders(1, 101); // a full batch: handed over, and it fails on the writer thread
        assertThatThrownBy(() -> writer.awaitWritten()).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> time.setCurrentTime(400))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("Writing a batch to batched_orders failed: SQLSTATE ")
                .hasMessageEndingWith("(gave up after 1 attempt)");
    }

    /**
     * PostgreSQL ends the writer's connection while it executes a batch (an administrator, a failover): the batch is
     * rolled back there, and the writer sends it again on a new connection; the task never sees the failure.
     */
    @Test
    void aBatchWhoseConnectionIsKilledWhileItRunsIsRetriedOnANewOneAndNothingIsLost() throws Exception {
        writer = writer(100, 0, 3, null);
        try (Connection blocker = POSTGRES.newConnection()) {
            blocker.setAutoCommit(false);
            try (Statement statement = blocker.createStatement()) {
                statement.execute("LOCK TABLE " + TABLE + " IN SHARE MODE");
            }
            writeOrders(0, 100); // handed over; its upsert waits for the lock
            ORDERS.awaitWaitingForLock(APPLICATION);
            assertThat(terminateWriterConnections()).isEqualTo(1);
            blocker.commit();
        }
        writeOrders(100, 150);
        writer.flush(false);
        assertThat(ORDERS.rows()).isEqualTo(150);
    }

    /**
     * An error a retry cannot fix (here a constraint the rows break) fails the batch at once, naming what PostgreSQL
     * said, instead of being sent maxRetries more times with backoff.
     */
    @Test
    void aBatchThatBreaksAConstraintIsNotRetried() throws Exception {
        POSTGRES.execute("ALTER TABLE " + TABLE + " ADD CONSTRAINT small_amounts CHECK (amount < 50)");
        writer = writer(100, 0, 3, null);
        writeOrders(0, 100);
        long start = System.nanoTime();
        assertThatThrownBy(() -> writer.flush(false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not retried")
                .hasMessageContaining("small_amounts");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(900);
        assertThat(ORDERS.rows()).isZero();
    }

    /**
     * A cancelled task's writer must not commit after close returns: Flink starts the next attempt then, and a batch
     * of the old attempt committing behind the new one's writes would put older rows back. Here the old batch waits
     * for a lock while the task is closed; the lock is released only after close has returned, and the next attempt's
     * rows must be the ones that stay.
     */
    @Test
    void aClosedWritersBatchNeverCommitsBehindTheNextAttempt() throws Exception {
        String oldAttempt = APPLICATION + "-old";
        writer = writer(100, 0, 3, null, oldAttempt);
        try (Connection blocker = POSTGRES.newConnection()) {
            blocker.setAutoCommit(false);
            try (Statement statement = blocker.createStatement()) {
                statement.execute("LOCK TABLE " + TABLE + " IN SHARE MODE");
            }
            writeOrders(0, 100); // version 0, handed over; its upsert waits for the lock
            ORDERS.awaitWaitingForLock(oldAttempt);
            PostgresSinkWriter<Row> cancelled = writer;
            task.submit(() -> {
                cancelled.close();
                return null;
            }).get(10, TimeUnit.SECONDS);
            writer = null;
            assertThat(Thread.getAllStackTraces().keySet()).filteredOn(Thread::isAlive).map(Thread::getName)
                    .doesNotContain("postgres-sink-writer " + TABLE + " 0");
            blocker.commit();
        }
        writer = writer(100, 0, 3, null);
        for (int order = 0; order < 100; order++) {
            writer.write(order(order, 1), null);
        }
        writer.flush(false);
        Pipelines.awaitEqual(() -> (Long) POSTGRES.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ?",
                oldAttempt).get(0).get("n"), 0L);
        assertThat(POSTGRES.query("SELECT count(*) AS n FROM " + TABLE + " WHERE items = 2").get(0).get("n")).isEqualTo(100L);
    }

    /**
     * Flink interrupts a cancelled task's thread, then closes its operators: close still stops the writer whose batch
     * waits in PostgreSQL, returns normally, and keeps the interrupt for Flink.
     */
    @Test
    void closeOnAnInterruptedTaskThreadStopsAWriterThatWaitsInPostgres() throws Exception {
        writer = writer(100, 0, 3, null);
        try (Connection blocker = POSTGRES.newConnection()) {
            blocker.setAutoCommit(false);
            try (Statement statement = blocker.createStatement()) {
                statement.execute("LOCK TABLE " + TABLE + " IN SHARE MODE");
            }
            writeOrders(0, 100);
            ORDERS.awaitWaitingForLock(APPLICATION);
            PostgresSinkWriter<Row> cancelled = writer;
            boolean interrupted = task.submit(() -> {
                Thread.currentThread().interrupt();
                cancelled.close();
                return Thread.interrupted();
            }).get(10, TimeUnit.SECONDS);
            writer = null;
            assertThat(interrupted).isTrue();
            assertThat(Thread.getAllStackTraces().keySet()).filteredOn(Thread::isAlive).map(Thread::getName)
                    .doesNotContain("postgres-sink-writer " + TABLE + " 0");
            blocker.commit();
        }
        Pipelines.awaitEqual(PostgresSinkWriterIT::writerConnections, 0L);
        assertThat(ORDERS.rows()).isZero();
    }

    /**
     * A table that exists but does not fit the spec fails the writer when it opens, with a message naming the table,
     * the column and what was expected, instead of failing every batch (and the job restarting forever).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "another primary key | PRIMARY KEY (customer_id) | order_id text NOT NULL, customer_id text NOT NULL, status text NOT NULL, amount double precision NOT NULL, items bigint, updated_at timestamptz NOT NULL | batched_orders: the primary key is (customer_id), expected (order_id)",
            "no primary key | UNIQUE (status) | order_id text NOT NULL, customer_id text NOT NULL, status text NOT NULL, amount double precision NOT NULL, items bigint, updated_at timestamptz NOT NULL | batched_orders: no primary key or unique index on (order_id)",
            "a missing column | PRIMARY KEY (order_id) | order_id text NOT NULL, customer_id text NOT NULL, status text NOT NULL, amount double precision NOT NULL, updated_at timestamptz NOT NULL | batched_orders: column items is missing (expected bigint)",
            "a column of another type | PRIMARY KEY (order_id) | order_id text NOT NULL, customer_id text NOT NULL, status text NOT NULL, amount integer NOT NULL, items bigint, updated_at timestamptz NOT NULL | batched_orders: column amount is integer, expected double precision",
            "a timestamp without time zone | PRIMARY KEY (order_id) | order_id text NOT NULL, customer_id text NOT NULL, status text NOT NULL, amount double precision NOT NULL, items bigint, updated_at timestamp NOT NULL | batched_orders: column updated_at is timestamp without time zone, expected timestamp with time zone",
            "NOT NULL where the pipeline writes nulls | PRIMARY KEY (order_id) | order_id text NOT NULL, customer_id text NOT NULL, status text NOT NULL, amount double precision NOT NULL, items bigint NOT NULL, updated_at timestamptz NOT NULL | batched_orders: column items is NOT NULL, but the pipeline writes nulls to it",
            "another NOT NULL column without a default | PRIMARY KEY (order_id) | order_id text NOT NULL, customer_id text NOT NULL, status text NOT NULL, amount double precision NOT NULL, items bigint, updated_at timestamptz NOT NULL, region text NOT NULL | batched_orders: column region is NOT NULL without a default, and the pipeline does not write it",
    })
    void aTableThatDoesNotFitTheSpecFailsTheWriterWhenItOpensNamingTheColumn(String name, String key, String columns,
                                                                              String message) {
        POSTGRES.execute("DROP TABLE " + TABLE);
        POSTGRES.execute("CREATE TABLE " + TABLE + " (" + columns + ", " + key + ")");
        assertThatThrownBy(() -> writer = writer(100, 0, 0, null))
                .hasMessageContaining(message)
                .hasMessageContaining("spec.sink.postgres.table")
                .hasMessageNotContaining(POSTGRES.password());
        // The refused writer's connection is closed (a backend leaves pg_stat_activity a moment after its client).
        Pipelines.awaitEqual(PostgresSinkWriterIT::writerConnections, 0L);
    }

    /** A table made by hand that fits: other column order, varchar, an extra column with a default, a unique index as key. */
    @Test
    void aPreExistingTableThatFitsIsWrittenTo() throws Exception {
        POSTGRES.execute("DROP TABLE " + TABLE);
        POSTGRES.execute("CREATE TABLE " + TABLE + " (id bigserial PRIMARY KEY, updated_at timestamptz, items bigint,"
                + " amount double precision, status varchar, customer_id character varying, order_id text NOT NULL,"
                + " note text NOT NULL DEFAULT '')");
        POSTGRES.execute("CREATE UNIQUE INDEX batched_orders_order_id ON " + TABLE + " (order_id)");
        writer = writer(100, 0, 0, null);
        writeOrders(0, 10);
        writer.flush(false);
        assertThat(ORDERS.rows()).isEqualTo(10);
    }

    /**
     * A change that adds a column to the result (a new aggregate, a new field) finds the table the previous spec made:
     * with createTable, the column is added (nullable, so existing rows keep theirs as NULL) instead of the new job
     * failing at its start on a missing column and restarting forever.
     */
    @Test
    void createTableAddsTheColumnsANewSpecWritesToTheTableAnOlderOneMade() throws Exception {
        POSTGRES.execute("DROP TABLE " + TABLE);
        POSTGRES.execute("CREATE TABLE " + TABLE + " (order_id text NOT NULL PRIMARY KEY, customer_id text, status text,"
                + " amount double precision, updated_at timestamptz)");
        POSTGRES.execute("INSERT INTO " + TABLE + " (order_id, status) VALUES ('ord-legacy', 'paid')");
        TableCreator.createTables(spec, ORDERS.credentials());
        assertThat(POSTGRES.query("SELECT format_type(atttypid, atttypmod) AS type, attnotnull AS not_null FROM pg_attribute"
                + " WHERE attrelid = '" + TABLE + "'::regclass AND attname = 'items'")).singleElement()
                .isEqualTo(java.util.Map.of("type", "bigint", "not_null", false));
        assertThat(POSTGRES.query("SELECT status, items FROM " + TABLE)).singleElement()
                .satisfies(row -> assertThat(row).containsEntry("status", "paid").containsEntry("items", null));
        writer = writer(100, 0, 0, null);
        writeOrders(0, 10);
        writer.flush(false);
        assertThat(ORDERS.rows()).isEqualTo(11);
    }

    /**
     * Issue 13: a windowed row computed from fewer events (a window read only in part after an offset reset without
     * state, or a batch of an attempt whose TaskManager was lost but still runs) never replaces or removes the row
     * computed from more; one computed from as many does, with the values it carries (a replay writes it again).
     */
    @Test
    void aWindowedRowFromFewerEventsNeverReplacesOneFromMoreWhileEqualCountsReplace() throws Exception {
        writer = windowWriter(windowedSpec());
        writer.write(window(RowKind.INSERT, "s-1", 46.5, 12), null);
        writer.write(window(RowKind.INSERT, "s-2", 20.0, 2), null);
        writer.flush(false);
        writer.write(window(RowKind.INSERT, "s-1", 40.0, 3), null);
        writer.write(window(RowKind.INSERT, "s-2", 22.0, 2), null);
        writer.flush(false);
        assertThat(windows()).containsExactly("s-1 avg=46.5 n=12", "s-2 avg=22.0 n=2");

        // A delete (a late firing failing having, a session merged away) decided on fewer events leaves the row too.
        writer.write(window(RowKind.DELETE, "s-1", null, 11), null);
        writer.flush(false);
        assertThat(windows()).containsExactly("s-1 avg=46.5 n=12", "s-2 avg=22.0 n=2");
        writer.write(window(RowKind.DELETE, "s-1", null, 12), null);
        writer.flush(false);
        assertThat(windows()).containsExactly("s-2 avg=22.0 n=2");

        // Within one batch as across batches: the version from more events wins whatever the order.
        writer.write(window(RowKind.INSERT, "s-3", 30.0, 5), null);
        writer.write(window(RowKind.INSERT, "s-3", 31.0, 4), null);
        writer.flush(false);
        assertThat(windows()).containsExactly("s-2 avg=22.0 n=2", "s-3 avg=30.0 n=5");
        assertThat(guardedWindows()).containsExactly("s-2 _events=2", "s-3 _events=5");
    }

    /**
     * A windowed table made before the guard column existed: createTable adds {@code _events} with 0 in its rows, so
     * the first recomputation of such a row replaces it whatever it counted; without createTable the writer refuses
     * the table, naming the column and the statement that adds it.
     */
    @Test
    void aWindowedTableMadeBeforeTheGuardColumnGetsItWithZeroInItsRows() throws Exception {
        StreamingPipelineSpec sensors = windowedSpec();
        POSTGRES.execute("DROP TABLE " + WINDOWS);
        POSTGRES.execute("CREATE TABLE " + WINDOWS + " (sensor_id text NOT NULL, window_start timestamptz NOT NULL,"
                + " window_end timestamptz NOT NULL, avg_temp double precision, max_temp double precision, readings bigint,"
                + " PRIMARY KEY (sensor_id, window_start))");
        POSTGRES.execute("INSERT INTO " + WINDOWS + " VALUES ('s-1', to_timestamp(" + T0 / 1000 + "), to_timestamp("
                + (T0 + WINDOW) / 1000 + "), 46.5, 50.0, 12)");
        assertThatThrownBy(() -> writer = windowWriter(sensors))
                .hasMessageContaining(WINDOWS + ": column _events is missing (expected bigint; ALTER TABLE \"" + WINDOWS
                        + "\" ADD COLUMN \"_events\" bigint NOT NULL DEFAULT 0 adds it, or set createTable: true)");

        TableCreator.createTables(sensors, ORDERS.credentials());
        assertThat(windows()).containsExactly("s-1 avg=46.5 n=12");
        assertThat(guardedWindows()).containsExactly("s-1 _events=0");
        writer = windowWriter(sensors);
        writer.write(window(RowKind.INSERT, "s-1", 40.0, 3), null);
        writer.flush(false);
        assertThat(windows()).containsExactly("s-1 avg=40.0 n=3");
        assertThat(guardedWindows()).containsExactly("s-1 _events=3");
    }

    private static final String WINDOWS = "guarded_windows";
    private static final long WINDOW = 300_000;

    /** examples/sensor-anomalies.yaml writing to {@link #WINDOWS}, its tables created. */
    private static StreamingPipelineSpec windowedSpec() {
        StreamingPipelineSpec sensors = Specs.example("sensor-anomalies");
        sensors.sink.postgres.jdbcUrl = POSTGRES.jdbcUrl();
        sensors.sink.postgres.table = WINDOWS;
        POSTGRES.execute("DROP TABLE IF EXISTS " + WINDOWS);
        TableCreator.createTables(sensors, ORDERS.credentials());
        return sensors;
    }

    private static PostgresSinkWriter<Row> windowWriter(StreamingPipelineSpec sensors) throws Exception {
        return new PostgresSinkWriter<>(POSTGRES.jdbcUrl(), ORDERS.credentials(), new ResultRowWriter(WINDOWS, ResultSchema.of(sensors)),
                new SinkSettings(100, 0, 0), new SinkMetrics(new UnregisteredMetricsGroup()), null, 0);
    }

    /**
     * A change of sensor {@code sensor}'s window [T0, T0 + 5m) as the window operator emits it: avg_temp, max_temp,
     * readings (the count aggregate) and last the events it was computed from, which here are the readings.
     */
    private static Row window(RowKind kind, String sensor, Double avg, long events) {
        return kind == RowKind.DELETE
                ? Row.ofKind(kind, sensor, T0, T0 + WINDOW, null, null, null, events)
                : Row.ofKind(kind, sensor, T0, T0 + WINDOW, avg, avg + 1, events, events);
    }

    private static java.util.List<String> windows() {
        return POSTGRES.query("SELECT sensor_id, avg_temp, readings FROM " + WINDOWS + " ORDER BY sensor_id").stream()
                .map(r -> r.get("sensor_id") + " avg=" + r.get("avg_temp") + " n=" + r.get("readings")).toList();
    }

    private static java.util.List<String> guardedWindows() {
        return POSTGRES.query("SELECT sensor_id, \"_events\" AS events FROM " + WINDOWS + " ORDER BY sensor_id").stream()
                .map(r -> r.get("sensor_id") + " _events=" + r.get("events")).toList();
    }


    private PostgresSinkWriter<Row> writer(int batchSize, long intervalMs, int maxRetries, ProcessingTimeService time) {
        return writer(batchSize, intervalMs, maxRetries, time, APPLICATION);
    }

    private PostgresSinkWriter<Row> writer(int batchSize, long intervalMs, int maxRetries, ProcessingTimeService time,
                                           String application) {
        ResultSchema result = ResultSchema.of(spec);
        return new PostgresSinkWriter<>(ORDERS.jdbcUrlAs(application), ORDERS.credentials(), new ResultRowWriter(TABLE, result),
                new SinkSettings(batchSize, intervalMs, maxRetries), new SinkMetrics(new UnregisteredMetricsGroup()), time, 0);
    }

    private void writeOrders(int from, int to) throws IOException {
        for (int order = from; order < to; order++) {
            writer.write(order(order, 0), null);
        }
    }

    private void onTask(Call call) throws Exception {
        task.submit(() -> {
            call.run();
            return null;
        }).get(30, TimeUnit.SECONDS);
    }

    private interface Call {
        void run() throws Exception;
    }

    private static long terminateWriterConnections() {
        return (Long) POSTGRES.query("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity"
                + " WHERE application_name = ?", APPLICATION).get(0).get("n");
    }

    private static long writerConnections() {
        return (Long) POSTGRES.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ?", APPLICATION)
                .get(0).get("n");
    }
}
