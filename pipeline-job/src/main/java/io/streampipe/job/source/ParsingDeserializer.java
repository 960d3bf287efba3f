package io.streampipe.job.source;

import io.streampipe.job.parse.RecordParser;
import io.streampipe.job.parse.RecordRejectedException;
import io.streampipe.job.parse.Reject;
import io.streampipe.job.schema.EventSchema;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.types.Either;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;

/**
 * Parses and checks each Kafka record inside the source, so that watermarks are still generated per partition
 * (with idleness) right after it. Every record becomes either an event or a {@link Reject}; none fails the job.
 * Counts {@code recordsAccepted} and {@code recordsRejected}.
 */
public final class ParsingDeserializer implements KafkaRecordDeserializationSchema<Either<Row, Reject>> {
    private static final long serialVersionUID = 1L;
    public static final String ACCEPTED_METRIC = "recordsAccepted";
    public static final String REJECTED_METRIC = "recordsRejected";

    private final EventSchema schema;
    private final RecordParser parser;
    private transient Counter accepted;
    private transient Counter rejected;

    public ParsingDeserializer(EventSchema schema) {
        this.schema = schema;
        this.parser = new RecordParser(schema);
    }

    /** Events as {@link Row}s typed by the schema, rejects as a POJO: no generic (Kryo) types anywhere. */
    public static TypeInformation<Either<Row, Reject>> typeOf(EventSchema schema) {
        return new EitherTypeInfo<>(schema.eventType(), rejectType());
    }

    public static TypeInformation<Reject> rejectType() {
        TypeInformation<Reject> type = TypeInformation.of(Reject.class);
        if (!(type instanceof PojoTypeInfo)) {
            throw new IllegalStateException("Reject must be a Flink POJO, got " + type);
        }
        return type;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        accepted = context.getMetricGroup().counter(ACCEPTED_METRIC);
        rejected = context.getMetricGroup().counter(REJECTED_METRIC);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Either<Row, Reject>> out) {
        Either<Row, Reject> result = convert(record.topic(), record.partition(), record.offset(), record.timestamp(), record.value());
        if (accepted != null) {
            (result.isLeft() ? accepted : rejected).inc();
        }
        out.collect(result);
    }

    /** The whole conversion, without Kafka types, for tests. */
    public Either<Row, Reject> convert(String topic, int partition, long offset, long timestamp, byte[] value) {
        try {
            Row event = parser.parse(value);
            event.setField(schema.topicIndex(), topic);
            event.setField(schema.partitionIndex(), partition);
            event.setField(schema.offsetIndex(), offset);
            return Either.Left(event);
        } catch (RecordRejectedException e) {
            String payload = value == null ? null : new String(value, StandardCharsets.UTF_8).replace('\u0000', '\uFFFD');
            String reason = value == null ? "record has no value (a tombstone)" : e.getMessage();
            return Either.Right(new Reject(topic, partition, offset, timestamp, System.currentTimeMillis(), payload, reason));
        }
    }

    @Override
    public TypeInformation<Either<Row, Reject>> getProducedType() {
        return typeOf(schema);
    }
}
