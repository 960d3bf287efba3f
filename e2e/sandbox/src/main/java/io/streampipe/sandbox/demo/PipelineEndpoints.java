package io.streampipe.sandbox.demo;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.streampipe.api.v1alpha1.SecretKeyRef;
import io.streampipe.api.v1alpha1.SourceSpec;
import io.streampipe.api.v1alpha1.SourceSpec.SaslMechanism;
import io.streampipe.api.v1alpha1.SourceSpec.SecurityProtocol;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.source.SaslJaasConfig;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Properties;

/**
 * The pipeline's Kafka and PostgreSQL as the manifest names them, logged in as the pipeline is: with the credentials
 * of the Secrets its {@code credentialsSecretRef}s name, read from the API server. The names (kafka, postgres) resolve
 * through the sandbox's hosts file, which the demo's JVM is given.
 */
final class PipelineEndpoints {
    private final String topic;
    private final Properties kafkaClient;
    private final String jdbcUrl;
    private final Credentials database;
    private final String description;

    private record Credentials(String username, String password) {
    }

    private PipelineEndpoints(String topic, Properties kafkaClient, String jdbcUrl, Credentials database, String description) {
        this.topic = topic;
        this.kafkaClient = kafkaClient;
        this.jdbcUrl = jdbcUrl;
        this.database = database;
        this.description = description;
    }

    /** @throws IllegalArgumentException when the manifest reads a topic pattern, or a Secret or key it names is missing */
    static PipelineEndpoints of(KubernetesClient client, String namespace, StreamingPipelineSpec spec) {
        SourceSpec.KafkaSource kafka = spec.source.kafka;
        if (kafka.topic == null) {
            throw new IllegalArgumentException("spec.source.kafka reads the topic pattern /" + kafka.topicPattern
                    + "/; the demo produces to one topic, so name it in spec.source.kafka.topic");
        }
        Properties kafkaClient = new Properties();
        kafkaClient.put("bootstrap.servers", kafka.bootstrapServers);
        SecurityProtocol protocol = kafka.securityProtocol == null ? SecurityProtocol.PLAINTEXT : kafka.securityProtocol;
        kafkaClient.put("security.protocol", protocol.name());
        String kafkaLogin = protocol.name();
        if (protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL) {
            SaslMechanism mechanism = kafka.saslMechanism == null ? SaslMechanism.PLAIN : kafka.saslMechanism;
            Credentials login = credentials(client, namespace, kafka.credentialsSecretRef, "spec.source.kafka.credentialsSecretRef");
            kafkaClient.put("sasl.mechanism", SaslJaasConfig.mechanismName(mechanism));
            kafkaClient.put("sasl.jaas.config", SaslJaasConfig.of(mechanism, login.username(), login.password()));
            kafkaLogin += ", " + SaslJaasConfig.mechanismName(mechanism) + " as " + login.username()
                    + " from Secret " + kafka.credentialsSecretRef.name;
        }
        String description = kafka.bootstrapServers + " topic " + kafka.topic + " (" + kafkaLogin + ")";
        var postgres = spec.sink.postgres;
        if (postgres == null) { // results on Kafka only: no table to watch
            return new PipelineEndpoints(kafka.topic, kafkaClient, null, new Credentials(null, null),
                    description + ", results to " + spec.sink.kafka.bootstrapServers + " topic " + spec.sink.kafka.topic);
        }
        Credentials database = credentials(client, namespace, postgres.credentialsSecretRef, "spec.sink.postgres.credentialsSecretRef");
        description += ", " + postgres.jdbcUrl + (postgres.credentialsSecretRef == null ? "" : " as " + database.username()
                + " (Secret " + postgres.credentialsSecretRef.name + ")");
        return new PipelineEndpoints(kafka.topic, kafkaClient, postgres.jdbcUrl, database, description);
    }

    String topic() {
        return topic;
    }

    /** For the generator's producer: the bootstrap servers and the pipeline's own security settings. */
    Properties kafkaClient() {
        return kafkaClient;
    }

    Connection newConnection() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, database.username(), database.password());
    }

    /** {@code kafka:9092 topic sensor-readings (PLAINTEXT), jdbc:postgresql://… as analytics (Secret analytics-db)} */
    String description() {
        return description;
    }

    private static Credentials credentials(KubernetesClient client, String namespace, SecretKeyRef ref, String field) {
        if (ref == null) {
            return new Credentials(null, null);
        }
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.name).get();
        if (secret == null) {
            throw new IllegalArgumentException(field + " names Secret " + namespace + "/" + ref.name + ", which does not exist");
        }
        return new Credentials(value(secret, ref.usernameKey, field), value(secret, ref.passwordKey, field));
    }

    private static String value(Secret secret, String key, String field) {
        String encoded = secret.getData() == null ? null : secret.getData().get(key);
        if (encoded == null) {
            throw new IllegalArgumentException(field + ": Secret " + secret.getMetadata().getName() + " has no key " + key);
        }
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }
}
