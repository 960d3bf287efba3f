package io.streampipe.sandbox.services;

import io.streampipe.api.v1alpha1.CheckpointingSpec;
import io.streampipe.api.v1alpha1.EnrichSpec;
import io.streampipe.api.v1alpha1.KafkaSinkSpec;
import io.streampipe.api.v1alpha1.SecretKeyRef;
import io.streampipe.api.v1alpha1.SourceSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the sandbox serves so that manifests apply unchanged: the topics they read and write, the databases they write to, and
 * every Secret they name, with each key the operator's pre-flight looks up (its {@code SecretReferences}: the
 * {@code usernameKey}/{@code passwordKey} of a credentials reference, and the documented keys of a storage Secret).
 * A pure function of the manifests; what it cannot serve is listed in {@link #problems()}.
 *
 * @param secrets    by name, each key mapped to where its value comes from
 * @param dimensions the tables of the manifests' spec.transform.enrich, which the sandbox creates and fills
 */
record ServicesPlan(SortedSet<String> topics, SortedSet<String> databases, Map<String, Map<String, Value>> secrets,
                    List<String> problems, List<DimensionTable> dimensions) {
    /** Where the sandbox's Kafka and PostgreSQL answer, under the names the examples use. */
    static final String KAFKA_ADDRESS = "kafka:9092";
    static final String POSTGRES_ADDRESS = "postgres:5432";
    /** The documented keys of checkpoint storage Secrets (the operator's SecretReferences reads the same). */
    static final List<String> S3_KEYS = List.of("accessKeyId", "secretAccessKey");
    static final List<String> GCS_KEYS = List.of("key.json");
    static final List<String> AZURE_KEYS = List.of("accountKey");

    private static final Pattern SANDBOX_JDBC_URL =
            Pattern.compile("jdbc:postgresql://" + Pattern.quote(POSTGRES_ADDRESS) + "/([a-z_][a-z0-9_]{0,62})(\\?.*)?");

    /** Where a Secret key's value comes from. */
    enum Source { KAFKA_USERNAME, KAFKA_PASSWORD, DATABASE_USERNAME, DATABASE_PASSWORD, THROWAWAY }

    /** @param database for {@code DATABASE_*}: whose owner's credentials */
    record Value(Source source, String database) {
        static Value of(Source source) {
            return new Value(source, null);
        }
    }

    /** A dimension's table in one of the sandbox's databases, with the manifest that reads it. */
    record DimensionTable(String manifest, String database, StreamingPipelineSpec spec, EnrichSpec dimension) {
    }

    /** @param manifests by a name for messages (the file) */
    static ServicesPlan of(Map<String, StreamingPipelineSpec> manifests) {
        SortedSet<String> topics = new TreeSet<>();
        SortedSet<String> databases = new TreeSet<>();
        Map<String, Map<String, Value>> secrets = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        List<DimensionTable> dimensions = new ArrayList<>();
        manifests.forEach((manifest, spec) -> {
            Adder add = new Adder(manifest, secrets, problems);
            SourceSpec.KafkaSource kafka = spec.source == null ? null : spec.source.kafka;
            if (kafka != null) {
                if (!KAFKA_ADDRESS.equals(kafka.bootstrapServers)) {
                    problems.add(manifest + ": spec.source.kafka.bootstrapServers is " + kafka.bootstrapServers
                            + ", the sandbox serves " + KAFKA_ADDRESS);
                } else if (kafka.topic == null) {
                    problems.add(manifest + ": spec.source.kafka.topicPattern: the sandbox creates named topics only");
                } else {
                    topics.add(kafka.topic);
                }
                if (kafka.securityProtocol == SourceSpec.SecurityProtocol.SSL
                        || kafka.securityProtocol == SourceSpec.SecurityProtocol.SASL_SSL) {
                    problems.add(manifest + ": spec.source.kafka.securityProtocol " + kafka.securityProtocol
                            + ": the sandbox's broker speaks PLAINTEXT and SASL_PLAINTEXT only");
                }
                add.credentials(kafka.credentialsSecretRef, Value.of(Source.KAFKA_USERNAME), Value.of(Source.KAFKA_PASSWORD));
            }
            var postgres = spec.sink == null ? null : spec.sink.postgres;
            if (postgres != null) {
                Matcher url = SANDBOX_JDBC_URL.matcher(String.valueOf(postgres.jdbcUrl));
                if (url.matches()) {
                    databases.add(url.group(1));
                    add.credentials(postgres.credentialsSecretRef, new Value(Source.DATABASE_USERNAME, url.group(1)),
                            new Value(Source.DATABASE_PASSWORD, url.group(1)));
                } else {
                    problems.add(manifest + ": spec.sink.postgres.jdbcUrl is " + postgres.jdbcUrl
                            + ", the sandbox serves jdbc:postgresql://" + POSTGRES_ADDRESS + "/<database>");
                }
            }
            KafkaSinkSpec sinkKafka = spec.sink == null ? null : spec.sink.kafka;
            if (sinkKafka != null) {
                if (!KAFKA_ADDRESS.equals(sinkKafka.bootstrapServers)) {
                    problems.add(manifest + ": spec.sink.kafka.bootstrapServers is " + sinkKafka.bootstrapServers
                            + ", the sandbox serves " + KAFKA_ADDRESS);
                } else {
                    topics.add(sinkKafka.topic);
                    if (spec.deadLetter != null && spec.deadLetter.topic != null) {
                        topics.add(spec.deadLetter.topic);
                    }
                    if (spec.lateData != null && spec.lateData.topic != null) {
                        topics.add(spec.lateData.topic);
                    }
                }
                if (sinkKafka.securityProtocol == SourceSpec.SecurityProtocol.SSL
                        || sinkKafka.securityProtocol == SourceSpec.SecurityProtocol.SASL_SSL) {
                    problems.add(manifest + ": spec.sink.kafka.securityProtocol " + sinkKafka.securityProtocol
                            + ": the sandbox's broker speaks PLAINTEXT and SASL_PLAINTEXT only");
                }
                add.credentials(sinkKafka.credentialsSecretRef, Value.of(Source.KAFKA_USERNAME), Value.of(Source.KAFKA_PASSWORD));
            }
            List<EnrichSpec> enrich = spec.transform == null || spec.transform.enrich == null ? List.of() : spec.transform.enrich;
            for (int i = 0; i < enrich.size(); i++) {
                EnrichSpec dimension = enrich.get(i);
                Matcher url = SANDBOX_JDBC_URL.matcher(String.valueOf(dimension.postgres == null ? null : dimension.postgres.jdbcUrl));
                if (url.matches()) {
                    databases.add(url.group(1));
                    if (dimension.postgres.table != null) { // a query reads tables the manifest's owner provides
                        dimensions.add(new DimensionTable(manifest, url.group(1), spec, dimension));
                    }
                    add.credentials(dimension.postgres.credentialsSecretRef, new Value(Source.DATABASE_USERNAME, url.group(1)),
                            new Value(Source.DATABASE_PASSWORD, url.group(1)));
                } else {
                    problems.add(manifest + ": spec.transform.enrich[" + i + "].postgres.jdbcUrl is "
                            + (dimension.postgres == null ? null : dimension.postgres.jdbcUrl)
                            + ", the sandbox serves jdbc:postgresql://" + POSTGRES_ADDRESS + "/<database>");
                }
            }
            CheckpointingSpec.Storage storage = spec.checkpointing == null ? null : spec.checkpointing.storage;
            if (storage != null) {
                add.storage(storage.s3 == null ? null : storage.s3.credentialsSecretRef, S3_KEYS);
                add.storage(storage.gcs == null ? null : storage.gcs.credentialsSecretRef, GCS_KEYS);
                add.storage(storage.azure == null ? null : storage.azure.credentialsSecretRef, AZURE_KEYS);
            }
        });
        return new ServicesPlan(topics, databases, secrets, problems, dimensions);
    }

    /** Adds a manifest's Secret keys, refusing a key that two manifests want filled differently. */
    private record Adder(String manifest, Map<String, Map<String, Value>> secrets, List<String> problems) {
        void credentials(SecretKeyRef ref, Value username, Value password) {
            if (ref != null) {
                key(ref.name, ref.usernameKey, username);
                key(ref.name, ref.passwordKey, password);
            }
        }

        void storage(CheckpointingSpec.CloudCredentials ref, List<String> keys) {
            if (ref != null) {
                keys.forEach(key -> key(ref.name, key, Value.of(Source.THROWAWAY)));
            }
        }

        private void key(String secret, String key, Value value) {
            Map<String, Value> data = secrets.computeIfAbsent(secret, name -> new LinkedHashMap<>());
            Value before = data.putIfAbsent(key, value);
            if (before != null && !before.equals(value)) {
                problems.add(manifest + ": Secret " + secret + " key " + key + " would hold " + describe(value)
                        + ", but another manifest has it hold " + describe(before) + "; kept the latter");
            }
        }

        private static String describe(Value value) {
            return value.database() == null ? value.source().name() : value.source() + " of " + value.database();
        }
    }
}
