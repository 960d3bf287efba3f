package io.streampipe.job.sink.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.streampipe.job.parse.Reject;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * A rejected record on the dead-letter topic: the dead-letter table's columns as a JSON object (topic, partition,
 * offset, payload, reason, kafka_timestamp, rejected_at; timestamps ISO-8601), with no key.
 */
public final class RejectRecords implements KafkaRecordSerializationSchema<Reject> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private transient JsonFactory json;

    public RejectRecords(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Reject reject, KafkaSinkContext context, Long timestamp) {
        if (json == null) {
            json = new JsonFactory();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator out = json.createGenerator(bytes)) {
            out.writeStartObject();
            out.writeStringField("topic", reject.topic);
            out.writeNumberField("partition", reject.partition);
            out.writeNumberField("offset", reject.offset);
            out.writeStringField("payload", reject.payload);
            out.writeStringField("reason", reject.reason);
            out.writeStringField("kafka_timestamp", reject.kafkaTimestamp < 0 ? null : Instant.ofEpochMilli(reject.kafkaTimestamp).toString());
            out.writeStringField("rejected_at", Instant.ofEpochMilli(reject.rejectedAt).toString());
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ProducerRecord<>(topic, null, null, null, bytes.toByteArray());
    }
}
