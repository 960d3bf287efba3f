package io.streampipe.sandbox;

import io.streampipe.api.EventFields;
import io.streampipe.api.JobContract;
import io.streampipe.api.v1alpha1.CheckpointingSpec;
import io.streampipe.api.v1alpha1.EnrichSpec;
import io.streampipe.api.v1alpha1.KafkaSinkSpec;
import io.streampipe.api.v1alpha1.SecretKeyRef;
import io.streampipe.api.v1alpha1.SourceSpec;
import io.streampipe.api.v1alpha1.SourceSpec.SecurityProtocol;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.sink.DatabaseCredentials;
import io.streampipe.job.source.KafkaSources;
import io.streampipe.sandbox.generator.RegexSampler;
import io.streampipe.sandbox.services.DimensionTables;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.LocalService;
import io.streampipe.testkit.data.PostgresServer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/**
 * The Kafka and PostgreSQL a local run uses: the manifest's own when they answer, otherwise a real Kafka broker and
 * a real PostgreSQL started for the run (and stopped by {@link #close()}). A pipeline whose only sink is Kafka and
 * that reads no dimension has no database: then no PostgreSQL. Rewrites the spec to point at what it chose, and its
 * checkpoint storage at the run's directory: a local run is thrown away.
 */
final class PipelineServices implements AutoCloseable {
    static final int LOCAL_TOPIC_PARTITIONS = 3;
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final KafkaBroker localKafka;
    private final PostgresServer localPostgres;
    private final String topic;
    private final Properties kafkaClient;
    private final DatabaseCredentials credentials;
    private final String jdbcUrl;
    private final List<String> description;

    private PipelineServices(KafkaBroker localKafka, PostgresServer localPostgres, String topic, Properties kafkaClient,
                             DatabaseCredentials credentials, String jdbcUrl, List<String> description) {
        this.localKafka = localKafka;
        this.localPostgres = localPostgres;
        this.topic = topic;
        this.kafkaClient = kafkaClient;
        this.credentials = credentials;
        this.jdbcUrl = jdbcUrl;
        this.description = description;
    }

