package io.streampipe.job.source;

import io.streampipe.api.JobContract;
import io.streampipe.api.Timestamps;
import io.streampipe.api.v1alpha1.OffsetResetSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.SourceSpec;
import io.streampipe.api.v1alpha1.SourceSpec.OffsetFallback;
import io.streampipe.api.v1alpha1.SourceSpec.SaslMechanism;
import io.streampipe.api.v1alpha1.SourceSpec.SecurityProtocol;
import io.streampipe.api.v1alpha1.SourceSpec.StartingOffsets;
import io.streampipe.job.parse.Reject;
import io.streampipe.job.schema.EventSchema;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.types.Either;
import org.apache.flink.types.Row;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.Properties;
import java.util.regex.Pattern;

/** Builds the Kafka source of a pipeline from its spec: topic(s), group, security, starting offsets, parsing. */
public final class KafkaSources {
    private KafkaSources() {
    }

    public static KafkaSource<Either<Row, Reject>> of(SourceSpec source, OffsetsInitializer startingOffsets, EventSchema schema) {
        SourceSpec.KafkaSource kafka = source.kafka;
        // The spec's extra properties first, so that the settings below always win over them.
        KafkaSourceBuilder<Either<Row, Reject>> builder = KafkaSource.<Either<Row, Reject>>builder()
                .setProperties(consumerProperties(kafka))
                .setBootstrapServers(kafka.bootstrapServers)
                .setGroupId(kafka.groupId)
                .setStartingOffsets(startingOffsets)
                .setDeserializer(new ParsingDeserializer(schema));
        if (kafka.topic != null) {
            builder.setTopics(kafka.topic);
        } else {
            builder.setTopicPattern(Pattern.compile(kafka.topicPattern));
        }
        return builder.build();
    }

    /**
     * Where a source without restored offsets starts. A source epoch that is the spec's offset-reset token was begun
     * by that reset ({@link JobContract#ARG_SOURCE_EPOCH}): it starts where the reset says; any other epoch starts at
     * {@code source.startingOffsets}. Either way, a source that restores its offsets from a savepoint ignores this.
     */
    public static OffsetsInitializer startingOffsets(StreamingPipelineSpec spec, String sourceEpoch) {
        OffsetResetSpec reset = spec.offsetReset;
        if (reset == null || !reset.token.equals(sourceEpoch)) {
            return startingOffsets(spec.source.startingOffsets);
        }
        return switch (reset.to) {
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case TIMESTAMP -> OffsetsInitializer.timestamp(Timestamps.parse("spec.offsetReset.timestamp", reset.timestamp).toEpochMilli());
        };
    }

    /** Where a source without restored offsets starts, by the spec's starting-offsets policy. */
    public static OffsetsInitializer startingOffsets(StartingOffsets offsets) {
        if (offsets == null) {
            return OffsetsInitializer.earliest();
        }
        return switch (offsets.policy) {
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case COMMITTED -> OffsetsInitializer.committedOffsets(offsets.committedFallback == OffsetFallback.LATEST
                    ? OffsetResetStrategy.LATEST : OffsetResetStrategy.EARLIEST);
            case TIMESTAMP -> OffsetsInitializer.timestamp(
                    Timestamps.parse("spec.source.startingOffsets.timestamp", offsets.timestamp).toEpochMilli());
        };
    }

    /**
     * Consumer properties: the spec's extra properties first, then ours, which win. For SASL the JAAS config is a
     * reference that {@link EnvCredentialsConfigProvider} resolves from the environment inside the Kafka client.
     */
    public static Properties consumerProperties(SourceSpec.KafkaSource kafka) {
        Properties properties = new Properties();
        if (kafka.properties != null) {
            properties.putAll(kafka.properties);
        }
        properties.setProperty("commit.offsets.on.checkpoint", "true");
        SecurityProtocol protocol = kafka.securityProtocol == null ? SecurityProtocol.PLAINTEXT : kafka.securityProtocol;
        properties.setProperty("security.protocol", protocol.name());
        if (protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL) {
            SaslMechanism mechanism = kafka.saslMechanism == null ? SaslMechanism.PLAIN : kafka.saslMechanism;
            properties.setProperty("sasl.mechanism", SaslJaasConfig.mechanismName(mechanism));
            properties.setProperty("config.providers", EnvCredentialsConfigProvider.NAME);
            properties.setProperty("config.providers." + EnvCredentialsConfigProvider.NAME + ".class",
                    EnvCredentialsConfigProvider.class.getName());
            properties.setProperty("sasl.jaas.config", EnvCredentialsConfigProvider.reference(mechanism));
        }
        return properties;
    }
}
