package io.streampipe.operator.robust;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.streampipe.api.v1alpha1.CheckpointingSpec;
import io.streampipe.api.v1alpha1.DeletionSpec;
import io.streampipe.api.v1alpha1.LateDataSpec;
import io.streampipe.api.v1alpha1.OffsetResetSpec;
import io.streampipe.api.v1alpha1.RestoreSpec;
import io.streampipe.api.v1alpha1.SecretKeyRef;
import io.streampipe.api.v1alpha1.SinkSpec;
import io.streampipe.api.v1alpha1.SourceSpec;
import io.streampipe.api.v1alpha1.SourceSpec.FieldType;
import io.streampipe.api.v1alpha1.SourceSpec.SchemaField;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.TableRef;
import io.streampipe.api.v1alpha1.TransformSpec;
import io.streampipe.api.v1alpha1.TransformSpec.Aggregate;
import io.streampipe.api.v1alpha1.TransformSpec.AggregateFunction;
import io.streampipe.api.v1alpha1.UpgradeSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Pipelines as users write them: every section, each optional part present or not, values drawn from what the CRD
 * allows. {@link #valid} gives a pipeline the CRD and SpecValidator accept; {@link #MISTAKES} are the edits that make
 * one wrong, as a hand-written or old manifest can be wrong when it never passed the CRD's validation.
 */
final class GeneratedPipelines {
    static final String NAMESPACE = "team-a";
    /** Names Kubernetes accepts for a custom resource (DNS-1123 subdomains, up to 253 characters). */
    private static final List<String> NAMES = List.of("p", "sensor-anomalies", "orders-upsert-2", "a1",
            "clickstream-sessions-eu-west", "orders.v2", "9lives", "clickstream-sessions-eu-west-1-with-a-long-name");
    private static final List<String> FIELD_NAMES = List.of("id", "sensor_id", "site", "temperature", "amount", "ts",
            "event_time", "user", "select", "_raw", "level2", "region_code");
    private static final List<String> AGGREGATE_NAMES = List.of("avg_temp", "total", "n", "peak", "low", "sum_amount");
    private static final List<String> DURATIONS = List.of("200ms", "1s", "10s", "30s", "1m", "5m", "15m", "1h", "1h30m");
    private static final List<String> TABLES = List.of("alerts", "analytics.alerts", "results", "order_totals", "t", "public.rows_2");
    private static final List<String> QUANTITIES_CPU = List.of("500m", "1", "2", "0.5", "4");
    private static final List<String> QUANTITIES_MEMORY = List.of("1Gi", "2Gi", "1536Mi", "4Gi", "8Gi", "2048Mi", "768Mi", "512Mi");
    static final List<String> SECRETS = List.of("pg-creds", "kafka-creds", "s3-creds", "gcs-key", "azure-key");

    private GeneratedPipelines() {
    }

    static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    static StreamingPipeline valid(Random random) {
        StreamingPipeline pipeline = new StreamingPipeline();
        String name = pick(random, NAMES);
        pipeline.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).withGeneration(1L + random.nextInt(5))
                .withUid("uid-" + name).build());
        StreamingPipelineSpec spec = new StreamingPipelineSpec();
        pipeline.setSpec(spec);

        spec.parallelism = 1 + random.nextInt(random.nextBoolean() ? 4 : 64);
        if (random.nextBoolean()) {
            spec.maxParallelism = spec.parallelism + random.nextInt(256);
        }
        spec.resources.jobManager.cpu = pick(random, QUANTITIES_CPU);
        spec.resources.jobManager.memory = pick(random, QUANTITIES_MEMORY);
        spec.resources.taskManager.cpu = pick(random, QUANTITIES_CPU);
        spec.resources.taskManager.memory = pick(random, QUANTITIES_MEMORY);
        spec.resources.taskManager.slots = 1 + random.nextInt(8);
        if (random.nextInt(4) == 0) {
            spec.image = "registry.example/pipeline-job:1." + random.nextInt(9);
        }
        if (random.nextInt(4) == 0) {
            spec.serviceAccount = "flink-" + random.nextInt(3);
        }

        spec.source = source(random);
        spec.transform = transform(random, spec.source);
        spec.sink = sink(random, spec.transform);
        if (spec.transform.window != null) {
            spec.lateData = new LateDataSpec();
            if (random.nextBoolean()) {
                spec.lateData.table = pick(random, TABLES) + "_late";
            } else {
                spec.lateData.drop = true;
            }
        }
        spec.deadLetter = new TableRef(pick(random, TABLES) + "_rejects");
        spec.checkpointing = checkpointing(random);
        if (spec.transform.window != null) {
            // At-least-once checkpoints replay into open windows and count events twice (refused with windows, issue 15).
            spec.checkpointing.mode = CheckpointingSpec.Mode.EXACTLY_ONCE;
        }
        spec.upgrade.mode = pick(random, List.of(UpgradeSpec.Mode.values()));
        if (spec.upgrade.mode == UpgradeSpec.Mode.LAST_STATE && spec.checkpointing.storage.path != null) {
            spec.checkpointing.storage.path = "hdfs://namenode/flink";
        }
        spec.upgrade.rollbackOnFailure = random.nextBoolean();
        spec.upgrade.timeout = pick(random, DURATIONS);
        spec.upgrade.allowIncompatibleState = random.nextInt(4) == 0;
        if (random.nextBoolean()) {
            spec.savepoints.periodic = pick(random, List.of("1h", "6h", "30m", "24h"));
        }
        spec.savepoints.retain.count = 1 + random.nextInt(20);
        if (random.nextInt(3) == 0) {
            spec.savepoints.retain.age = pick(random, List.of("24h", "168h", "1h"));
        }
        if (random.nextInt(3) == 0) {
            spec.savepoints.triggerToken = "sp-" + random.nextInt(3);
        }
        if (random.nextInt(3) == 0) {
            spec.offsetReset = new OffsetResetSpec();
            spec.offsetReset.token = "reset-" + random.nextInt(3);
            spec.offsetReset.to = pick(random, List.of(OffsetResetSpec.Target.values()));
            if (spec.offsetReset.to == OffsetResetSpec.Target.TIMESTAMP) {
                spec.offsetReset.timestamp = "2026-11-2" + random.nextInt(10) + "T00:00:00Z";
            }
            spec.offsetReset.keepState = random.nextBoolean();
        }
        if (random.nextInt(4) == 0) {
            spec.restore = new RestoreSpec();
            spec.restore.token = "restore-" + random.nextInt(3);
            spec.restore.savepointPath = "s3://flink-state/savepoints/savepoint-" + Integer.toHexString(random.nextInt());
            spec.restore.allowNonRestoredState = random.nextBoolean();
        }
        boolean stateless = spec.upgrade.mode == UpgradeSpec.Mode.STATELESS;
        if (stateless && spec.offsetReset != null) {
            spec.offsetReset.keepState = false;
        }
        spec.state = random.nextInt(4) == 0 && !stateless ? StreamingPipelineSpec.State.SUSPENDED : StreamingPipelineSpec.State.RUNNING;
        spec.deletion.policy = pick(random, List.of(DeletionSpec.Policy.values()));
        spec.deletion.timeout = pick(random, DURATIONS);
        if (random.nextInt(3) == 0) {
            spec.flinkConfiguration = new LinkedHashMap<>(Map.of("pipeline.object-reuse", "true",
                    "taskmanager.memory.managed.fraction", "0.3"));
        }
        return pipeline;
    }

    private static SourceSpec source(Random random) {
        SourceSpec source = new SourceSpec();
        source.kafka = new SourceSpec.KafkaSource();
        source.kafka.bootstrapServers = pick(random, List.of("kafka:9092", "b-1:9092,b-2:9092", "10.0.0.1:9093"));
        if (random.nextInt(4) == 0) {
            source.kafka.topicPattern = "orders-(eu|us)-.*";
        } else {
            source.kafka.topic = pick(random, List.of("orders", "sensor.readings", "clicks_v2"));
        }
        source.kafka.groupId = "group-" + random.nextInt(5);
        source.kafka.securityProtocol = pick(random, List.of(SourceSpec.SecurityProtocol.values()));
        boolean sasl = source.kafka.securityProtocol.name().startsWith("SASL");
        if (sasl) {
            source.kafka.saslMechanism = random.nextBoolean() ? null : pick(random, List.of(SourceSpec.SaslMechanism.values()));
        }
        if (sasl) {
            source.kafka.credentialsSecretRef = new SecretKeyRef("kafka-creds");
        }
        if (random.nextInt(4) == 0) {
            source.kafka.properties = new LinkedHashMap<>(Map.of("fetch.min.bytes", "1024", "client.rack", "eu-1a"));
        }
        source.startingOffsets.policy = pick(random, List.of(SourceSpec.OffsetPolicy.values()));
        if (source.startingOffsets.policy == SourceSpec.OffsetPolicy.TIMESTAMP) {
            source.startingOffsets.timestamp = "2026-11-20T00:00:00" + pick(random, List.of("Z", "+02:00", ".5Z"));
        }
        List<String> names = new ArrayList<>(FIELD_NAMES);
        Collections.shuffle(names, random);
        int size = 1 + random.nextInt(6);
        for (String name : names.subList(0, size)) {
            SchemaField field = new SchemaField(name, pick(random, List.of(FieldType.values())), random.nextBoolean());
            if ((field.type == FieldType.LONG || field.type == FieldType.DOUBLE) && random.nextBoolean()) {
                field.min = (double) -random.nextInt(100);
                field.max = (double) random.nextInt(1000);
            }
            if (field.type == FieldType.STRING && random.nextInt(3) == 0) {
                field.pattern = "^[a-z]-[0-9]{1,6}$";
            }
            source.schema.add(field);
        }
        return source;
    }

    private static TransformSpec transform(Random random, SourceSpec source) {
        TransformSpec transform = new TransformSpec();
        List<String> names = new ArrayList<>(source.schema.stream().map(f -> f.name).toList());
        Collections.shuffle(names, random);
        transform.keyBy = new ArrayList<>(names.subList(0, 1 + random.nextInt(Math.min(3, names.size()))));
        if (random.nextBoolean()) {
            return transform;
        }
        // A window needs event time: a timestamp or long field.
        SchemaField time = source.schema.stream().filter(f -> f.type == FieldType.TIMESTAMP || f.type == FieldType.LONG)
                .findAny().orElseGet(() -> {
                    String free = FIELD_NAMES.stream().filter(n -> source.schema.stream().noneMatch(f -> f.name.equals(n)))
                            .findFirst().orElseThrow();
                    SchemaField added = new SchemaField(free, FieldType.TIMESTAMP, true);
                    source.schema.add(added);
                    return added;
                });
        source.eventTime = new SourceSpec.EventTime();
        source.eventTime.field = time.name;
        source.eventTime.maxOutOfOrderness = pick(random, List.of("0s", "5s", "15s", "1m"));
        if (random.nextBoolean()) {
            source.eventTime.idleTimeout = pick(random, List.of("30s", "1m", "5m"));
        }
        transform.window = new TransformSpec.Window();
        transform.window.type = pick(random, List.of(TransformSpec.WindowType.values()));
        switch (transform.window.type) {
            case TUMBLING -> transform.window.size = pick(random, DURATIONS);
            case SLIDING -> {
                int size = 1 + random.nextInt(DURATIONS.size() - 1);
                transform.window.size = DURATIONS.get(size);
                transform.window.slide = DURATIONS.get(random.nextInt(size));
            }
            case SESSION -> transform.window.gap = pick(random, DURATIONS);
        }
        if (random.nextBoolean()) {
            transform.window.allowedLateness = pick(random, List.of("0s", "10s", "2m", "1h"));
        }
        List<String> numeric = source.schema.stream().filter(f -> f.type == FieldType.LONG || f.type == FieldType.DOUBLE)
                .map(f -> f.name).toList();
        List<String> aggregateNames = new ArrayList<>(AGGREGATE_NAMES);
        aggregateNames.removeAll(transform.keyBy);
        Collections.shuffle(aggregateNames, random);
        int count = 1 + random.nextInt(4);
        for (String aggregateName : aggregateNames.subList(0, count)) {
            AggregateFunction fn = numeric.isEmpty() ? AggregateFunction.COUNT : pick(random, List.of(AggregateFunction.values()));
            transform.aggregates.add(new Aggregate(aggregateName, fn, fn == AggregateFunction.COUNT ? null : pick(random, numeric)));
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            transform.having.add(new TransformSpec.Having(pick(random, transform.aggregates).name,
                    pick(random, List.of(TransformSpec.Comparison.values())), random.nextInt(100)));
        }
        return transform;
    }

    private static SinkSpec sink(Random random, TransformSpec transform) {
        SinkSpec sink = new SinkSpec();
        sink.postgres = new SinkSpec.Postgres();
        sink.postgres.jdbcUrl = pick(random, List.of("jdbc:postgresql://pg:5432/analytics", "jdbc:postgresql://db.example:5432/x?sslmode=require"));
        sink.postgres.table = pick(random, TABLES);
        if (random.nextBoolean()) {
            List<String> key = new ArrayList<>(transform.keyBy);
            if (transform.window != null) {
                key.add("window_start");
            }
            Collections.shuffle(key, random);
            sink.postgres.primaryKey = key;
        }
        if (random.nextInt(4) != 0) {
            sink.postgres.credentialsSecretRef = new SecretKeyRef("pg-creds");
        }
        sink.postgres.createTable = random.nextBoolean();
        sink.postgres.batch.size = 1 + random.nextInt(5000);
        sink.postgres.batch.interval = pick(random, List.of("50ms", "200ms", "1s"));
        sink.postgres.maxRetries = random.nextInt(10);
        return sink;
    }

    private static CheckpointingSpec checkpointing(Random random) {
        CheckpointingSpec checkpointing = new CheckpointingSpec();
        checkpointing.interval = pick(random, List.of("1s", "10s", "30s", "1m", "5m"));
        checkpointing.timeout = pick(random, List.of("10m", "30m", "1h"));
        if (random.nextBoolean()) {
            checkpointing.minPause = pick(random, List.of("0s", "500ms", "5s"));
        }
        checkpointing.mode = pick(random, List.of(CheckpointingSpec.Mode.values()));
        CheckpointingSpec.Storage storage = new CheckpointingSpec.Storage();
        checkpointing.storage = storage;
        switch (random.nextInt(5)) {
            case 0 -> {
                storage.s3 = new CheckpointingSpec.S3();
                storage.s3.bucket = "flink-state";
                storage.s3.prefix = random.nextBoolean() ? null : pick(random, List.of("streampipe", "/a/b/", ""));
                storage.s3.endpoint = random.nextBoolean() ? null : "http://minio:9000";
                storage.s3.pathStyleAccess = random.nextBoolean() ? null : true;
                storage.s3.region = random.nextBoolean() ? null : "eu-west-1";
                storage.s3.credentialsSecretRef = random.nextBoolean() ? null : cloud("s3-creds");
            }
            case 1 -> {
                storage.gcs = new CheckpointingSpec.Gcs();
                storage.gcs.bucket = "flink-state";
                storage.gcs.credentialsSecretRef = random.nextBoolean() ? null : cloud("gcs-key");
            }
            case 2 -> {
                storage.azure = new CheckpointingSpec.Azure();
                storage.azure.account = "flinkstate";
                storage.azure.container = "checkpoints";
                storage.azure.credentialsSecretRef = random.nextBoolean() ? null : cloud("azure-key");
            }
            case 3 -> {
                storage.pvc = new CheckpointingSpec.Pvc();
                storage.pvc.size = pick(random, List.of("10Gi", "500Mi", "1Ti"));
                storage.pvc.storageClassName = random.nextBoolean() ? null : "nfs";
            }
            default -> storage.path = pick(random, List.of("file:///mnt/flink", "hdfs://namenode/flink"));
        }
        return checkpointing;
    }

    private static CheckpointingSpec.CloudCredentials cloud(String name) {
        CheckpointingSpec.CloudCredentials credentials = new CheckpointingSpec.CloudCredentials();
        credentials.name = name;
        return credentials;
    }

    /** One way a manifest can be wrong, by name (the name is what a failing sample shows). */
    record Mistake(String name, Consumer<StreamingPipelineSpec> edit) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Mistake mistake(String name, Consumer<StreamingPipelineSpec> edit) {
        return new Mistake(name, edit);
    }

    /** Edits a valid spec cannot survive; each is something the CRD refuses, and SpecValidator must too. */
    static final List<Mistake> MISTAKES = List.of(
            mistake("no source", s -> s.source = null),
            mistake("no kafka", s -> s.source.kafka = null),
            mistake("no transform", s -> s.transform = null),
            mistake("no keyBy", s -> s.transform.keyBy.clear()),
            mistake("no sink", s -> s.sink = null),
            mistake("no postgres sink", s -> s.sink.postgres = null),
            mistake("no dead-letter table", s -> s.deadLetter = null),
            mistake("no checkpointing", s -> s.checkpointing = null),
            mistake("no checkpoint storage", s -> s.checkpointing.storage = null),
            mistake("empty checkpoint storage", s -> s.checkpointing.storage = new CheckpointingSpec.Storage()),
            mistake("two checkpoint storages", s -> {
                s.checkpointing.storage.path = "hdfs://nn/x";
                s.checkpointing.storage.gcs = new CheckpointingSpec.Gcs();
                s.checkpointing.storage.gcs.bucket = "b";
            }),
            mistake("empty schema", s -> s.source.schema.clear()),
            mistake("schema field without type", s -> s.source.schema.get(0).type = null),
            mistake("duplicate schema field", s -> s.source.schema.add(new SchemaField(s.source.schema.get(0).name, FieldType.STRING, false))),
            mistake("upper-case field", s -> s.source.schema.get(0).name = "Temperature"),
            mistake("unknown keyBy field", s -> s.transform.keyBy.set(0, "nope")),
            mistake("repeated keyBy field", s -> s.transform.keyBy.add(s.transform.keyBy.get(0))),
            mistake("parallelism 0", s -> s.parallelism = 0),
            mistake("maxParallelism below parallelism", s -> {
                s.parallelism = Math.max(2, s.parallelism);
                s.maxParallelism = s.parallelism - 1;
            }),
            mistake("bad table", s -> s.sink.postgres.table = "alerts; DROP TABLE users"),
            mistake("bad dead-letter table", s -> s.deadLetter.table = "Rejects"),
            mistake("bad jdbc url", s -> s.sink.postgres.jdbcUrl = "postgres://pg/x"),
            mistake("both topic and pattern", s -> {
                s.source.kafka.topic = "a";
                s.source.kafka.topicPattern = "b.*";
            }),
            mistake("neither topic nor pattern", s -> {
                s.source.kafka.topic = null;
                s.source.kafka.topicPattern = null;
            }),
            mistake("broken topic pattern", s -> {
                s.source.kafka.topic = null;
                s.source.kafka.topicPattern = "orders-(";
            }),
            mistake("broken field pattern", s -> {
                s.source.schema.get(0).type = FieldType.STRING;
                s.source.schema.get(0).pattern = "[a-";
            }),
            mistake("password in kafka properties", s -> s.source.kafka.properties = Map.of("ssl.keystore.password", "x")),
            mistake("bad checkpoint interval", s -> s.checkpointing.interval = "5 minutes"),
            mistake("bad checkpoint timeout", s -> s.checkpointing.timeout = "forever"),
            mistake("bad checkpoint min pause", s -> s.checkpointing.minPause = "1.5s"),
            mistake("bad upgrade timeout", s -> s.upgrade.timeout = "10"),
            mistake("bad periodic savepoint", s -> s.savepoints.periodic = "hourly"),
            mistake("bad savepoint retention age", s -> s.savepoints.retain.age = "7d"),
            mistake("bad deletion timeout", s -> s.deletion.timeout = "5 m"),
            mistake("bad batch interval", s -> s.sink.postgres.batch.interval = "soon"),
            mistake("bad starting timestamp", s -> {
                s.source.startingOffsets.policy = SourceSpec.OffsetPolicy.TIMESTAMP;
                s.source.startingOffsets.timestamp = "yesterday";
            }),
            mistake("timestamp policy without timestamp", s -> {
                s.source.startingOffsets.policy = SourceSpec.OffsetPolicy.TIMESTAMP;
                s.source.startingOffsets.timestamp = null;
            }),
            mistake("bad task manager memory", s -> s.resources.taskManager.memory = "lots"),
            mistake("bad job manager cpu", s -> s.resources.jobManager.cpu = "one"),
            mistake("bad pvc size", s -> {
                s.checkpointing.storage = new CheckpointingSpec.Storage();
                s.checkpointing.storage.pvc = new CheckpointingSpec.Pvc();
                s.checkpointing.storage.pvc.size = "big";
            }),
            mistake("min above max", s -> {
                s.source.schema.get(0).type = FieldType.DOUBLE;
                s.source.schema.get(0).min = 10.0;
                s.source.schema.get(0).max = 1.0;
            }),
            mistake("late data with table and drop", s -> {
                s.lateData = new LateDataSpec();
                s.lateData.table = "late";
                s.lateData.drop = true;
            }),
            mistake("offset reset to timestamp without one", s -> {
                s.offsetReset = new OffsetResetSpec();
                s.offsetReset.token = "r";
                s.offsetReset.to = OffsetResetSpec.Target.TIMESTAMP;
            }),
            mistake("offset reset timestamp malformed", s -> {
                s.offsetReset = new OffsetResetSpec();
                s.offsetReset.token = "r";
                s.offsetReset.to = OffsetResetSpec.Target.TIMESTAMP;
                s.offsetReset.timestamp = "noon";
            }),
            mistake("offset reset without token", s -> {
                s.offsetReset = new OffsetResetSpec();
                s.offsetReset.to = OffsetResetSpec.Target.LATEST;
            }),
            mistake("offset reset without target", s -> {
                s.offsetReset = new OffsetResetSpec();
                s.offsetReset.token = "r2";
            }),
            mistake("restore without token", s -> {
                s.restore = new RestoreSpec();
                s.restore.savepointPath = "s3://b/sp";
            }),
            mistake("restore from a bare path", s -> {
                s.restore = new RestoreSpec();
                s.restore.token = "t";
                s.restore.savepointPath = "/savepoints/savepoint-1";
            }),
            mistake("trigger token with a space", s -> s.savepoints.triggerToken = "take one"),
            mistake("window without aggregates", s -> {
                if (s.transform.window != null) {
                    s.transform.aggregates.clear();
                } else {
                    s.transform.aggregates.add(new Aggregate("n", AggregateFunction.COUNT, null));
                }
            }),
            mistake("window type missing", s -> {
                s.transform.window = new TransformSpec.Window();
                s.transform.aggregates = new ArrayList<>(List.of(new Aggregate("n", AggregateFunction.COUNT, null)));
            }),
            mistake("sliding window slide as long as size", s -> {
                s.transform.window = new TransformSpec.Window();
                s.transform.window.type = TransformSpec.WindowType.SLIDING;
                s.transform.window.size = "1m";
                s.transform.window.slide = "60s";
            }),
            mistake("bad allowed lateness", s -> {
                s.transform.window = new TransformSpec.Window();
                s.transform.window.type = TransformSpec.WindowType.TUMBLING;
                s.transform.window.size = "1m";
                s.transform.window.allowedLateness = "late";
            }),
            mistake("sum of a string", s -> {
                s.source.schema.add(new SchemaField("label_x", FieldType.STRING, false));
                s.transform.aggregates = new ArrayList<>(List.of(new Aggregate("s", AggregateFunction.SUM, "label_x")));
            }),
            mistake("aggregate without fn", s -> s.transform.aggregates = new ArrayList<>(List.of(new Aggregate("s", null, null)))),
            mistake("having on an unknown aggregate", s -> s.transform.having.add(new TransformSpec.Having("median", TransformSpec.Comparison.GT, 1))),
            mistake("aggregate named window_start", s -> s.transform.aggregates = new ArrayList<>(List.of(
                    new Aggregate("window_start", AggregateFunction.COUNT, null)))),
            mistake("primary key that is not the key", s -> s.sink.postgres.primaryKey = List.of("window_end")),
            mistake("event time on a boolean", s -> {
                s.source.schema.add(new SchemaField("flag_x", FieldType.BOOLEAN, false));
                s.source.eventTime = new SourceSpec.EventTime();
                s.source.eventTime.field = "flag_x";
            }),
            mistake("bad out-of-orderness", s -> {
                s.source.schema.add(new SchemaField("ts_x", FieldType.TIMESTAMP, false));
                s.source.eventTime = new SourceSpec.EventTime();
                s.source.eventTime.field = "ts_x";
                s.source.eventTime.maxOutOfOrderness = "-5s";
            }),
            mistake("late-data table is the result table", s -> {
                s.lateData = new LateDataSpec();
                s.lateData.table = s.sink.postgres.table;
            }),
            mistake("dead-letter table is the result table", s -> s.deadLetter.table = "public." + s.sink.postgres.table),
            mistake("late data without a window", s -> {
                s.transform.window = null;
                s.transform.aggregates.clear();
                s.transform.having.clear();
                s.lateData = new LateDataSpec();
                s.lateData.drop = true;
            }),
            mistake("SASL mechanism without SASL", s -> {
                s.source.kafka.securityProtocol = SourceSpec.SecurityProtocol.SSL;
                s.source.kafka.saslMechanism = SourceSpec.SaslMechanism.PLAIN;
            }),
            mistake("Kafka credentials without SASL", s -> {
                s.source.kafka.securityProtocol = SourceSpec.SecurityProtocol.PLAINTEXT;
                s.source.kafka.saslMechanism = null;
                s.source.kafka.credentialsSecretRef = new SecretKeyRef("kafka-creds");
            }),
            mistake("SASL without credentials", s -> {
                s.source.kafka.securityProtocol = SourceSpec.SecurityProtocol.SASL_SSL;
                s.source.kafka.credentialsSecretRef = null;
            }),
            mistake("suspended with stateless upgrades", s -> {
                s.state = StreamingPipelineSpec.State.SUSPENDED;
                s.upgrade.mode = UpgradeSpec.Mode.STATELESS;
            }),
            mistake("offset reset keeping state with stateless upgrades", s -> {
                s.upgrade.mode = UpgradeSpec.Mode.STATELESS;
                s.offsetReset = new OffsetResetSpec();
                s.offsetReset.token = "r3";
                s.offsetReset.to = OffsetResetSpec.Target.EARLIEST;
            }),
            mistake("checkpoint interval in flinkConfiguration", s -> s.flinkConfiguration = Map.of("execution.checkpointing.interval", "1s")),
            mistake("last-state on a local path", s -> {
                s.upgrade.mode = UpgradeSpec.Mode.LAST_STATE;
                s.checkpointing.storage = new CheckpointingSpec.Storage();
                s.checkpointing.storage.path = "file:///tmp/flink";
            }));
}
