package io.streampipe.sandbox.services;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.streampipe.testkit.kube.KubeApiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sandbox's services as {@code e2e/bin/sandbox up} starts them (their own JVM, against a real API server), and a
 * JVM that knows nothing but the hosts file and the Secrets' values: the examples' names answer in it, and nothing of
 * the services outlives a SIGTERM.
 */
class SandboxServicesTest {
    private static final Path EXAMPLES = Path.of(System.getProperty("streampipe.examples", "../../examples"));
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    @RegisterExtension
    static final KubeApiServer apiServer = new KubeApiServer().withoutFlinkOperatorCrds();

    @TempDir
    Path stateDir;

    @Test
    void theExamplesNamesAnswerInAJvmGivenTheHostsFileAndTheSecrets() throws Exception {
        // Addresses of their own, so that a sandbox that is up on this machine does not get in the way.
        String network = "127." + ThreadLocalRandom.current().nextInt(100, 250) + "." + ThreadLocalRandom.current().nextInt(1, 250) + ".";
        String kafkaHost = network + "2";
        String postgresHost = network + "3";
        requireFree(kafkaHost, 9092);
        requireFree(postgresHost, 5432);
        Path log = stateDir.resolve("services.log");
        Process services = new ProcessBuilder(java(), "-cp", testClasspath(),
                "-Dlog4j2.configurationFile=" + Path.of("target/classes/log4j2-sandbox-services.properties").toAbsolutePath(),
                SandboxServices.class.getName(), "--kubeconfig", apiServer.kubeconfig().toString(),
                "--state-dir", stateDir.toString(), "--manifests", EXAMPLES.toString(),
                "--kafka-host", kafkaHost, "--postgres-host", postgresHost)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        List<ProcessHandle> children = new ArrayList<>();
        try {
            Map<String, String> env = awaitEnvFile(services, log);
            children.addAll(services.descendants().toList());
            assertThat(env).containsEntry("KAFKA_BOOTSTRAP", "kafka:9092")
                    .containsEntry("KAFKA_ADDRESS", kafkaHost + ":9092")
                    .containsEntry("KAFKA_TOPICS", "clicks,orders,sensor-alerts,sensor-readings")
                    .containsEntry("POSTGRES_JDBC", "jdbc:postgresql://postgres:5432/")
                    .containsEntry("POSTGRES_ADDRESS", postgresHost + ":5432")
                    .containsEntry("POSTGRES_DATABASES", "analytics,shop")
                    .containsEntry("HOSTS_FILE", stateDir.resolve("hosts").toString());
            assertThat(Files.readAllLines(stateDir.resolve("hosts")))
                    .contains(kafkaHost + " kafka", postgresHost + " postgres", "127.0.0.1 localhost");

            // Each key the operator's pre-flight looks up (SecretReferences): credentials refs' usernameKey and
            // passwordKey (defaults), the S3 storage Secret's documented keys.
            Map<String, Map<String, String>> secrets = secretsIn("default");
            assertThat(keys(secrets)).isEqualTo(Map.of(
                    "analytics-db", Set.of("username", "password"),
                    "shop-db", Set.of("username", "password"),
                    "kafka-orders-reader", Set.of("username", "password"),
                    "flink-state-s3", Set.of("accessKeyId", "secretAccessKey")));
            assertThat(secrets.get("analytics-db")).containsEntry("username", "analytics");
            assertThat(secrets.get("shop-db")).containsEntry("username", "shop");
            assertThat(secrets.values()).allSatisfy(data -> assertThat(data.values()).allMatch(value -> !value.isBlank()));
            assertThat(Files.readString(log)).as("no password in the log")
                    .doesNotContain(secrets.get("kafka-orders-reader").get("password"))
                    .doesNotContain(secrets.get("analytics-db").get("password"));

            Map<String, String> probeEnv = new HashMap<>();
            probeEnv.put("KAFKA_USERNAME", secrets.get("kafka-orders-reader").get("username"));
            probeEnv.put("KAFKA_PASSWORD", secrets.get("kafka-orders-reader").get("password"));
            probeEnv.put("DATABASES", "analytics,shop");
            for (String database : List.of("analytics", "shop")) {
                probeEnv.put(database.toUpperCase() + "_USERNAME", secrets.get(database + "-db").get("username"));
                probeEnv.put(database.toUpperCase() + "_PASSWORD", secrets.get(database + "-db").get("password"));
            }
            ProcessBuilder probe = new ProcessBuilder(java(), "-cp", testClasspath(),
                    "-Djdk.net.hosts.file=" + env.get("HOSTS_FILE"),
                    "-Dlog4j2.configurationFile=" + Path.of("src/test/resources/log4j2-test.properties").toAbsolutePath(),
                    HostsFileProbe.class.getName()).redirectErrorStream(true);
            probe.environment().putAll(probeEnv);
            Process probeJvm = probe.start();
            String output = new String(probeJvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(probeJvm.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(probeJvm.exitValue()).as(output).isZero();
            assertThat(output.lines().filter(line -> line.startsWith(HostsFileProbe.PASSED)))
                    .as(output).hasSize(6);
        } finally {
            services.destroy();
            assertThat(services.waitFor(60, TimeUnit.SECONDS)).as("SandboxServices stops on SIGTERM").isTrue();
        }
        assertThat(children).as("Kafka, PostgreSQL and their watchdogs").isNotEmpty();
        // A watchdog's last `sleep 1` may outlive it by a second.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (children.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(children.stream().filter(ProcessHandle::isAlive).map(child -> child.pid() + " " + child.info().commandLine().orElse("?")))
                .as("processes of SandboxServices still alive after it stopped").isEmpty();
        assertThat(stateDir.resolve(SandboxServices.ENV_FILE)).doesNotExist();
        assertThat(Files.readString(log)).contains("Stopped Kafka broker", "Stopped PostgreSQL");
    }

    private static Map<String, String> awaitEnvFile(Process services, Path log) throws Exception {
        Path envFile = log.resolveSibling(SandboxServices.ENV_FILE);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(envFile)) {
            assertThat(services.isAlive()).as("SandboxServices exited: %s", logOf(log)).isTrue();
            assertThat(System.nanoTime()).as("no env file after %s: %s", START_TIMEOUT, logOf(log)).isLessThan(deadline);
            Thread.sleep(100);
        }
        return Files.readAllLines(envFile).stream().filter(line -> line.contains("=") && !line.startsWith("#"))
                .collect(Collectors.toMap(line -> line.substring(0, line.indexOf('=')), line -> line.substring(line.indexOf('=') + 1)));
    }

    private static Map<String, Map<String, String>> secretsIn(String namespace) {
        KubernetesClient client = apiServer.client();
        Map<String, Map<String, String>> secrets = new TreeMap<>();
        for (Secret secret : client.secrets().inNamespace(namespace).list().getItems()) {
            Map<String, String> data = new TreeMap<>();
            secret.getData().forEach((key, value) -> data.put(key, new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
            secrets.put(secret.getMetadata().getName(), data);
        }
        return secrets;
    }

    private static Map<String, Set<String>> keys(Map<String, Map<String, String>> secrets) {
        Map<String, Set<String>> keys = new TreeMap<>();
        secrets.forEach((name, data) -> keys.put(name, data.keySet()));
        return keys;
    }

    private static void requireFree(String host, int port) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(host, port));
        }
    }

    private static String logOf(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log) : "(no log)";
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String testClasspath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }
}
