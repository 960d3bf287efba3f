package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.ArrayList;
import java.util.List;

/** Where events come from and what they look like. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.schema.all(f, self.schema.exists_one(g, g.name == f.name))",
        message = "source.schema: field names must be unique")
@ValidationRule(value = "!has(self.eventTime) || self.schema.exists(f, f.name == self.eventTime.field && (f.type == 'timestamp' || f.type == 'long'))",
        message = "source.eventTime.field must name a field of source.schema of type timestamp or long (epoch millis)")
public class SourceSpec {
    @Required
    @JsonPropertyDescription("The Kafka topic (or topic pattern) to read, and how to connect.")
    public KafkaSource kafka;

    @JsonPropertyDescription("Where reading starts when the job has no state to restore offsets from. Default: earliest.")
    public StartingOffsets startingOffsets = new StartingOffsets();

    @Default("json")
    @JsonPropertyDescription("Encoding of the record values. Only json is supported.")
    public Format format = Format.JSON;

    @Required
    @Size(min = 1, max = 64)
    @JsonPropertyDescription("The declared fields of an event. Records that do not match go to the dead-letter table.")
    public List<SchemaField> schema = new ArrayList<>();

    @JsonPropertyDescription("Event time: which field carries it, how out of order events may be, when a quiet partition stops holding back the watermark. Required when a window is declared.")
    public EventTime eventTime;

    public enum Format {
        @JsonProperty("json") JSON
    }

    /** Connection to Kafka. Secrets come from credentialsSecretRef, never from properties. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "has(self.topic) != has(self.topicPattern)",
            message = "source.kafka: set exactly one of topic or topicPattern")
    @ValidationRule(value = "!has(self.properties) || self.properties.all(k, !k.lowerAscii().contains('password') && !k.lowerAscii().contains('jaas'))",
            message = "source.kafka.properties must not carry secrets (password, jaas): use credentialsSecretRef")
    @ValidationRule(value = "!(self.securityProtocol in ['SASL_PLAINTEXT', 'SASL_SSL']) || has(self.credentialsSecretRef)",
            message = "source.kafka.credentialsSecretRef is required when securityProtocol is SASL_PLAINTEXT or SASL_SSL")
    @ValidationRule(value = "!has(self.saslMechanism) || self.securityProtocol in ['SASL_PLAINTEXT', 'SASL_SSL']",
            message = "source.kafka.saslMechanism applies only when securityProtocol is SASL_PLAINTEXT or SASL_SSL")
    @ValidationRule(value = "!has(self.credentialsSecretRef) || self.securityProtocol in ['SASL_PLAINTEXT', 'SASL_SSL']",
            message = "source.kafka.credentialsSecretRef is used only when securityProtocol is SASL_PLAINTEXT or SASL_SSL; with PLAINTEXT or SSL the credentials would be ignored")
    public static class KafkaSource {
        @Required
        @Pattern("^[^,\\s]+:[0-9]+(,[^,\\s]+:[0-9]+)*$")
        @JsonPropertyDescription("Comma-separated host:port list of Kafka brokers.")
        public String bootstrapServers;

        @Pattern("^[a-zA-Z0-9._-]{1,249}$")
        @JsonPropertyDescription("Topic to read. Exactly one of topic or topicPattern.")
        public String topic;

        @JsonPropertyDescription("Java regular expression of topics to read. Exactly one of topic or topicPattern.")
        public String topicPattern;

        @Required
        @Pattern("^[a-zA-Z0-9._-]{1,249}$")
        @JsonPropertyDescription("Consumer group id. Offsets are committed to it on every completed checkpoint.")
        public String groupId;

        @Default("PLAINTEXT")
        @JsonPropertyDescription("Kafka security protocol.")
        public SecurityProtocol securityProtocol = SecurityProtocol.PLAINTEXT;

        @JsonPropertyDescription("SASL mechanism, when the protocol is SASL_*. Default: PLAIN.")
        public SaslMechanism saslMechanism;

        @JsonPropertyDescription("Secret holding the SASL username and password.")
        public SecretKeyRef credentialsSecretRef;

        @Size(max = 64)
        @JsonPropertyDescription("Extra Kafka consumer properties (no secrets).")
        public java.util.Map<String, String> properties;
    }

    public enum SecurityProtocol { PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL }

    public enum SaslMechanism {
        @JsonProperty("PLAIN") PLAIN,
        @JsonProperty("SCRAM-SHA-256") SCRAM_SHA_256,
        @JsonProperty("SCRAM-SHA-512") SCRAM_SHA_512
    }

    /** Where reading starts when there is no restored state. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "self.policy != 'timestamp' || has(self.timestamp)",
            message = "source.startingOffsets.timestamp is required when policy is timestamp")
    @ValidationRule(value = "self.policy == 'timestamp' || !has(self.timestamp)",
            message = "source.startingOffsets.timestamp is only allowed when policy is timestamp")
    public static class StartingOffsets {
        @Default("earliest")
        @JsonPropertyDescription("earliest, latest, committed (the group's committed offsets, else committedFallback) or timestamp.")
        public OffsetPolicy policy = OffsetPolicy.EARLIEST;

        @Pattern(Patterns.TIMESTAMP)
        @JsonPropertyDescription("RFC 3339 instant, e.g. 2026-11-20T00:00:00Z; required when policy is timestamp.")
        public String timestamp;

        @Default("earliest")
        @JsonPropertyDescription("With policy committed: where to start on a partition the group has no committed offset for.")
        public OffsetFallback committedFallback = OffsetFallback.EARLIEST;
    }

    public enum OffsetPolicy {
        @JsonProperty("earliest") EARLIEST,
        @JsonProperty("latest") LATEST,
        @JsonProperty("committed") COMMITTED,
        @JsonProperty("timestamp") TIMESTAMP
    }

    public enum OffsetFallback {
        @JsonProperty("earliest") EARLIEST,
        @JsonProperty("latest") LATEST
    }

    /** One declared field of an event. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "!(has(self.min) || has(self.max)) || self.type in ['long', 'double']",
            message = "source.schema[].min and max apply only to long and double fields")
    @ValidationRule(value = "!(has(self.pattern) || has(self.allowedValues)) || self.type == 'string'",
            message = "source.schema[].pattern and allowedValues apply only to string fields")
    @ValidationRule(value = "!has(self.min) || !has(self.max) || self.min <= self.max",
            message = "source.schema[].min must be <= max")
    public static class SchemaField {
        @Required
        @Pattern(Patterns.IDENTIFIER)
        @Size(max = 63)
        @JsonPropertyDescription("JSON property name, also the column name: lower case letters, digits and _, at most 63 characters.")
        public String name;

        @Required
        @JsonPropertyDescription("string, long, double, boolean, or timestamp (ISO-8601 string or epoch millis).")
        public FieldType type;

        @JsonPropertyDescription("A record without this field (or with null) is rejected.")
        public boolean required;

        @JsonPropertyDescription("Smallest allowed value (long and double).")
        public Double min;

        @JsonPropertyDescription("Largest allowed value (long and double).")
        public Double max;

        @JsonPropertyDescription("Java regular expression the whole string must match.")
        public String pattern;

        @Size(max = 256)
        @JsonPropertyDescription("The only values a string may take.")
        public List<@Size(max = 256) String> allowedValues;

        public SchemaField() {
        }

        public SchemaField(String name, FieldType type, boolean required) {
            this.name = name;
            this.type = type;
            this.required = required;
        }
    }

    public enum FieldType {
        @JsonProperty("string") STRING,
        @JsonProperty("long") LONG,
        @JsonProperty("double") DOUBLE,
        @JsonProperty("boolean") BOOLEAN,
        @JsonProperty("timestamp") TIMESTAMP
    }

    /** Event-time settings. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class EventTime {
        @Required
        @Pattern(Patterns.IDENTIFIER)
        @Size(max = 63)
        @JsonPropertyDescription("Field of the schema that carries the event time (timestamp or long epoch millis).")
        public String field;

        @Default("5s")
        @Pattern(Patterns.DURATION)
        @JsonPropertyDescription("Bounded out-of-orderness of the watermark, e.g. 15s.")
        public String maxOutOfOrderness = "5s";

        @Pattern(Patterns.DURATION)
        @JsonPropertyDescription("After this long without events a partition is idle and stops holding back the watermark, e.g. 1m. Every partition holds it back from the moment the job starts reading it, so that a backlog on one partition is never judged late against another read first; without idleTimeout, a partition that gets no events (one empty from the start included) holds the watermark, and windows do not close.")
        public String idleTimeout;
    }
}
