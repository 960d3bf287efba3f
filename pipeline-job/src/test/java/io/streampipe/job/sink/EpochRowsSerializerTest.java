package io.streampipe.job.sink;

import io.streampipe.api.v1alpha1.SourceSpec.FieldType;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.Specs;
import io.streampipe.job.late.LateEvent;
import io.streampipe.job.schema.ResultSchema;
import io.streampipe.job.schema.ResultSchema.ColumnType;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pending rows of a checkpoint survive it unchanged, for every column type, and are refused under another layout. */
class EpochRowsSerializerTest {
    /** A windowed result whose key has a column of every type a field can have; aggregates add bigint and double. */
    private static ResultSchema everyType(String... aggregatesToDrop) {
        StreamingPipelineSpec spec = Specs.example("sensor-anomalies");
        spec.source.schema = new ArrayList<>(List.of(Specs.field("s", FieldType.STRING), Specs.field("l", FieldType.LONG),
                Specs.field("d", FieldType.DOUBLE), Specs.field("b", FieldType.BOOLEAN), Specs.field("t", FieldType.TIMESTAMP),
                Specs.field("temperature", FieldType.DOUBLE), Specs.field("ts", FieldType.TIMESTAMP)));
        spec.transform.keyBy = List.of("s", "l", "d", "b", "t");
        spec.sink.postgres.primaryKey = null;
        spec.transform.aggregates.removeIf(a -> List.of(aggregatesToDrop).contains(a.name));
        return ResultSchema.of(spec);
    }

    @Test
    void resultRowsOfEveryColumnTypeRoundTrip() throws Exception {
        ResultSchema schema = everyType();
        assertThat(schema.columns()).extracting(ResultSchema.Column::type)
                .contains(ColumnType.values());
        ResultRowWriter writer = new ResultRowWriter("t", schema);
        String long70k = "é𝄞".repeat(25_000); // beyond writeUTF's 64 KiB, with a surrogate pair
        List<Row> rows = List.of(
                Row.ofKind(RowKind.INSERT, "s-1", 42L, 1.5, true, 1_700_000_000_123L, 0L, 600_000L, 45.25, 50.0, 3L, 3L),
                Row.ofKind(RowKind.INSERT, long70k, Long.MIN_VALUE, -0.0, false, -62_135_596_800_000L, Long.MAX_VALUE - 1,
                        Long.MAX_VALUE, Double.NaN, Double.NEGATIVE_INFINITY, Long.MAX_VALUE, Long.MAX_VALUE),
                Row.ofKind(RowKind.INSERT, "", Long.MAX_VALUE, Double.MIN_VALUE, true, 253_402_300_799_999L, 0L, 1L, null, null, 0L, 0L),
                Row.ofKind(RowKind.DELETE, "s-2", 7L, 2.0, false, 5L, 0L, 600_000L, null, null, null, 4L));
        EpochRowsSerializer<Row> serializer = new EpochRowsSerializer<>(writer);

        EpochRows<Row> back = serializer.deserialize(serializer.getVersion(), serializer.serialize(new EpochRows<>(rows, 7)));

        assertThat(back.rows()).isEqualTo(rows); // Row.equals: kind and every field, Double.equals (-0.0, NaN) by bits
        assertThat(back.superseded()).isEqualTo(7);
        for (int i = 0; i < rows.size(); i++) {
            for (int c = 0; c < schema.columns().size(); c++) {
                Object value = back.rows().get(i).getField(c);
                assertThat(value == null ? null : value.getClass()).as("row %d column %d", i, c)
                        .isEqualTo(rows.get(i).getField(c) == null ? null : rows.get(i).getField(c).getClass());
            }
        }
    }

    /** A row of the sensor example (key, two bounds, three aggregates, _events) costs a few dozen bytes in the checkpoint. */
    @Test
    void aRowCostsItsValuesAndLittleMore() throws Exception {
        ResultRowWriter writer = new ResultRowWriter("sensor_alerts", ResultSchema.of(Specs.example("sensor-anomalies")));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            rows.add(Row.ofKind(RowKind.INSERT, "s-" + i, 1_700_000_000_000L, 1_700_000_300_000L, 46.5, 51.0, 30L, 30L));
        }
        byte[] bytes = new EpochRowsSerializer<>(writer).serialize(new EpochRows<>(rows, 0));
        // kind 1 + presence 7 + text 1+5 + 2 timestamps 16 + 3 aggregates 24 + _events 8 = 62 bytes per row, plus the header.
        assertThat(bytes.length).isBetween(1000 * 61, 1000 * 62 + 200);
    }

    @Test
    void lateEventsRoundTrip() throws Exception {
        LateEventWriter writer = new LateEventWriter("late");
        LateEvent late = new LateEvent();
        late.topic = "sensor-readings";
        late.partition = 3;
        late.offset = Long.MAX_VALUE;
        late.eventTime = -1;
        late.eventKey = "{\"sensor_id\":\"s-1\"}";
        late.payload = "{\"sensor_id\":\"s-1\",\"note\":\"" + "𝄞".repeat(20_000) + "\"}";
        late.receivedAt = 1_700_000_000_000L;
        LateEvent other = new LateEvent();
        other.topic = "t";
        other.eventKey = "{}";
        other.payload = "{}";
        EpochRowsSerializer<LateEvent> serializer = new EpochRowsSerializer<>(writer);

        EpochRows<LateEvent> back = serializer.deserialize(1, serializer.serialize(new EpochRows<>(List.of(late, other), 0)));

        assertThat(back.rows()).usingRecursiveFieldByFieldElementComparator().containsExactly(late, other);
    }

    /** Rows kept for a table of other columns (the aggregates changed) are refused, not written into the wrong ones. */
    @Test
    void rowsOfAnotherLayoutAreRefusedNamingTheTable() throws Exception {
        EpochRowsSerializer<Row> before = new EpochRowsSerializer<>(new ResultRowWriter("t", everyType()));
        EpochRowsSerializer<Row> after = new EpochRowsSerializer<>(new ResultRowWriter("t", everyType("max_temp")));
        byte[] kept = before.serialize(new EpochRows<>(List.of(), 0));

        assertThatThrownBy(() -> after.deserialize(1, kept))
                .hasMessage("The checkpoint holds rows not yet written to t (spec.sink.postgres.table) with the columns "
                        + "[text,bigint,double precision,boolean,timestamptz,timestamptz,timestamptz,double precision,"
                        + "double precision,bigint,bigint], but this spec writes [text,bigint,double precision,boolean,timestamptz,"
                        + "timestamptz,timestamptz,double precision,bigint,bigint]: restore it with the spec it was taken with, "
                        + "or start without its state");
        assertThatThrownBy(() -> before.deserialize(2, kept)).hasMessageContaining("format version 2");
    }
}