    /**
     * Chooses, starts what is needed, and rewrites {@code spec} in place.
     *
     * @param environment where credentials for the manifest's own services come from ({@link JobContract}'s names)
     * @param checkpoints the directory for checkpoints, a {@code file://} URI
     * @throws IllegalArgumentException when the manifest's services answer but their credentials are not set
     */
    static PipelineServices prepare(StreamingPipelineSpec spec, Map<String, String> environment, String checkpoints) {
        SourceSpec.KafkaSource kafka = spec.source.kafka;
        var postgres = spec.sink.postgres;
        List<EnrichSpec> dimensions = EventFields.dimensions(spec);
        // The database the run writes to and reads dimensions from (one set of credentials, as the job has): the
        // sink's; with a Kafka-only sink the first dimension's; none for a Kafka-only sink without dimensions.
        String databaseUrl = postgres != null ? postgres.jdbcUrl : dimensions.isEmpty() ? null : dimensions.get(0).postgres.jdbcUrl;
        SecretKeyRef databaseSecret = postgres != null ? postgres.credentialsSecretRef
                : dimensions.isEmpty() ? null : dimensions.get(0).postgres.credentialsSecretRef;
        String kafkaGiven = kafka.bootstrapServers;
        String postgresGiven = databaseUrl == null ? null : Endpoints.postgresHosts(databaseUrl);
        boolean kafkaReachable = Endpoints.anyReachable(kafkaGiven);
        boolean postgresReachable = databaseUrl != null && Endpoints.postgresReachable(databaseUrl);
        if (kafkaReachable) {
            requireEnvironment(environment, isSasl(kafka) ? kafka.credentialsSecretRef : null, "Kafka at " + kafkaGiven,
                    JobContract.ENV_KAFKA_USERNAME, JobContract.ENV_KAFKA_PASSWORD);
        }
        if (postgresReachable) {
            requireEnvironment(environment, databaseSecret, "PostgreSQL at " + postgresGiven,
                    JobContract.ENV_POSTGRES_USERNAME, JobContract.ENV_POSTGRES_PASSWORD);
        }
        String topic = kafka.topic != null ? kafka.topic : topicMatching(kafka.topicPattern);

        CompletableFuture<KafkaBroker> startingKafka = kafkaReachable ? CompletableFuture.completedFuture(null)
                : CompletableFuture.supplyAsync(() -> started(new KafkaBroker()));
        CompletableFuture<PostgresServer> startingPostgres = databaseUrl == null || postgresReachable ? CompletableFuture.completedFuture(null)
                : CompletableFuture.supplyAsync(() -> started(new PostgresServer()));
        KafkaBroker localKafka;
        PostgresServer localPostgres;
        try {
            localKafka = startingKafka.join();
            localPostgres = startingPostgres.join();
        } catch (CompletionException e) {
            startingKafka.thenAccept(PipelineServices::closeQuietly);
            startingPostgres.thenAccept(PipelineServices::closeQuietly);
            throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
        }

        List<String> description = new ArrayList<>();
        if (localKafka == null) {
            description.add("kafka        " + kafkaGiven + " (from the manifest), topic " + topic);
        } else {
            localKafka.createTopic(topic, LOCAL_TOPIC_PARTITIONS);
            kafka.bootstrapServers = localKafka.bootstrapServers();
            kafka.securityProtocol = SecurityProtocol.PLAINTEXT;
            kafka.saslMechanism = null;
            kafka.credentialsSecretRef = null;
            if (kafka.properties != null) {
                kafka.properties.keySet().removeIf(key -> key.startsWith("ssl.") || key.startsWith("sasl."));
            }
            description.add("kafka        " + kafkaGiven + " is not reachable: started Kafka " + KafkaBroker.version()
                    + " at " + localKafka.bootstrapServers() + ", topic " + topic + " (" + LOCAL_TOPIC_PARTITIONS + " partitions)");
            KafkaSinkSpec sink = spec.sink.kafka;
            if (sink != null && (kafkaGiven.equals(sink.bootstrapServers) || !Endpoints.anyReachable(sink.bootstrapServers))) {
                // The sink's cluster is the source's, or does not answer either: the local broker serves both, with
                // the result topic and the late-data and dead-letter topics (the job creates no topic).
                PipelineTopics topics = PipelineTopics.of(spec);
                topics.roles().keySet().forEach(sinkTopic -> localKafka.createTopic(sinkTopic, LOCAL_TOPIC_PARTITIONS));
                String sinkGiven = sink.bootstrapServers;
                sink.bootstrapServers = localKafka.bootstrapServers();
                sink.securityProtocol = SecurityProtocol.PLAINTEXT;
                sink.saslMechanism = null;
                sink.credentialsSecretRef = null;
                if (sink.properties != null) {
                    sink.properties.keySet().removeIf(key -> key.startsWith("ssl.") || key.startsWith("sasl."));
                }
                description.add("kafka sink   " + (kafkaGiven.equals(sinkGiven) ? "" : sinkGiven + " is not reachable either: ")
                        + "topic" + (topics.roles().size() > 1 ? "s " : " ") + String.join(", ", topics.roles().keySet())
                        + " on the same broker (" + sink.delivery.name().toLowerCase().replace('_', '-') + ")");
            }
        }
        DatabaseCredentials credentials;
        if (databaseUrl == null) {
            credentials = DatabaseCredentials.of(null, null);
            description.add("postgres     none: the results go to Kafka only and no dimension is read");
        } else if (localPostgres == null) {
            credentials = DatabaseCredentials.of(environment.get(JobContract.ENV_POSTGRES_USERNAME),
                    environment.get(JobContract.ENV_POSTGRES_PASSWORD));
            description.add("postgres     " + databaseUrl + " (from the manifest)");
        } else {
            credentials = DatabaseCredentials.of(localPostgres.username(), localPostgres.password());
            databaseUrl = localPostgres.jdbcUrl();
            if (postgres != null) {
                postgres.jdbcUrl = databaseUrl;
                postgres.credentialsSecretRef = null;
                postgres.createTable = true;
            }
            description.add("postgres     " + postgresGiven + " is not reachable: started PostgreSQL at " + databaseUrl
                    + " (user " + localPostgres.username() + ")");
            for (EnrichSpec dimension : dimensions) {
                dimension.postgres.jdbcUrl = localPostgres.jdbcUrl();
                if (dimension.postgres.query != null) {
                    description.add("dimension    " + dimension.name + ": its query runs on the local PostgreSQL, which has"
                            + " none of the tables it reads");
                    continue;
                }
                try (Connection connection = localPostgres.newConnection()) {
                    int rows = DimensionTables.createAndFill(connection, spec, dimension);
                    description.add("dimension    " + dimension.name + ": table " + dimension.postgres.table + " in the local"
                            + " PostgreSQL, " + rows + " rows keyed as the generated events");
                } catch (SQLException e) {
                    throw new IllegalStateException("Could not fill dimension table " + dimension.postgres.table + ": " + e.getMessage(), e);
                }
            }
        }
        description.add("checkpoints  " + storage(spec.checkpointing.storage) + " -> " + checkpoints
                + ", every " + spec.checkpointing.interval);
        CheckpointingSpec.Storage local = new CheckpointingSpec.Storage();
        local.path = checkpoints;
        spec.checkpointing.storage = local;

        Properties kafkaClient = KafkaSources.consumerProperties(kafka);
        kafkaClient.remove("commit.offsets.on.checkpoint");
        kafkaClient.put("bootstrap.servers", kafka.bootstrapServers);
        return new PipelineServices(localKafka, localPostgres, topic, kafkaClient, credentials, databaseUrl, description);
    }

