package io.streampipe.job.sink;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.Specs;
import io.streampipe.job.schema.ResultSchema;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqlStatementsTest {
    private final StreamingPipelineSpec sensors = Specs.example("sensor-anomalies");
    private final StreamingPipelineSpec orders = Specs.example("orders-upsert");

    @Test
    void windowedResultTable() {
        assertThat(TableCreator.statements(sensors)).containsExactly(
                "CREATE TABLE IF NOT EXISTS \"sensor_alerts\" (\"sensor_id\" text NOT NULL, \"window_start\" timestamptz NOT NULL, "
                        + "\"window_end\" timestamptz NOT NULL, \"avg_temp\" double precision, \"max_temp\" double precision, "
                        + "\"readings\" bigint, \"_events\" bigint NOT NULL, PRIMARY KEY (\"sensor_id\", \"window_start\"))",
                "CREATE TABLE IF NOT EXISTS \"sensor_readings_rejects\" (\"topic\" text NOT NULL, \"partition\" bigint NOT NULL, "
                        + "\"offset\" bigint NOT NULL, \"payload\" text, \"reason\" text NOT NULL, \"kafka_timestamp\" timestamptz, "
                        + "\"rejected_at\" timestamptz NOT NULL, PRIMARY KEY (\"topic\", \"partition\", \"offset\"))",
                "CREATE TABLE IF NOT EXISTS \"sensor_alerts_late\" (\"topic\" text NOT NULL, \"partition\" bigint NOT NULL, "
                        + "\"offset\" bigint NOT NULL, \"event_time\" timestamptz NOT NULL, \"event_key\" text NOT NULL, "
                        + "\"payload\" text NOT NULL, \"received_at\" timestamptz NOT NULL, PRIMARY KEY (\"topic\", \"partition\", \"offset\"))");
    }

    @Test
    void windowedUpsertAndDelete() {
        ResultSchema result = ResultSchema.of(sensors);
        assertThat(SqlStatements.upsert("f", "sensor_alerts", result)).isEqualTo(
                "INSERT INTO \"sensor_alerts\" AS target (\"sensor_id\", \"window_start\", \"window_end\", \"avg_temp\", "
                        + "\"max_temp\", \"readings\", \"_events\") SELECT c1, to_timestamp(c2 / 1000) + c2 % 1000 * interval '1 millisecond', "
                        + "to_timestamp(c3 / 1000) + c3 % 1000 * interval '1 millisecond', c4, c5, c6, c7 "
                        + "FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::double precision[], ?::double precision[], ?::bigint[], "
                        + "?::bigint[]) AS u(c1, c2, c3, c4, c5, c6, c7) ON CONFLICT (\"sensor_id\", \"window_start\") "
                        + "DO UPDATE SET \"window_end\" = EXCLUDED.\"window_end\", \"avg_temp\" = EXCLUDED.\"avg_temp\", "
                        + "\"max_temp\" = EXCLUDED.\"max_temp\", \"readings\" = EXCLUDED.\"readings\", \"_events\" = EXCLUDED.\"_events\" "
                        + "WHERE target.\"_events\" <= EXCLUDED.\"_events\"");
        assertThat(SqlStatements.deleteByPrimaryKey("f", "sensor_alerts", result))
                .isEqualTo("DELETE FROM \"sensor_alerts\" WHERE \"sensor_id\" = ? AND \"window_start\" = ? AND \"_events\" <= ?");
        assertThat(SqlStatements.addColumn("f", "sensor_alerts", result.columns().get(result.eventsIndex())))
                .isEqualTo("ALTER TABLE \"sensor_alerts\" ADD COLUMN \"_events\" bigint NOT NULL DEFAULT 0");
    }

    @Test
    void latestPerKeyUpsertNeverOverwritesANewerRow() {
        orders.source.eventTime = new io.streampipe.api.v1alpha1.SourceSpec.EventTime();
        orders.source.eventTime.field = "updated_at";
        assertThat(SqlStatements.upsert("f", "shop.orders_latest", ResultSchema.of(orders))).isEqualTo(
                "INSERT INTO \"shop\".\"orders_latest\" AS target (\"order_id\", \"customer_id\", \"status\", \"amount\", \"items\", "
                        + "\"updated_at\") SELECT c1, c2, c3, c4, c5, to_timestamp(c6 / 1000) + c6 % 1000 * interval '1 millisecond' "
                        + "FROM unnest(?::text[], ?::text[], ?::text[], ?::double precision[], ?::bigint[], ?::bigint[]) "
                        + "AS u(c1, c2, c3, c4, c5, c6) ON CONFLICT (\"order_id\") DO UPDATE SET "
                        + "\"customer_id\" = EXCLUDED.\"customer_id\", \"status\" = EXCLUDED.\"status\", \"amount\" = EXCLUDED.\"amount\", "
                        + "\"items\" = EXCLUDED.\"items\", \"updated_at\" = EXCLUDED.\"updated_at\" "
                        + "WHERE target.\"updated_at\" <= EXCLUDED.\"updated_at\"");
    }

    @Test
    void latestPerKeyTableAndQualifiedNames() {
        orders.sink.postgres.table = "shop.orders_latest";
        assertThat(TableCreator.statements(orders)).startsWith(
                "CREATE SCHEMA IF NOT EXISTS \"shop\"",
                "CREATE TABLE IF NOT EXISTS \"shop\".\"orders_latest\" (\"order_id\" text NOT NULL, \"customer_id\" text, "
                        + "\"status\" text, \"amount\" double precision, \"items\" bigint, \"updated_at\" timestamptz, "
                        + "PRIMARY KEY (\"order_id\"))");
    }

    @Test
    void replaysOfSideTablesAreIgnored() {
        assertThat(SqlStatements.insertIgnoringReplays("f", "rejects", SqlStatements.DEAD_LETTER_COLUMNS)).isEqualTo(
                "INSERT INTO \"rejects\" (\"topic\", \"partition\", \"offset\", \"payload\", \"reason\", \"kafka_timestamp\", "
                        + "\"rejected_at\") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (\"topic\", \"partition\", \"offset\") DO NOTHING");
    }

    @Test
    void onlyKeyColumnsMeansDoNothing() {
        orders.source.schema.removeIf(f -> !f.name.equals("order_id"));
        assertThat(SqlStatements.upsert("f", "t", ResultSchema.of(orders)))
                .isEqualTo("INSERT INTO \"t\" AS target (\"order_id\") SELECT c1 FROM unnest(?::text[]) AS u(c1) ON CONFLICT (\"order_id\") DO NOTHING");
    }

    @Test
    void refusesNamesThatAreNotPlainIdentifiers() {
        assertThatThrownBy(() -> SqlStatements.upsert("spec.sink.postgres.table", "t; DROP TABLE x", ResultSchema.of(orders)))
                .hasMessageStartingWith("spec.sink.postgres.table: 't; DROP TABLE x' is not an allowed table name");
    }
}
