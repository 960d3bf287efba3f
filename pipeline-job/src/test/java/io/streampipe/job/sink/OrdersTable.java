package io.streampipe.job.sink;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.Specs;
import io.streampipe.job.it.Pipelines;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.flink.types.Row;

/**
 * The sink tests' table: examples/orders-upsert.yaml's result table, under a test's own name, on a real PostgreSQL,
 * and what those tests ask of it (its rows, its login, whether a sink's connection waits for a lock on it).
 */
final class OrdersTable {
    static final long T0 = 1_795_132_800_000L;

    private final PostgresServer postgres;
    private final String table;

    OrdersTable(PostgresServer postgres, String table) {
        this.postgres = postgres;
        this.table = table;
    }

    /** Drops the table and creates it again from the example's spec, pointed at this server and table. */
    StreamingPipelineSpec createAgain() {
        StreamingPipelineSpec spec = Specs.example("orders-upsert");
        spec.sink.postgres.jdbcUrl = postgres.jdbcUrl();
        spec.sink.postgres.table = table;
        postgres.execute("DROP TABLE IF EXISTS " + table);
        TableCreator.createTables(spec, credentials());
        return spec;
    }

    DatabaseCredentials credentials() {
        return DatabaseCredentials.of(postgres.username(), postgres.password());
    }

    /** The server's URL with the connections named {@code application}, so that a test can find them. */
    String jdbcUrlAs(String application) {
        return postgres.jdbcUrl() + (postgres.jdbcUrl().contains("?") ? "&" : "?") + "ApplicationName=" + application;
    }

    long rows() {
        return (Long) postgres.query("SELECT count(*) AS n FROM " + table).get(0).get("n");
    }

    /** Waits until one connection named {@code application} waits for a lock. */
    void awaitWaitingForLock(String application) {
        Pipelines.awaitEqual(() -> (Long) postgres.query("SELECT count(*) AS n FROM pg_stat_activity"
                + " WHERE application_name = ? AND wait_event_type = 'Lock'", application).get(0).get("n"), 1L);
    }

    /** A result row of examples/orders-upsert.yaml; {@code items} is the version + 1. */
    static Row order(int order, int version) {
        return Row.of(String.format("ord-%08x", order), "c-" + order, "paid", 10.0 + order, (long) version + 1,
                T0 + version);
    }
}
