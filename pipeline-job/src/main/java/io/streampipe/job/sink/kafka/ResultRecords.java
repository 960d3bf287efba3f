package io.streampipe.job.sink.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.streampipe.job.schema.ResultSchema;
import io.streampipe.job.schema.ResultSchema.Column;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A result row as a Kafka record: the key is the row's primary key as a JSON object (the keyBy fields, plus
 * {@code window_start} when windowed), the value the row as a JSON object with the result table's columns in table
 * order, timestamps as ISO-8601 strings. A {@code DELETE} row (a late firing that no longer passes {@code having}, a
 * session merged into another) is a tombstone: the key with a null value. So a late firing is a new record with the
 * same key, and a compacted topic keeps exactly the rows the table holds. The table's guard column {@code _events}
 * is not part of the value: it exists for the table's conditional upsert, which a topic has no equivalent of.
 */
public final class ResultRecords implements KafkaRecordSerializationSchema<Row> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final List<Column> columns;
    private final int[] keyIndexes;
    private final int[] valueIndexes;
    private transient JsonFactory json;

    public ResultRecords(String topic, ResultSchema result) {
        this.topic = topic;
        this.columns = result.columns();
        this.keyIndexes = result.primaryKeyIndexes();
        this.valueIndexes = IntStream.range(0, columns.size()).filter(i -> i != result.eventsIndex()).toArray();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Row row, KafkaSinkContext context, Long timestamp) {
        byte[] value = row.getKind() == RowKind.DELETE ? null : json(row, valueIndexes);
        return new ProducerRecord<>(topic, null, null, json(row, keyIndexes), value);
    }

    private byte[] json(Row row, int[] indexes) {
        if (json == null) {
            json = new JsonFactory();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 16 * indexes.length);
        try (JsonGenerator out = json.createGenerator(bytes)) {
            out.writeStartObject();
            for (int index : indexes) {
                Column column = columns.get(index);
                Object value = row.getField(index);
                out.writeFieldName(column.name());
                if (value == null) {
                    out.writeNull();
                    continue;
                }
                switch (column.type()) {
                    case TEXT -> out.writeString((String) value);
                    case BIGINT -> out.writeNumber(((Number) value).longValue());
                    case DOUBLE -> out.writeNumber(((Number) value).doubleValue());
                    case BOOLEAN -> out.writeBoolean((Boolean) value);
                    case TIMESTAMPTZ -> out.writeString(Instant.ofEpochMilli((Long) value).toString());
                }
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
