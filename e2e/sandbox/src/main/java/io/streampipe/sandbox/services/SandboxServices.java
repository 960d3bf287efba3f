package io.streampipe.sandbox.services;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.SpecFiles;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.LocalService;
import io.streampipe.testkit.data.PostgresServer;
import io.streampipe.testkit.data.SaslMechanism;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * The sandbox's data services, at the names the examples use: a Kafka broker at {@code kafka:9092} (PLAINTEXT and
 * SASL_PLAINTEXT on one address, see {@link KafkaListenerRouter}) and PostgreSQL at {@code postgres:5432}, each on a
 * loopback address of its own, with the topics and databases the manifests name; the Secrets they name, in the
 * sandbox's API server; a Java hosts file ({@code -Djdk.net.hosts.file}) that maps the names to the addresses; and an
 * env file saying all that, written last, when everything serves. Runs until SIGTERM, then stops the broker and
 * PostgreSQL and deletes both files; if this JVM is killed outright, the testkit's watchdogs stop them.
 */
public final class SandboxServices implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxServices.class);
    static final int TOPIC_PARTITIONS = 3;
    static final String ENV_FILE = "services.env";
    static final String HOSTS_FILE = "hosts";
    private static final String DEFAULT_KAFKA_USERNAME = "streampipe";
    static final String USAGE = """
            usage: SandboxServices --kubeconfig <file> [--state-dir <dir>] [--manifests <dir>] [--namespace default]
                                   [--kafka-host 127.0.0.2] [--postgres-host 127.0.0.3]

              --kubeconfig F     the sandbox's API server, where the Secrets go
              --state-dir D      where the hosts file and the env file are written (default ~/.cache/streampipe/sandbox)
              --manifests D      the StreamingPipeline manifests to serve (*.yaml, *.yml; default examples)
              --namespace N      namespace of the Secrets (default: default)
              --kafka-host A     loopback address for kafka:9092 (default 127.0.0.2)
              --postgres-host A  loopback address for postgres:5432 (default 127.0.0.3)
            """;

    /** The command line. */
    record Options(Path kubeconfig, Path stateDir, Path manifests, String namespace, String kafkaHost,
                   String postgresHost) {
        static Options parse(String[] args) {
            Map<String, String> values = new LinkedHashMap<>();
            values.put("--state-dir", Path.of(System.getProperty("user.home"), ".cache", "streampipe", "sandbox").toString());
            values.put("--manifests", "examples");
            values.put("--namespace", "default");
            values.put("--kafka-host", "127.0.0.2");
            values.put("--postgres-host", "127.0.0.3");
            for (int i = 0; i < args.length; i += 2) {
                if (!args[i].equals("--kubeconfig") && !values.containsKey(args[i])) {
                    throw new IllegalArgumentException("unknown option " + args[i]);
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                values.put(args[i], args[i + 1]);
            }
            if (!values.containsKey("--kubeconfig")) {
                throw new IllegalArgumentException("--kubeconfig is required");
            }
            return new Options(Path.of(values.get("--kubeconfig")), Path.of(values.get("--state-dir")),
                    Path.of(values.get("--manifests")), values.get("--namespace"), values.get("--kafka-host"),
                    values.get("--postgres-host"));
        }

        InetSocketAddress kafkaAddress() {
            return new InetSocketAddress(kafkaHost, port(ServicesPlan.KAFKA_ADDRESS));
        }

        InetSocketAddress postgresAddress() {
            return new InetSocketAddress(postgresHost, port(ServicesPlan.POSTGRES_ADDRESS));
        }

        private static int port(String address) {
            return Integer.parseInt(address.substring(address.indexOf(':') + 1));
        }
    }

    private final Options options;
    private final ServicesPlan plan;
    private final SandboxSecrets.Credentials credentials;
    private KafkaBroker kafka;
    private PostgresServer postgres;
    private KafkaListenerRouter router;

    SandboxServices(Options options, ServicesPlan plan) {
        this.options = options;
        this.plan = plan;
        String kafkaUsername = plan.secrets().entrySet().stream()
                .filter(secret -> secret.getValue().containsValue(ServicesPlan.Value.of(ServicesPlan.Source.KAFKA_USERNAME)))
                .map(Map.Entry::getKey).findFirst().orElse(DEFAULT_KAFKA_USERNAME);
        this.credentials = SandboxSecrets.Credentials.random(kafkaUsername, plan.databases());
    }

    public static void main(String[] args) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("SandboxServices: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        SandboxServices services = new SandboxServices(options, ServicesPlan.of(readManifests(options.manifests())));
        Runtime.getRuntime().addShutdownHook(new Thread(services::close, "sandbox-services-shutdown"));
        try {
            services.start();
        } catch (RuntimeException e) {
            LOG.error("The sandbox services did not start: {}", e.getMessage(), e);
            System.exit(1);
        }
        new CountDownLatch(1).await();
    }

    /**
     * The services in this JVM, for end-to-end tests: Kafka at {@code kafkaHost:9092} and PostgreSQL at
     * {@code postgresHost:5432} (loopback addresses of the caller's choice, so a running sandbox is left alone), the
     * manifests' topics, databases and Secrets; {@link #close()} stops them.
     */
    public static SandboxServices start(Path kubeconfig, Path stateDir, Path manifests, String namespace, String kafkaHost,
                                        String postgresHost) {
        Options options = new Options(kubeconfig, stateDir, manifests, namespace, kafkaHost, postgresHost);
        SandboxServices services = new SandboxServices(options, ServicesPlan.of(readManifests(manifests)));
        services.start();
        return services;
    }

    /** The Java hosts file that maps {@code kafka} and {@code postgres} to the services' addresses. */
    public Path hosts() {
        return hostsFile();
    }

    /** Starts everything and writes the env file last; on failure stops what it started and throws. */
    void start() {
        long startNanos = System.nanoTime();
        plan.problems().forEach(problem -> LOG.warn("Not served: {}", problem));
        deleteFiles();
        requireFree(options.kafkaAddress(), "Kafka");
        requireFree(options.postgresAddress(), "PostgreSQL");
        try {
            startKafkaAndPostgres();
            router = KafkaListenerRouter.bind(options.kafkaAddress(),
                    new InetSocketAddress(options.kafkaHost(), kafka.clientListenerPort("PLAINTEXT")),
                    new InetSocketAddress(options.kafkaHost(), kafka.clientListenerPort("SASL_PLAINTEXT")));
            for (String topic : plan.topics()) {
                kafka.createTopic(topic, TOPIC_PARTITIONS);
                LOG.info("Created topic {} ({} partitions)", topic, TOPIC_PARTITIONS);
            }
            for (String database : plan.databases()) {
                postgres.createDatabase(database, database, credentials.databasePasswords().get(database));
                LOG.info("Created database {} owned by role {}", database, database);
            }
            createDimensionTables();
            applySecrets();
            writeFiles();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("Sandbox services ready in {} ms: Kafka at {} ({}), PostgreSQL at {} ({}); env file {}",
                (System.nanoTime() - startNanos) / 1_000_000, ServicesPlan.KAFKA_ADDRESS, hostPort(options.kafkaAddress()),
                ServicesPlan.POSTGRES_ADDRESS, hostPort(options.postgresAddress()), envFile());
    }

    @Override
    public synchronized void close() {
        deleteFiles();
        if (router != null) {
            router.close();
            router = null;
        }
        closeQuietly(kafka);
        closeQuietly(postgres);
        kafka = null;
        postgres = null;
    }

    Path envFile() {
        return options.stateDir().resolve(ENV_FILE);
    }

    Path hostsFile() {
        return options.stateDir().resolve(HOSTS_FILE);
    }

    /** Both at once: they take seconds each, and neither needs the other. */
    private void startKafkaAndPostgres() {
        KafkaBroker broker = new KafkaBroker()
                .withSasl(credentials.kafkaUsername(), credentials.kafkaPassword(),
                        SaslMechanism.SCRAM_SHA_512, SaslMechanism.SCRAM_SHA_256, SaslMechanism.PLAIN)
                .withAdvertisedClientListeners(options.kafkaHost(), ServicesPlan.KAFKA_ADDRESS);
        PostgresServer server = new PostgresServer().withAddress(options.postgresHost(), options.postgresAddress().getPort());
        CompletableFuture<Void> startingKafka = CompletableFuture.runAsync(broker::start);
        CompletableFuture<Void> startingPostgres = CompletableFuture.runAsync(server::start);
        kafka = broker;
        postgres = server;
        try {
            CompletableFuture.allOf(startingKafka, startingPostgres).join();
        } catch (CompletionException e) {
            // close() stops whichever did start; wait for both, so that nothing starts after it.
            startingKafka.exceptionally(failed -> null).join();
            startingPostgres.exceptionally(failed -> null).join();
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }
        LOG.info("Started Kafka {} ({}), PostgreSQL ({})", KafkaBroker.version(), kafka, postgres);
    }

    /** As the database's owner, whom the Secrets name: the job reads the table with the same login. */
    private void createDimensionTables() {
        for (ServicesPlan.DimensionTable table : plan.dimensions()) {
            String url = postgres.jdbcUrl().replaceFirst("/" + PostgresServer.DATABASE + "$", "/" + table.database());
            try (Connection connection = DriverManager.getConnection(url, table.database(),
                    credentials.databasePasswords().get(table.database()))) {
                int rows = DimensionTables.createAndFill(connection, table.spec(), table.dimension());
                LOG.info("Filled dimension table {}.{} of {} with {} rows", table.database(), table.dimension().postgres.table,
                        table.manifest(), rows);
            } catch (SQLException e) {
                throw new IllegalStateException("Could not create dimension table " + table.dimension().postgres.table
                        + " of " + table.manifest() + " in database " + table.database() + ": " + e.getMessage(), e);
            }
        }
    }

    private void applySecrets() throws IOException {
        Config config = Config.fromKubeconfig(Files.readString(options.kubeconfig()));
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            for (Secret secret : SandboxSecrets.of(plan, credentials, options.namespace())) {
                client.resource(secret).fieldManager("streampipe-sandbox").forceConflicts().serverSideApply();
                LOG.info("Applied Secret {}/{} (keys {})", options.namespace(), secret.getMetadata().getName(),
                        secret.getData().keySet());
            }
        }
    }

    private void writeFiles() throws IOException {
        Files.createDirectories(options.stateDir());
        InetAddress local = InetAddress.getLocalHost();
        Map<String, String> names = new LinkedHashMap<>();
        names.put(host(ServicesPlan.KAFKA_ADDRESS), options.kafkaHost());
        names.put(host(ServicesPlan.POSTGRES_ADDRESS), options.postgresHost());
        // The hosts file replaces DNS for a JVM given it: what the JVM resolves besides must be in it too.
        names.put("localhost", "127.0.0.1");
        names.putIfAbsent(local.getHostName(), local.getHostAddress());
        writeAtomically(hostsFile(), SandboxFiles.hostsFile(names));
        writeAtomically(envFile(), SandboxFiles.envFile(new SandboxFiles.Endpoints(
                hostPort(options.kafkaAddress()), plan.topics(), hostPort(options.postgresAddress()), plan.databases(),
                options.namespace(), plan.secrets().keySet(), hostsFile(), kafka.logFile(), postgres.logFile())));
    }

    private void deleteFiles() {
        try {
            Files.deleteIfExists(envFile());
            Files.deleteIfExists(hostsFile());
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", options.stateDir(), e.toString());
        }
    }

    /** Fails before anything starts when an address is taken: another sandbox, most likely. */
    private static void requireFree(InetSocketAddress address, String what) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(address);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot serve " + what + " at " + hostPort(address) + ": " + e.getMessage()
                    + " (is a sandbox up already? e2e/bin/sandbox down stops it)", e);
        }
    }

    /** The manifests of a directory, by file name; one that does not parse is logged and left out. */
    static Map<String, StreamingPipelineSpec> readManifests(Path directory) {
        Map<String, StreamingPipelineSpec> manifests = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> yaml = files.filter(file -> file.toString().endsWith(".yaml") || file.toString().endsWith(".yml"))
                    .sorted().toList();
            for (Path file : yaml) {
                try {
                    manifests.put(file.getFileName().toString(), SpecFiles.read(file));
                } catch (RuntimeException e) {
                    LOG.warn("Not served: {} is no StreamingPipeline manifest: {}", file, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the manifests in " + directory, e);
        }
        return manifests;
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, content);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String host(String address) {
        return address.substring(0, address.indexOf(':'));
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    private static void closeQuietly(LocalService service) {
        if (service == null) {
            return;
        }
        try {
            service.close();
        } catch (RuntimeException e) {
            LOG.warn("Could not stop {}: {}", service, e.toString());
        }
    }
}
