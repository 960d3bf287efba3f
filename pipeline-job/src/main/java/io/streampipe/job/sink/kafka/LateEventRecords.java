package io.streampipe.job.sink.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.streampipe.job.late.LateEvent;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A too-late event on the late-data topic: the late-data table's columns as a JSON object (topic, partition, offset,
 * event_time, event_key and payload as JSON objects, received_at), keyed by event_key.
 */
public final class LateEventRecords implements KafkaRecordSerializationSchema<LateEvent> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private transient JsonFactory json;

    public LateEventRecords(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(LateEvent late, KafkaSinkContext context, Long timestamp) {
        if (json == null) {
            json = new JsonFactory();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator out = json.createGenerator(bytes)) {
            out.writeStartObject();
            out.writeStringField("topic", late.topic);
            out.writeNumberField("partition", late.partition);
            out.writeNumberField("offset", late.offset);
            out.writeStringField("event_time", Instant.ofEpochMilli(late.eventTime).toString());
            out.writeFieldName("event_key");
            out.writeRawValue(late.eventKey);
            out.writeFieldName("payload");
            out.writeRawValue(late.payload);
            out.writeStringField("received_at", Instant.ofEpochMilli(late.receivedAt).toString());
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ProducerRecord<>(topic, null, null, late.eventKey.getBytes(StandardCharsets.UTF_8), bytes.toByteArray());
    }
}
