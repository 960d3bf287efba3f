package io.streampipe.job.source;

import io.streampipe.api.v1alpha1.OffsetResetSpec;
import io.streampipe.api.v1alpha1.SourceSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.SourceSpec.OffsetFallback;
import io.streampipe.api.v1alpha1.SourceSpec.OffsetPolicy;
import io.streampipe.api.v1alpha1.SourceSpec.SaslMechanism;
import io.streampipe.job.Specs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaSourcesTest {
    @Test
    void plaintextPropertiesCommitOnCheckpointsAndKeepExtras() {
        SourceSpec.KafkaSource kafka = Specs.example("sensor-anomalies").source.kafka;
        kafka.properties = Map.of("max.poll.records", "100", "security.protocol", "SSL");
        Properties properties = KafkaSources.consumerProperties(kafka);
        assertThat(properties).containsEntry("commit.offsets.on.checkpoint", "true")
                .containsEntry("security.protocol", "PLAINTEXT")
                .containsEntry("max.poll.records", "100")
                .doesNotContainKey("sasl.jaas.config");
    }

    @Test
    void saslJaasConfigIsAReferenceResolvedInsideTheKafkaClient() {
        SourceSpec.KafkaSource kafka = Specs.example("orders-upsert").source.kafka;
        Properties properties = KafkaSources.consumerProperties(kafka);
        assertThat(properties).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "${streampipe-env:SCRAM_SHA_512}")
                .containsEntry("config.providers", "streampipe-env");
        assertThat(properties.toString()).doesNotContainIgnoringCase("password=");

        // Kafka's own config parsing calls our provider, which reads the environment (unset here).
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
        properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        assertThatThrownBy(() -> new ConsumerConfig(properties))
                .hasStackTraceContaining("Environment variable STREAMPIPE_KAFKA_USERNAME is not set");
    }

    @Test
    void providerBuildsTheJaasConfigFromTheEnvironment() {
        Map<String, String> env = Map.of("STREAMPIPE_KAFKA_USERNAME", "reader", "STREAMPIPE_KAFKA_PASSWORD", "s3\"cr\\et");
        var provider = new EnvCredentialsConfigProvider(env::get);
        assertThat(provider.get("", java.util.Set.of("SCRAM_SHA_256")).data()).containsEntry("SCRAM_SHA_256",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"reader\" password=\"s3\\\"cr\\\\et\";");
        assertThat(SaslJaasConfig.of(SaslMechanism.PLAIN, "u", "p"))
                .isEqualTo("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";");
    }

    /** The Kafka sink's login is under the path "sink": its own variables, never the source's. */
    @Test
    void providerReadsTheSinksCredentialsUnderItsPath() {
        Map<String, String> env = Map.of("STREAMPIPE_KAFKA_SINK_USERNAME", "writer", "STREAMPIPE_KAFKA_SINK_PASSWORD", "pw",
                "STREAMPIPE_KAFKA_USERNAME", "reader", "STREAMPIPE_KAFKA_PASSWORD", "other");
        var provider = new EnvCredentialsConfigProvider(env::get);
        assertThat(provider.get(EnvCredentialsConfigProvider.SINK, java.util.Set.of("PLAIN")).data()).containsEntry("PLAIN",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"writer\" password=\"pw\";");
        assertThat(provider.get("", java.util.Set.of("PLAIN")).data().get("PLAIN")).contains("username=\"reader\"");
        assertThatThrownBy(() -> new EnvCredentialsConfigProvider(Map.<String, String>of()::get)
                .get(EnvCredentialsConfigProvider.SINK, java.util.Set.of("PLAIN")))
                .hasMessage("Environment variable STREAMPIPE_KAFKA_SINK_USERNAME is not set: SASL needs the Kafka credentials"
                        + " (spec.sink.kafka.credentialsSecretRef)");
    }

    @Test
    void startingOffsetPolicies() {
        SourceSpec.StartingOffsets offsets = new SourceSpec.StartingOffsets();
        offsets.policy = OffsetPolicy.EARLIEST;
        assertThat(KafkaSources.startingOffsets(offsets).getAutoOffsetResetStrategy()).isEqualTo(OffsetResetStrategy.EARLIEST);
        offsets.policy = OffsetPolicy.LATEST;
        assertThat(KafkaSources.startingOffsets(offsets).getAutoOffsetResetStrategy()).isEqualTo(OffsetResetStrategy.LATEST);
        offsets.policy = OffsetPolicy.COMMITTED;
        offsets.committedFallback = OffsetFallback.LATEST;
        assertThat(KafkaSources.startingOffsets(offsets).getAutoOffsetResetStrategy()).isEqualTo(OffsetResetStrategy.LATEST);
        offsets.committedFallback = OffsetFallback.EARLIEST;
        assertThat(KafkaSources.startingOffsets(offsets).getAutoOffsetResetStrategy()).isEqualTo(OffsetResetStrategy.EARLIEST);
        offsets.policy = OffsetPolicy.TIMESTAMP;
        offsets.timestamp = "2026-11-20T00:00:00Z";
        assertThat(KafkaSources.startingOffsets(offsets).getClass().getSimpleName()).isEqualTo("TimestampOffsetsInitializer");
    }

    @Test
    void anEpochBegunByAnOffsetResetStartsWhereTheResetSays() {
        StreamingPipelineSpec spec = Specs.example("orders-upsert");
        spec.source.startingOffsets.policy = OffsetPolicy.EARLIEST;
        spec.offsetReset = new OffsetResetSpec();
        spec.offsetReset.token = "reset-7";
        spec.offsetReset.to = OffsetResetSpec.Target.LATEST;

        assertThat(KafkaSources.startingOffsets(spec, "reset-7").getAutoOffsetResetStrategy())
                .as("the reset's own epoch").isEqualTo(OffsetResetStrategy.LATEST);
        assertThat(KafkaSources.startingOffsets(spec, "0").getAutoOffsetResetStrategy())
                .as("an epoch the reset did not begin keeps the spec's policy").isEqualTo(OffsetResetStrategy.EARLIEST);

        spec.offsetReset.to = OffsetResetSpec.Target.TIMESTAMP;
        spec.offsetReset.timestamp = "2026-11-20T00:00:00Z";
        assertThat(KafkaSources.startingOffsets(spec, "reset-7").getClass().getSimpleName()).isEqualTo("TimestampOffsetsInitializer");
    }
}
