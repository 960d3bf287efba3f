package io.streampipe.job.sink;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.Specs;
import io.streampipe.job.schema.ResultSchema;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sink writer against a real PostgreSQL: when a batch is written, on which thread, and what a lost connection does. */
class PostgresSinkWriterIT {
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();

    private static final long T0 = 1_795_132_800_000L;
    private static final String TABLE = "batched_orders";
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
        spec = Specs.example("orders-upsert");
        spec.sink.postgres.jdbcUrl = POSTGRES.jdbcUrl();
        spec.sink.postgres.table = TABLE;
        POSTGRES.execute("DROP TABLE IF EXISTS " + TABLE);
        TableCreator.createTables(spec, credentials());
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
        assertThat(rows()).isZero();
        // 49 more orders: 99 rows pending.
        for (int order = 50; order < 99; order++) {
            writer.write(order(order, 0), null);
        }
        writer.awaitWritten();
        assertThat(rows()).isZero();
        // The 100th distinct row hands the batch over, every order at its last version.
        writer.write(order(99, 0), null);
        writer.awaitWritten();
        assertThat(rows()).isEqualTo(100);
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
        assertThat(rows()).isZero();
        time.setCurrentTime(200);
        writer.awaitWritten();
        assertThat(rows()).isEqualTo(3);
        // The interval keeps going: the next rows are written one interval later.
        writer.write(order(3, 0), null);
        time.setCurrentTime(399);
        writer.awaitWritten();
        assertThat(rows()).isEqualTo(3);
        time.setCurrentTime(400);
        writer.awaitWritten();
        assertThat(rows()).isEqualTo(4);
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
            assertThat(rows()).isZero();
            // The thread that waits says which sink it writes for, as a thread dump shows it.
            assertThat(Thread.getAllStackTraces().keySet()).map(Thread::getName)
                    .contains("postgres-sink-writer " + TABLE + " 0");
            blocker.commit();
            secondHandOver.get(30, TimeUnit.SECONDS);
        }
        onTask(() -> writer.flush(false));
        assertThat(rows()).isEqualTo(200);
    }

    @Test
    void aBatchWhoseConnectionWasLostIsWrittenAgainOnANewOne() throws Exception {
        writer = writer(100, 0, 1, null);
        writeOrders(0, 100);
        writer.awaitWritten();
        assertThat(terminateWriterConnections()).isEqualTo(1);
        writeOrders(100, 200);
        writer.flush(false);
        assertThat(rows()).isEqualTo(200);
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
                .hasMessage("Writing a batch to PostgreSQL failed");
        assertThat(rows()).isEqualTo(100);
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
                .hasMessage("Writing a batch to PostgreSQL failed");
    }

    private PostgresSinkWriter<Row> writer(int batchSize, long intervalMs, int maxRetries, ProcessingTimeService time) {
        JdbcExecutionOptions execution = JdbcExecutionOptions.builder()
                .withBatchSize(batchSize).withBatchIntervalMs(intervalMs).withMaxRetries(maxRetries).build();
        ResultSchema result = ResultSchema.of(spec);
        String url = POSTGRES.jdbcUrl() + (POSTGRES.jdbcUrl().contains("?") ? "&" : "?") + "ApplicationName=" + APPLICATION;
        return new PostgresSinkWriter<>(url, credentials(), new ResultRowWriter(TABLE, result), execution,
                new SinkMetrics(new UnregisteredMetricsGroup()), result.rowType().createSerializer(new ExecutionConfig()), time, 0);
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

    private static DatabaseCredentials credentials() {
        return DatabaseCredentials.of(POSTGRES.username(), POSTGRES.password());
    }

    private static long terminateWriterConnections() {
        return (Long) POSTGRES.query("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity"
                + " WHERE application_name = ?", APPLICATION).get(0).get("n");
    }

    private static long writerConnections() {
        return (Long) POSTGRES.query("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ?", APPLICATION)
                .get(0).get("n");
    }

    private static long rows() {
        return (Long) POSTGRES.query("SELECT count(*) AS n FROM " + TABLE).get(0).get("n");
    }

    /** A result row of examples/orders-upsert.yaml; {@code items} is the version + 1. */
    private static Row order(int order, int version) {
        return Row.of(String.format("ord-%08x", order), "c-" + order, "paid", 10.0 + order, (long) version + 1,
                T0 + version);
    }
}
