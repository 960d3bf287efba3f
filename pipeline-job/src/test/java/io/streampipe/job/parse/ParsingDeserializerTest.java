package io.streampipe.job.parse;

import io.streampipe.job.Specs;
import io.streampipe.job.schema.EventSchema;
import io.streampipe.job.source.ParsingDeserializer;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.types.Either;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ParsingDeserializerTest {
    private final EventSchema schema = EventSchema.of(Specs.example("sensor-anomalies"));
    private final ParsingDeserializer deserializer = new ParsingDeserializer(schema);

    @Test
    void acceptedEventsCarryTheirKafkaPosition() {
        Either<Row, Reject> result = deserializer.convert("readings", 3, 42L, 1000L,
                "{\"sensor_id\":\"s-1\",\"temperature\":20.5,\"ts\":5000}".getBytes(StandardCharsets.UTF_8));
        assertThat(result.isLeft()).isTrue();
        Row event = result.left();
        assertThat(event.getField(schema.topicIndex())).isEqualTo("readings");
        assertThat(event.getField(schema.partitionIndex())).isEqualTo(3);
        assertThat(event.getField(schema.offsetIndex())).isEqualTo(42L);
    }

    @Test
    void rejectsKeepTheRawPayloadMadeStorable() {
        byte[] invalidUtf8 = {'{', (byte) 0xC3, 0x00, '}'};
        Reject reject = deserializer.convert("readings", 1, 7L, 1000L, invalidUtf8).right();
        assertThat(reject.payload).isEqualTo("{\uFFFD\uFFFD}");
        assertThat(reject.reason).startsWith("malformed JSON");
        assertThat(reject.topic).isEqualTo("readings");
        assertThat(reject.partition).isEqualTo(1);
        assertThat(reject.offset).isEqualTo(7L);
        assertThat(reject.kafkaTimestamp).isEqualTo(1000L);

        Reject tombstone = deserializer.convert("readings", 1, 8L, 1000L, null).right();
        assertThat(tombstone.payload).isNull();
        assertThat(tombstone.reason).isEqualTo("record has no value (a tombstone)");
    }

    @Test
    void everyTypeHasARealSerializerNotKryo() {
        assertThat(ParsingDeserializer.rejectType()).isInstanceOf(PojoTypeInfo.class);
        ExecutionConfig config = new ExecutionConfig();
        config.disableGenericTypes();
        // Throws UnsupportedOperationException if any nested type would need Kryo.
        assertThat(ParsingDeserializer.typeOf(schema).createSerializer(config.getSerializerConfig())).isNotNull();
    }
}
