package io.streampipe.job.source;

import io.streampipe.api.v1alpha1.SourceSpec.SaslMechanism;

/** Builds the {@code sasl.jaas.config} value for a mechanism and credentials, quoting them as JAAS requires. */
public final class SaslJaasConfig {
    private SaslJaasConfig() {
    }

    public static String of(SaslMechanism mechanism, String username, String password) {
        String module = mechanism == SaslMechanism.PLAIN
                ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=" + quoted(username) + " password=" + quoted(password) + ";";
    }

    /** Kafka's mechanism name: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512. */
    public static String mechanismName(SaslMechanism mechanism) {
        return switch (mechanism) {
            case PLAIN -> "PLAIN";
            case SCRAM_SHA_256 -> "SCRAM-SHA-256";
            case SCRAM_SHA_512 -> "SCRAM-SHA-512";
        };
    }

    private static String quoted(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
