package io.streampipe.sandbox.services;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/** The two files the sandbox's services leave for the rest of the sandbox: the Java hosts file and the env file. */
final class SandboxFiles {
    private SandboxFiles() {
    }

    /**
     * Where the services answer, for the env file.
     *
     * @param kafkaAddress    the loopback {@code ip:port} behind {@code kafka:9092}
     * @param postgresAddress the loopback {@code ip:port} behind {@code postgres:5432}
     */
    record Endpoints(String kafkaAddress, Iterable<String> topics, String postgresAddress, Iterable<String> databases,
                     String secretsNamespace, Iterable<String> secrets, Path hostsFile, Path kafkaLog, Path postgresLog) {
    }

    /** The format of {@code -Djdk.net.hosts.file}: {@code <ip> <name>} a line. */
    static String hostsFile(Map<String, String> addressByName) {
        return "# streampipe sandbox: the names its manifests use, for java -Djdk.net.hosts.file=<this file>\n"
                + addressByName.entrySet().stream()
                .map(name -> name.getValue() + " " + name.getKey())
                .collect(Collectors.joining("\n", "", "\n"));
    }

    /** {@code NAME=value} lines a shell can source; paths and names hold no spaces. No credentials: they are in the Secrets. */
    static String envFile(Endpoints endpoints) {
        return String.join("\n",
                "# streampipe sandbox services, written when all of them served",
                "KAFKA_BOOTSTRAP=" + ServicesPlan.KAFKA_ADDRESS,
                "KAFKA_ADDRESS=" + endpoints.kafkaAddress(),
                "KAFKA_TOPICS=" + String.join(",", endpoints.topics()),
                "POSTGRES_JDBC=jdbc:postgresql://" + ServicesPlan.POSTGRES_ADDRESS + "/",
                "POSTGRES_ADDRESS=" + endpoints.postgresAddress(),
                "POSTGRES_DATABASES=" + String.join(",", endpoints.databases()),
                "SECRETS_NAMESPACE=" + endpoints.secretsNamespace(),
                "SECRETS=" + String.join(",", endpoints.secrets()),
                "HOSTS_FILE=" + endpoints.hostsFile(),
                "JAVA_HOSTS_OPTION=-Djdk.net.hosts.file=" + endpoints.hostsFile(),
                "KAFKA_LOG=" + endpoints.kafkaLog(),
                "POSTGRES_LOG=" + endpoints.postgresLog(),
                "");
    }
}
