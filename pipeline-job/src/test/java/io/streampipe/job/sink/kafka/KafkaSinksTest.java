package io.streampipe.job.sink.kafka;

import io.streampipe.api.v1alpha1.KafkaSinkSpec;
import io.streampipe.api.v1alpha1.SecretKeyRef;
import io.streampipe.api.v1alpha1.SourceSpec.SaslMechanism;
import io.streampipe.api.v1alpha1.SourceSpec.SecurityProtocol;
import io.streampipe.job.Specs;
import io.streampipe.job.parse.Reject;
import io.streampipe.job.schema.ResultSchema;
import io.streampipe.job.sink.kafka.KafkaSinks.Output;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaSinksTest {
    private static KafkaSinkSpec kafka() {
        KafkaSinkSpec kafka = new KafkaSinkSpec();
        kafka.bootstrapServers = "kafka:9092";
        kafka.topic = "sensor-alerts";
        return kafka;
    }

    /** The connector's default transaction timeout (1 h) exceeds brokers' default maximum (15 min): ours never applies. */
    @Test
    void theTransactionTimeoutIsAlwaysTheSpecs() {
        KafkaSinkSpec kafka = kafka();
        kafka.properties = Map.of("compression.type", "lz4");
        assertThat(KafkaSinks.producerProperties(kafka)).containsEntry("transaction.timeout.ms", "600000")
                .containsEntry("compression.type", "lz4").containsEntry("security.protocol", "PLAINTEXT")
                .doesNotContainKey("sasl.jaas.config");
        kafka.transactionTimeout = "14m30s";
        assertThat(KafkaSinks.producerProperties(kafka)).containsEntry("transaction.timeout.ms", "870000");
    }

    @Test
    void transactionalIdsAreStablePerPipelineAndDistinctPerOutput() {
        assertThat(KafkaSinks.transactionalIdPrefix("analytics/sensor-anomalies", Output.RESULTS))
                .isEqualTo("streampipe/analytics/sensor-anomalies/results");
        assertThat(KafkaSinks.transactionalIdPrefix("analytics/sensor-anomalies", Output.DEAD_LETTER))
                .isEqualTo("streampipe/analytics/sensor-anomalies/dead-letter");
        assertThat(KafkaSinks.transactionalIdPrefix("analytics/sensor-anomalies", Output.LATE_DATA))
                .isEqualTo("streampipe/analytics/sensor-anomalies/late-data");
        assertThatThrownBy(() -> KafkaSinks.transactionalIdPrefix(null, Output.RESULTS)).hasMessageContaining("--pipeline");
    }

    /** The sink's SASL login is its own: a reference to the STREAMPIPE_KAFKA_SINK_* variables, resolved in the client. */
    @Test
    void saslJaasConfigIsAReferenceToTheSinksOwnCredentials() {
        KafkaSinkSpec kafka = kafka();
        kafka.securityProtocol = SecurityProtocol.SASL_SSL;
        kafka.saslMechanism = SaslMechanism.SCRAM_SHA_256;
        kafka.credentialsSecretRef = new SecretKeyRef("alerts-writer");
        Properties properties = KafkaSinks.producerProperties(kafka);
        assertThat(properties).containsEntry("sasl.mechanism", "SCRAM-SHA-256")
                .containsEntry("sasl.jaas.config", "${streampipe-env:sink:SCRAM_SHA_256}");

        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        assertThatThrownBy(() -> new ProducerConfig(properties))
                .hasStackTraceContaining("Environment variable STREAMPIPE_KAFKA_SINK_USERNAME is not set")
                .hasStackTraceContaining("spec.sink.kafka.credentialsSecretRef");
    }

    @Test
    void aWindowedRowIsAJsonRecordKeyedByItsPrimaryKeyAndADeleteIsATombstone() {
        StreamingPipelineSpec spec = Specs.example("sensor-anomalies");
        ResultRecords records = new ResultRecords("sensor-alerts", ResultSchema.of(spec));
        long start = Instant.parse("2026-11-20T10:00:00Z").toEpochMilli();
        Row row = Row.ofKind(RowKind.INSERT, "s-1", start, start + 300_000, 46.5, 50.0, 12L);

        ProducerRecord<byte[], byte[]> record = records.serialize(row, null, null);
        assertThat(record.topic()).isEqualTo("sensor-alerts");
        assertThat(record.partition()).isNull();
        assertThat(text(record.key())).isEqualTo("{\"sensor_id\":\"s-1\",\"window_start\":\"2026-11-20T10:00:00Z\"}");
        assertThat(text(record.value())).isEqualTo("{\"sensor_id\":\"s-1\",\"window_start\":\"2026-11-20T10:00:00Z\","
                + "\"window_end\":\"2026-11-20T10:05:00Z\",\"avg_temp\":46.5,\"max_temp\":50.0,\"readings\":12}");

        ProducerRecord<byte[], byte[]> tombstone = records.serialize(Row.ofKind(RowKind.DELETE, "s-1", start, start + 300_000, null, null, null), null, null);
        assertThat(tombstone.key()).isEqualTo(record.key());
        assertThat(tombstone.value()).isNull();
    }

    @Test
    void aRowWithoutAWindowIsKeyedByTheKeyByFieldsAndNullsStayNull() {
        StreamingPipelineSpec spec = Specs.example("orders-upsert");
        ResultSchema schema = ResultSchema.of(spec);
        Object[] fields = new Object[schema.columns().size()];
        fields[schema.indexOf("order_id")] = "ord-0000002a";
        Row row = Row.of(fields);
        ProducerRecord<byte[], byte[]> record = new ResultRecords("orders-latest", schema).serialize(row, null, null);
        assertThat(text(record.key())).isEqualTo("{\"order_id\":\"ord-0000002a\"}");
        assertThat(text(record.value())).startsWith("{").contains("\"order_id\":\"ord-0000002a\"").doesNotContain("\"null\"");
    }

    @Test
    void aRejectIsItsDeadLetterColumnsAsJson() {
        Reject reject = new Reject("sensor-readings", 2, 41, -1, Instant.parse("2026-11-20T10:00:01Z").toEpochMilli(),
                "{\"sensor_id\": 7", "malformed JSON");
        ProducerRecord<byte[], byte[]> record = new RejectRecords("sensor-rejects").serialize(reject, null, null);
        assertThat(record.key()).isNull();
        assertThat(text(record.value())).isEqualTo("{\"topic\":\"sensor-readings\",\"partition\":2,\"offset\":41,"
                + "\"payload\":\"{\\\"sensor_id\\\": 7\",\"reason\":\"malformed JSON\",\"kafka_timestamp\":null,"
                + "\"rejected_at\":\"2026-11-20T10:00:01Z\"}");
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