    /** The topic the generator writes to. */
    String topic() {
        return topic;
    }

    /** Client properties for the generator's producer: servers and, for the manifest's Kafka, its security. */
    Properties kafkaClient() {
        return kafkaClient;
    }

    DatabaseCredentials credentials() {
        return credentials;
    }

    /** @throws SQLException when the pipeline has no database (a Kafka-only sink without dimensions) */
    Connection newConnection() throws SQLException {
        if (jdbcUrl == null) {
            throw new SQLException("the pipeline has no database: its results go to Kafka only");
        }
        return DriverManager.getConnection(jdbcUrl, credentials.username(), credentials.password());
    }

    /** A line for each decision, for the run's header. */
    List<String> description() {
        return description;
    }

    boolean startedAny() {
        return localKafka != null || localPostgres != null;
    }

    /** {@code Kafka and PostgreSQL}, {@code Kafka} or {@code PostgreSQL}: what the run started. */
    String started() {
        return localKafka != null && localPostgres != null ? "Kafka and PostgreSQL" : localKafka != null ? "Kafka" : "PostgreSQL";
    }

    @Override
    public void close() {
        closeQuietly(localKafka);
        closeQuietly(localPostgres);
    }

    private static <T extends LocalService> T started(T service) {
        service.start();
        return service;
    }

    private static void closeQuietly(AutoCloseable service) {
        if (service == null) {
            return;
        }
        try {
            service.close();
        } catch (Exception e) {
            System.err.println("local run: could not stop " + service + ": " + e.getMessage());
        }
    }

    private static boolean isSasl(SourceSpec.KafkaSource kafka) {
        return kafka.securityProtocol == SecurityProtocol.SASL_PLAINTEXT || kafka.securityProtocol == SecurityProtocol.SASL_SSL;
    }

    private static void requireEnvironment(Map<String, String> environment, Object secretRef, String what, String... names) {
        if (secretRef == null) {
            return;
        }
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            if (environment.get(name) == null || environment.get(name).isEmpty()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(what + " answers, and the manifest takes its credentials from a Secret: set "
                    + String.join(" and ", missing) + " to what the Secret holds (or make it unreachable to run against a local one)");
        }
    }

    /** A topic name {@code spec.source.kafka.topicPattern} matches, for the generator to write to. */
    private static String topicMatching(String topicPattern) {
        Random random = new Random(topicPattern.hashCode());
        RegexSampler sampler = RegexSampler.of(topicPattern);
        for (int attempt = 0; attempt < 100; attempt++) {
            String name = sampler.sample(random);
            if (TOPIC_NAME.matcher(name).matches()) {
                return name;
            }
        }
        throw new IllegalArgumentException("spec.source.kafka.topicPattern: found no topic name matching /" + topicPattern
                + "/ to produce to; set spec.source.kafka.topic for a local run");
    }

    private static String storage(CheckpointingSpec.Storage storage) {
        if (storage.s3 != null) {
            return "s3://" + storage.s3.bucket + (storage.s3.prefix == null ? "" : "/" + storage.s3.prefix);
        }
        if (storage.gcs != null) {
            return "gs://" + storage.gcs.bucket + (storage.gcs.prefix == null ? "" : "/" + storage.gcs.prefix);
        }
        if (storage.azure != null) {
            return "abfss://" + storage.azure.container + "@" + storage.azure.account;
        }
        if (storage.pvc != null) {
            return "a " + storage.pvc.size + " PVC";
        }
        return storage.path;
    }
}
