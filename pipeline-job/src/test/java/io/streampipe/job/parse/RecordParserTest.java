package io.streampipe.job.parse;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.Specs;
import io.streampipe.job.schema.EventSchema;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The orders example: string key with a pattern, allowed values, min, long, timestamp; no eventTime. */
class RecordParserTest {
    private final StreamingPipelineSpec orders = Specs.example("orders-upsert");
    private final StreamingPipelineSpec sensors = Specs.example("sensor-anomalies");
    private final RecordParser orderParser = new RecordParser(EventSchema.of(orders));
    private final RecordParser sensorParser = new RecordParser(EventSchema.of(sensors));

    private static byte[] json(String text) {
        return text.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void parsesEveryTypeIntoItsPosition() throws Exception {
        Row row = orderParser.parse(json("{'order_id':'ord-0000abcd','customer_id':'c1','status':'paid','amount':12.5,"
                + "'items':3,'updated_at':'2026-11-20T10:15:30+01:00','ignored':{'nested':[1,2]}}"));
        assertThat(row.getArity()).isEqualTo(6 + 3);
        assertThat(row.getField(0)).isEqualTo("ord-0000abcd");
        assertThat(row.getField(2)).isEqualTo("paid");
        assertThat(row.getField(3)).isEqualTo(12.5);
        assertThat(row.getField(4)).isEqualTo(3L);
        assertThat(row.getField(5)).isEqualTo(Instant.parse("2026-11-20T09:15:30Z").toEpochMilli());
    }

    @Test
    void fieldsInAnyOrderWithUndeclaredAndEscapedNamesParseAlike() throws Exception {
        Row inOrder = orderParser.parse(json("{'order_id':'ord-0000abcd','customer_id':'c1','status':'paid','amount':12.5,"
                + "'items':3,'updated_at':1}"));
        for (String reordered : new String[] {
                "{'updated_at':1,'items':3,'amount':12.5,'status':'paid','customer_id':'c1','order_id':'ord-0000abcd'}",
                "{'x':[{'order_id':1}],'order_id':'ord-0000abcd','y':null,'customer_id':'c1','status':'paid','z':{},'amount':12.5,"
                        + "'items':3,'updated_at':1,'w':'v'}",
                "{'order_id':'ord-0000abcd','\\u0063ustomer_id':'c1','status':'paid','amount':12.5,'items':3,'updated_at':1}",
                "{'order_id':'ord-0000abcd','status':'paid','customer_id':'c1','items':3,'amount':12.5,'updated_at':1}"}) {
            assertThat(orderParser.parse(json(reordered))).as(reordered).isEqualTo(inOrder);
        }
        assertThatThrownBy(() -> orderParser.parse(json("{'order_id':'ord-0000abcd','customer_id':'c1','order_id':'ord-0000abcd'}")))
                .hasMessage("field 'order_id': appears more than once");
    }

    @Test
    void acceptsEpochMillisForTimestampsAndIntegersForDoubles() throws Exception {
        Row row = sensorParser.parse(json("{'sensor_id':'s-1','temperature':21,'ts':1763632800000}"));
        assertThat(row.getField(2)).isEqualTo(21.0);
        assertThat(row.getField(3)).isEqualTo(1763632800000L);
        assertThat(row.getField(1)).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing required | {'sensor_id':'s-1','ts':1} | field 'temperature': required but missing",
            "null required | {'sensor_id':'s-1','temperature':null,'ts':1} | field 'temperature': required but null",
            "above max | {'sensor_id':'s-1','temperature':250.5,'ts':1} | field 'temperature': 250.5 is above max 200.0",
            "below min | {'sensor_id':'s-1','temperature':-61,'ts':1} | field 'temperature': -61.0 is below min -60.0",
            "pattern | {'sensor_id':'x-1','temperature':1,'ts':1} | field 'sensor_id': 'x-1' does not match pattern ^s-[0-9]{1,6}$",
            "allowed values | {'sensor_id':'s-1','site':'up','temperature':1,'ts':1} | field 'site': 'up' is not one of [north, south, east, west]",
            "wrong type | {'sensor_id':5,'temperature':1,'ts':1} | field 'sensor_id': expected a string, got 5",
            "number as string | {'sensor_id':'s-1','temperature':'hot','ts':1} | field 'temperature': expected a number, got the string 'hot'",
            "object for string | {'sensor_id':{},'temperature':1,'ts':1} | field 'sensor_id': expected a string, got an object",
            "bad timestamp | {'sensor_id':'s-1','temperature':1,'ts':'yesterday'} | field 'ts': expected an ISO-8601 timestamp with offset (e.g. 2026-11-20T10:15:30Z) or epoch milliseconds, got 'yesterday'",
            "timestamp without offset | {'sensor_id':'s-1','temperature':1,'ts':'2026-11-20T10:15:30'} | field 'ts': expected an ISO-8601 timestamp with offset (e.g. 2026-11-20T10:15:30Z) or epoch milliseconds, got '2026-11-20T10:15:30'",
            "timestamp out of range | {'sensor_id':'s-1','temperature':1,'ts':253402300800000} | field 'ts': '253402300800000' is outside years 1 to 9999",
            "duplicate field | {'sensor_id':'s-1','sensor_id':'s-2','temperature':1,'ts':1} | field 'sensor_id': appears more than once",
            "not an object | [1,2] | not a JSON object",
            "trailing content | {'sensor_id':'s-1','temperature':1,'ts':1} {} | malformed JSON: content after the end of the object",
    })
    void rejectsWithAReasonNamingTheField(String name, String payload, String reason) {
        assertThatThrownBy(() -> sensorParser.parse(json(payload)))
                .isInstanceOf(RecordRejectedException.class)
                .hasMessage(reason);
    }

