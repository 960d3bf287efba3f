package io.streampipe.job.sink.kafka;

import io.streampipe.api.Durations;
import io.streampipe.api.JobContract;
import io.streampipe.api.v1alpha1.KafkaSinkSpec;
import io.streampipe.api.v1alpha1.SourceSpec.SaslMechanism;
import io.streampipe.api.v1alpha1.SourceSpec.SecurityProtocol;
import io.streampipe.job.source.EnvCredentialsConfigProvider;
import io.streampipe.job.source.SaslJaasConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.util.Properties;

/**
 * Builds the job's Kafka sinks from {@code spec.sink.kafka}: the results, and the dead-letter and late-data topics
 * when the spec sends them there. All of them write with the spec's delivery, to the same cluster, as the same user.
 */
public final class KafkaSinks {
    /** What each sink of a pipeline writes: part of its transactional ids, so the sinks never fence each other. */
    public enum Output { RESULTS, DEAD_LETTER, LATE_DATA }

    private KafkaSinks() {
    }

    /**
     * @param pipeline {@code <namespace>/<name>} ({@link JobContract#ARG_PIPELINE}); the transactional ids derive
     *                 from it, so that a restored job finds the transactions its predecessor left open
     */
    public static <T> KafkaSink<T> of(KafkaSinkSpec kafka, String pipeline, Output output,
                                      KafkaRecordSerializationSchema<T> records) {
        boolean exactlyOnce = kafka.delivery != KafkaSinkSpec.Delivery.AT_LEAST_ONCE;
        var builder = KafkaSink.<T>builder()
                .setKafkaProducerConfig(producerProperties(kafka))
                .setBootstrapServers(kafka.bootstrapServers)
                .setRecordSerializer(records)
                .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE);
        if (exactlyOnce) {
            builder.setTransactionalIdPrefix(transactionalIdPrefix(pipeline, output));
        }
        return builder.build();
    }

    /**
     * {@code streampipe/<namespace>/<name>/<output>}: stable across upgrades, restarts and rescales of one pipeline,
     * distinct between pipelines and between a pipeline's sinks. Flink appends the subtask and checkpoint.
     */
    public static String transactionalIdPrefix(String pipeline, Output output) {
        if (pipeline == null || pipeline.isBlank()) {
            throw new IllegalArgumentException("spec.sink.kafka with delivery exactly-once needs the pipeline's name for its"
                    + " transactional ids: start the job with " + JobContract.ARG_PIPELINE + " <namespace>/<name>");
        }
        return "streampipe/" + pipeline + "/" + output.name().toLowerCase().replace('_', '-');
    }

    /**
     * What a client other than the producer (the job's topic check, the sandbox's reader of the sink topic) needs to
     * reach the sink's cluster as the sink's user: the bootstrap servers and the producer properties that are
     * common client settings (security, SASL through the same credentials reference, the config provider), without
     * the producer's own keys, which another client would only warn about.
     */
    public static Properties connectionProperties(KafkaSinkSpec kafka) {
        Properties properties = new Properties();
        producerProperties(kafka).forEach((key, value) -> {
            String name = (String) key;
            if (AdminClientConfig.configNames().contains(name) || name.startsWith("config.providers")) {
                properties.put(name, value);
            }
        });
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers);
        return properties;
    }

    /**
     * Producer properties: the spec's extra properties first, then ours, which win. {@code transaction.timeout.ms} is
     * always the spec's {@code transactionTimeout}: the connector's own default (1 h) is more than brokers allow by
     * default ({@code transaction.max.timeout.ms}, 15 min), and every transaction would fail to start. For SASL the
     * JAAS config is a reference that {@link EnvCredentialsConfigProvider} resolves from the sink's environment
     * variables inside the Kafka client.
     */
    public static Properties producerProperties(KafkaSinkSpec kafka) {
        Properties properties = new Properties();
        if (kafka.properties != null) {
            properties.putAll(kafka.properties);
        }
        String timeout = kafka.transactionTimeout == null ? KafkaSinkSpec.DEFAULT_TRANSACTION_TIMEOUT : kafka.transactionTimeout;
        properties.setProperty("transaction.timeout.ms",
                Long.toString(Durations.parse("spec.sink.kafka.transactionTimeout", timeout).toMillis()));
        SecurityProtocol protocol = kafka.securityProtocol == null ? SecurityProtocol.PLAINTEXT : kafka.securityProtocol;
        properties.setProperty("security.protocol", protocol.name());
        if (protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL) {
            SaslMechanism mechanism = kafka.saslMechanism == null ? SaslMechanism.PLAIN : kafka.saslMechanism;
            properties.setProperty("sasl.mechanism", SaslJaasConfig.mechanismName(mechanism));
            properties.setProperty("config.providers", EnvCredentialsConfigProvider.NAME);
            properties.setProperty("config.providers." + EnvCredentialsConfigProvider.NAME + ".class",
                    EnvCredentialsConfigProvider.class.getName());
            properties.setProperty("sasl.jaas.config", EnvCredentialsConfigProvider.sinkReference(mechanism));
        }
        return properties;
    }
}
