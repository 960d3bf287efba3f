package io.streampipe.sandbox.services;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Secrets of a {@link ServicesPlan}, filled with this sandbox's credentials. No client in here. */
final class SandboxSecrets {
    static final Map<String, String> LABELS = Map.of("app.kubernetes.io/managed-by", "streampipe-sandbox");
    private static final String PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private SandboxSecrets() {
    }

    /**
     * The credentials of one sandbox, random per start.
     *
     * @param databasePasswords by database; each database's owner is a role of the database's name
     */
    record Credentials(String kafkaUsername, String kafkaPassword, Map<String, String> databasePasswords) {
        static Credentials random(String kafkaUsername, Iterable<String> databases) {
            Map<String, String> passwords = new LinkedHashMap<>();
            databases.forEach(database -> passwords.put(database, randomPassword()));
            return new Credentials(kafkaUsername, randomPassword(), passwords);
        }

        @Override
        public String toString() {
            return "Credentials{kafkaUsername=" + kafkaUsername + ", databases=" + databasePasswords.keySet() + "}";
        }
    }

    static List<Secret> of(ServicesPlan plan, Credentials credentials, String namespace) {
        return plan.secrets().entrySet().stream().map(secret -> {
            Map<String, String> data = new LinkedHashMap<>();
            secret.getValue().forEach((key, value) -> data.put(key, base64(valueOf(value, credentials))));
            return new SecretBuilder()
                    .withNewMetadata().withName(secret.getKey()).withNamespace(namespace).withLabels(LABELS).endMetadata()
                    .withType("Opaque")
                    .withData(data)
                    .build();
        }).toList();
    }

    /** 24 letters and digits: safe in a JAAS config, a SCRAM format argument and a connection string. */
    static String randomPassword() {
        StringBuilder password = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            password.append(PASSWORD_ALPHABET.charAt(RANDOM.nextInt(PASSWORD_ALPHABET.length())));
        }
        return password.toString();
    }

    private static String valueOf(ServicesPlan.Value value, Credentials credentials) {
        return switch (value.source()) {
            case KAFKA_USERNAME -> credentials.kafkaUsername();
            case KAFKA_PASSWORD -> credentials.kafkaPassword();
            case DATABASE_USERNAME -> value.database();
            case DATABASE_PASSWORD -> credentials.databasePasswords().get(value.database());
            // The stand-in keeps checkpoints on local disk: these keys only have to exist.
            case THROWAWAY -> "sandbox-" + randomPassword();
        };
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }
}
