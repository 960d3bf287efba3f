package io.streampipe.api;

import io.streampipe.api.v1alpha1.CheckpointingSpec;
import io.streampipe.api.v1alpha1.KafkaSinkSpec;
import io.streampipe.api.v1alpha1.SourceSpec.SecurityProtocol;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * {@link SpecValidator}'s rules for {@code spec.sink.kafka} and the side outputs on topics: the CEL rules of
 * {@link KafkaSinkSpec}, {@code SinkSpec}, {@code TableRef}, {@code LateDataSpec} and the cross-field ones on
 * {@link StreamingPipelineSpec}, in Java.
 */
final class KafkaSinkRules {
    private KafkaSinkRules() {
    }

    static void check(StreamingPipelineSpec spec, List<String> problems) {
        boolean postgres = spec.sink != null && spec.sink.postgres != null;
        KafkaSinkSpec kafka = spec.sink == null ? null : spec.sink.kafka;
        String deadTable = spec.deadLetter == null ? null : spec.deadLetter.table;
        String deadTopic = spec.deadLetter == null ? null : spec.deadLetter.topic;
        String lateTopic = spec.lateData == null ? null : spec.lateData.topic;
        if (deadTable != null && !postgres) {
            problems.add("spec.deadLetter.table needs spec.sink.postgres, whose database holds it; with only spec.sink.kafka use spec.deadLetter.topic");
        }
        if (deadTopic != null && kafka == null) {
            problems.add("spec.deadLetter.topic needs spec.sink.kafka, whose cluster it is written to");
        }
        if (spec.lateData != null && spec.lateData.table != null && !postgres) {
            problems.add("spec.lateData.table needs spec.sink.postgres, whose database holds it; with only spec.sink.kafka use spec.lateData.topic");
        }
        if (lateTopic != null && kafka == null) {
            problems.add("spec.lateData.topic needs spec.sink.kafka, whose cluster it is written to");
        }
        if (lateTopic != null && lateTopic.equals(deadTopic)) {
            problems.add("spec.deadLetter.topic must differ from spec.lateData.topic");
        }
        if (kafka == null) {
            return;
        }
        if (kafka.bootstrapServers == null || kafka.bootstrapServers.isBlank()) {
            problems.add("spec.sink.kafka.bootstrapServers is required");
        }
        if (kafka.topic == null || kafka.topic.isBlank()) {
            problems.add("spec.sink.kafka.topic is required");
        } else {
            if (kafka.topic.equals(deadTopic)) {
                problems.add("spec.deadLetter.topic must differ from spec.sink.kafka.topic: rejected records have fields of their own");
            }
            if (kafka.topic.equals(lateTopic)) {
                problems.add("spec.lateData.topic must differ from spec.sink.kafka.topic: late events have fields of their own");
            }
            var source = spec.source == null ? null : spec.source.kafka;
            if (source != null && kafka.topic.equals(source.topic) && Objects.equals(kafka.bootstrapServers, source.bootstrapServers)) {
                problems.add("spec.sink.kafka.topic must differ from spec.source.kafka.topic on the same cluster: the job would read its own results");
            }
        }
        security(kafka, problems);
        if (kafka.properties != null) {
            kafka.properties.keySet().stream().sorted().forEach(key -> {
                if (key.toLowerCase().contains("password") || key.toLowerCase().contains("jaas")) {
                    problems.add("spec.sink.kafka.properties." + key + " must not carry secrets: use credentialsSecretRef");
                } else if (KafkaSinkSpec.KEYS_FROM_SPEC.contains(key)) {
                    problems.add("spec.sink.kafka.properties." + key + " must not be set here: delivery and transactionTimeout set it");
                }
            });
        }
        boolean exactlyOnce = kafka.delivery == null || kafka.delivery == KafkaSinkSpec.Delivery.EXACTLY_ONCE;
        if (exactlyOnce && spec.checkpointing != null && spec.checkpointing.mode == CheckpointingSpec.Mode.AT_LEAST_ONCE) {
            problems.add("spec.sink.kafka.delivery exactly-once needs spec.checkpointing.mode exactly-once: without aligned"
                    + " barriers a transaction can hold records that the restored job computes again");
        }
        if (kafka.transactionTimeout != null) {
            try {
                Duration timeout = Durations.parse("spec.sink.kafka.transactionTimeout", kafka.transactionTimeout);
                if (timeout.compareTo(Duration.ofMinutes(1)) < 0) {
                    problems.add("spec.sink.kafka.transactionTimeout must be at least 1m: a transaction stays open from one"
                            + " checkpoint until the next one completes");
                } else if (spec.checkpointing != null && spec.checkpointing.interval != null
                        && timeout.compareTo(Durations.parse("spec.checkpointing.interval", spec.checkpointing.interval)) <= 0) {
                    problems.add("spec.sink.kafka.transactionTimeout must be longer than spec.checkpointing.interval: a"
                            + " transaction stays open from one checkpoint until the next one completes");
                }
            } catch (IllegalArgumentException malformed) {
                problems.add(malformed.getMessage());
            }
        }
    }

    private static void security(KafkaSinkSpec kafka, List<String> problems) {
        boolean sasl = kafka.securityProtocol == SecurityProtocol.SASL_PLAINTEXT || kafka.securityProtocol == SecurityProtocol.SASL_SSL;
        if (kafka.saslMechanism != null && !sasl) {
            problems.add("spec.sink.kafka.saslMechanism applies only when securityProtocol is SASL_PLAINTEXT or SASL_SSL");
        }
        if (kafka.credentialsSecretRef != null && !sasl) {
            problems.add("spec.sink.kafka.credentialsSecretRef is used only when securityProtocol is SASL_PLAINTEXT or SASL_SSL;"
                    + " with PLAINTEXT or SSL the credentials would be ignored");
        }
        if (sasl && kafka.credentialsSecretRef == null) {
            problems.add("spec.sink.kafka.credentialsSecretRef is required when securityProtocol is SASL_PLAINTEXT or SASL_SSL");
        }
    }
}
