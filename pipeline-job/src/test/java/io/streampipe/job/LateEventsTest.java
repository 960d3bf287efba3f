package io.streampipe.job;

import io.streampipe.job.late.LateEvent;
import io.streampipe.job.late.LateEvents;
import io.streampipe.job.schema.EventSchema;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class LateEventsTest {
    @Test
    void describesTheEventByItsDeclaredFieldsAndWhereItCameFrom() {
        EventSchema schema = EventSchema.of(Specs.example("sensor-anomalies"));
        long ts = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
        Row event = Row.of("s-1", null, 21.5, ts, "readings", 2, 17L);
        LateEvent late = new LateEvents(schema).describe(event, 1000L);
        assertThat(late.topic).isEqualTo("readings");
        assertThat(late.partition).isEqualTo(2);
        assertThat(late.offset).isEqualTo(17L);
        assertThat(late.eventTime).isEqualTo(ts);
        assertThat(late.eventKey).isEqualTo("{\"sensor_id\":\"s-1\"}");
        assertThat(late.payload).isEqualTo("{\"sensor_id\":\"s-1\",\"site\":null,\"temperature\":21.5,\"ts\":\"2026-11-20T10:00:00Z\"}");
        assertThat(late.receivedAt).isEqualTo(1000L);
    }
}
