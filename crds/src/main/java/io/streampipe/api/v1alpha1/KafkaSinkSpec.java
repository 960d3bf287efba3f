package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.streampipe.api.v1alpha1.SourceSpec.SaslMechanism;
import io.streampipe.api.v1alpha1.SourceSpec.SecurityProtocol;

import java.util.Map;

/**
 * Results as JSON records on a Kafka topic, keyed by the row's primary key. The security fields mean what the source's
 * do; the credentials are the sink's own (another cluster, another user).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.properties) || self.properties.all(k, !k.lowerAscii().contains('password') && !k.lowerAscii().contains('jaas'))",
        message = "sink.kafka.properties must not carry secrets (password, jaas): use credentialsSecretRef")
@ValidationRule(value = "!has(self.properties) || self.properties.all(k, !(k in " + KafkaSinkSpec.KEYS_FROM_SPEC_CEL + "))",
        message = "sink.kafka.properties must not set transactional.id, transaction.timeout.ms, enable.idempotence or the serializers: delivery and transactionTimeout set them")
@ValidationRule(value = "!(self.securityProtocol in ['SASL_PLAINTEXT', 'SASL_SSL']) || has(self.credentialsSecretRef)",
        message = "sink.kafka.credentialsSecretRef is required when securityProtocol is SASL_PLAINTEXT or SASL_SSL")
@ValidationRule(value = "!has(self.saslMechanism) || self.securityProtocol in ['SASL_PLAINTEXT', 'SASL_SSL']",
        message = "sink.kafka.saslMechanism applies only when securityProtocol is SASL_PLAINTEXT or SASL_SSL")
@ValidationRule(value = "!has(self.credentialsSecretRef) || self.securityProtocol in ['SASL_PLAINTEXT', 'SASL_SSL']",
        message = "sink.kafka.credentialsSecretRef is used only when securityProtocol is SASL_PLAINTEXT or SASL_SSL; with PLAINTEXT or SSL the credentials would be ignored")
@ValidationRule(value = "duration(self.transactionTimeout) >= duration('1m')",
        message = "sink.kafka.transactionTimeout must be at least 1m: a transaction stays open from one checkpoint until the next one completes")
public class KafkaSinkSpec {
    /** Producer properties the sink sets from delivery and transactionTimeout; the spec's properties may not. */
    public static final java.util.List<String> KEYS_FROM_SPEC = java.util.List.of("transactional.id",
            "transaction.timeout.ms", "enable.idempotence", "key.serializer", "value.serializer");
    static final String KEYS_FROM_SPEC_CEL = "['transactional.id', 'transaction.timeout.ms', 'enable.idempotence',"
            + " 'key.serializer', 'value.serializer']";
    public static final String DEFAULT_TRANSACTION_TIMEOUT = "10m";

    @Required
    @Pattern("^[^,\\s]+:[0-9]+(,[^,\\s]+:[0-9]+)*$")
    @JsonPropertyDescription("Comma-separated host:port list of the Kafka brokers to write to (may be another cluster than the source's).")
    public String bootstrapServers;

    @Required
    @Pattern(Patterns.KAFKA_TOPIC)
    @JsonPropertyDescription("Topic the results are written to. Each record's key is the row's primary key as a JSON object (the keyBy fields, plus window_start when windowed), its value the row as a JSON object with the result table's columns (timestamps as ISO-8601 strings). A row that is deleted (a late firing no longer passing having, a session merged into another) is a tombstone: its key with a null value, so a compacted topic keeps exactly the current rows.")
    public String topic;

    @Default("exactly-once")
    @JsonPropertyDescription("exactly-once: records are written in Kafka transactions committed when a checkpoint completes, so a read_committed consumer sees each result once, a checkpoint interval after it was computed. at-least-once: records are sent at once and flushed on every checkpoint; after a failure the records since the last checkpoint are written again (same key, same value).")
    public Delivery delivery = Delivery.EXACTLY_ONCE;

    @Default(DEFAULT_TRANSACTION_TIMEOUT)
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("exactly-once: how long the broker keeps an open transaction before aborting it (transaction.timeout.ms). It must exceed the checkpoint interval, and must not exceed the brokers' transaction.max.timeout.ms (15m by default), or the job fails at start. A job that is down longer than this (an upgrade, an outage) loses the results of the checkpoint it was committing: the operator warns when an upgrade's expected downtime comes near it.")
    public String transactionTimeout = DEFAULT_TRANSACTION_TIMEOUT;

    @Default("PLAINTEXT")
    @JsonPropertyDescription("Kafka security protocol.")
    public SecurityProtocol securityProtocol = SecurityProtocol.PLAINTEXT;

    @JsonPropertyDescription("SASL mechanism, when the protocol is SASL_*. Default: PLAIN.")
    public SaslMechanism saslMechanism;

    @JsonPropertyDescription("Secret holding the SASL username and password the sink logs in with.")
    public SecretKeyRef credentialsSecretRef;

    @Size(max = 64)
    @JsonPropertyDescription("Extra Kafka producer properties (no secrets; not the transaction or serializer settings), e.g. compression.type: lz4.")
    public Map<String, String> properties;

    public enum Delivery {
        @JsonProperty("exactly-once") EXACTLY_ONCE,
        @JsonProperty("at-least-once") AT_LEAST_ONCE
    }
}
