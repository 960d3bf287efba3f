package io.streampipe.job.sink;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.Specs;
import io.streampipe.job.schema.ResultSchema;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** The sink writer against a real PostgreSQL: when a batch is written. */
class PostgresSinkWriterIT {
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();

    private static final long T0 = 1_795_132_800_000L;

    @Test
    void aBatchIsWrittenWhenItHoldsBatchSizeDistinctRowsNotRecords() throws Exception {
        StreamingPipelineSpec spec = Specs.example("orders-upsert");
        spec.sink.postgres.jdbcUrl = POSTGRES.jdbcUrl();
        spec.sink.postgres.table = "batched_orders";
        DatabaseCredentials credentials = DatabaseCredentials.of(POSTGRES.username(), POSTGRES.password());
        TableCreator.createTables(spec, credentials);
        ResultSchema result = ResultSchema.of(spec);
        // No interval flush: only the batch size can write.
        JdbcExecutionOptions execution = JdbcExecutionOptions.builder().withBatchSize(100).withBatchIntervalMs(0).build();
        PostgresSinkWriter<Row> writer = new PostgresSinkWriter<>(POSTGRES.jdbcUrl(), credentials,
                new ResultRowWriter(spec.sink.postgres.table, result), execution,
                new SinkMetrics(new UnregisteredMetricsGroup()), result.rowType().createSerializer(new ExecutionConfig()));
        try {
            // 100 records, each of 50 orders twice: 50 rows pending, nothing written yet.
            for (int version = 0; version < 2; version++) {
                for (int order = 0; order < 50; order++) {
                    writer.write(order(order, version), null);
                }
            }
            assertThat(rows()).isZero();
            // 49 more orders: 99 rows pending.
            for (int order = 50; order < 99; order++) {
                writer.write(order(order, 0), null);
            }
            assertThat(rows()).isZero();
            // The 100th distinct row writes the batch, every order at its last version.
            writer.write(order(99, 0), null);
            assertThat(rows()).isEqualTo(100);
            assertThat(POSTGRES.query("SELECT count(*) AS n FROM batched_orders WHERE items = 2").get(0).get("n"))
                    .isEqualTo(50L);
        } finally {
            writer.close();
        }
    }

    private static long rows() {
        return (Long) POSTGRES.query("SELECT count(*) AS n FROM batched_orders").get(0).get("n");
    }

    /** A result row of examples/orders-upsert.yaml; {@code items} is the version + 1. */
    private static Row order(int order, int version) {
        return Row.of(String.format("ord-%08x", order), "c-" + order, "paid", 10.0 + order, (long) version + 1,
                T0 + version);
    }
}