    @Test
    void allowedValuesMatchWholeValuesWhateverTheirSpellingInJson() throws Exception {
        StreamingPipelineSpec spec = Specs.example("sensor-anomalies");
        spec.source.schema.stream().filter(f -> f.name.equals("site")).findFirst().orElseThrow()
                .allowedValues = List.of("north", "süd", "no", "");
        RecordParser parser = new RecordParser(EventSchema.of(spec));
        for (String[] accepted : new String[][] {{"'north'", "north"}, {"'s\\u00fcd'", "süd"}, {"'süd'", "süd"},
                {"'no'", "no"}, {"''", ""}, {"'\\u006eorth'", "north"}}) {
            Row row = parser.parse(json("{'sensor_id':'s-1','site':" + accepted[0] + ",'temperature':1,'ts':1}"));
            assertThat(row.getField(1)).as(accepted[0]).isEqualTo(accepted[1]);
        }
        for (String rejected : new String[] {"nort", "northh", "North", "sud", " no", "no\\u0000"}) {
            assertThatThrownBy(() -> parser.parse(json("{'sensor_id':'s-1','site':'" + rejected + "','temperature':1,'ts':1}")))
                    .as(rejected)
                    .hasMessageStartingWith("field 'site': '")
                    .hasMessageEndingWith("' is not one of [north, süd, no, ]");
        }
    }

    @Test
    void oneParserParsesManyRecordsOfDifferentSizesAlike() throws Exception {
        // Jackson's buffers go back to the parser's pool after each record and are reused by the next.
        for (int i = 0; i < 2_000; i++) {
            String id = "s-" + (i % 1000);
            String site = i % 3 == 0 ? "north" : "south";
            String padding = "x".repeat(i % 7 == 0 ? 20_000 : i % 50);
            Row row = sensorParser.parse(json("{'sensor_id':'" + id + "','site':'" + site + "','temperature':" + (i % 100)
                    + ",'ts':" + i + ",'padding':'" + padding + "'}"));
            assertThat(row.getField(0)).isEqualTo(id);
            assertThat(row.getField(1)).isEqualTo(site);
            assertThat(row.getField(2)).isEqualTo((double) (i % 100));
            assertThat(row.getField(3)).isEqualTo((long) i);
        }
    }

    @Test
    void rejectsMalformedJsonWithItsLocation() {
        assertThatThrownBy(() -> sensorParser.parse(json("{'sensor_id': 's-1', temperature: 1}")))
                .hasMessageStartingWith("malformed JSON: Unexpected character ('t'")
                .hasMessageContaining("at line 1, column");
        assertThatThrownBy(() -> sensorParser.parse(json("{'sensor_id': 's-1'")))
                .hasMessageStartingWith("malformed JSON:");
        assertThatThrownBy(() -> sensorParser.parse(new byte[0])).hasMessage("empty record: no JSON value");
    }

    @Test
    void rejectsLongsOutOfRangeAndNonIntegers() {
        assertThatThrownBy(() -> orderParser.parse(json("{'order_id':'ord-0000abcd','customer_id':'c','status':'paid','amount':1,"
                + "'items':99999999999999999999,'updated_at':0}")))
                .hasMessage("field 'items': '99999999999999999999' is out of the range of a 64-bit integer");
        assertThatThrownBy(() -> orderParser.parse(json("{'order_id':'ord-0000abcd','customer_id':'c','status':'paid','amount':1,"
                + "'items':2.5,'updated_at':0}")))
                .hasMessage("field 'items': expected an integer, got 2.5");
    }

    @Test
    void rejectsWhatPostgresCannotStore() {
        assertThatThrownBy(() -> orderParser.parse(json("{'order_id':'ord-0000abcd','customer_id':'a\\u0000b','status':'paid',"
                + "'amount':1,'updated_at':0}")))
                .hasMessage("field 'customer_id': contains a NUL character, which PostgreSQL text cannot store");
    }

    @Test
    void keyAndEventTimeFieldsMustBePresentEvenWhenNotDeclaredRequired() throws Exception {
        StreamingPipelineSpec spec = Specs.example("sensor-anomalies");
        spec.source.schema.forEach(f -> f.required = false);
        RecordParser parser = new RecordParser(EventSchema.of(spec));
        assertThatThrownBy(() -> parser.parse(json("{'temperature':1,'ts':1}")))
                .hasMessage("field 'sensor_id': required but missing (it is a key or the event-time field)");
        assertThatThrownBy(() -> parser.parse(json("{'sensor_id':'s-1','temperature':1}")))
                .hasMessage("field 'ts': required but missing (it is a key or the event-time field)");
        assertThat(parser.parse(json("{'sensor_id':'s-1','ts':1}")).getField(2)).isNull();
    }
}
