package io.streampipe.scenarios;

import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.TransformSpec;
import io.streampipe.standin.fko.FkoConfig;
import io.streampipe.standin.flink.rest.FlinkRestClient;
import io.streampipe.standin.flink.rest.JarRun;
import io.streampipe.testkit.kube.KubeApiServer;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static io.streampipe.scenarios.Sandbox.condition;

/**
 * {@code e2e/bin/bench upgrade} (issue 15): what a savepoint upgrade through our operator costs in downtime, against
 * Flink's own floor for the same state on the same machine. Not a test of CI (its name does not end in IT); the
 * script runs it with {@code -Dit.test=UpgradeDowntimeBench}.
 *
 * <p>For each state size, one pipeline (a 1 s tumbling count per key, allowed lateness 2 h, so every window a key had
 * in the last two hours stays in state, and {@code having: events > 1}) first reads a backlog of events, each in its own
 * key and window, then a live producer keeps rows coming every second. The backlog's windows hold one event each: they
 * fire, stay in state until their allowed lateness is over, and write no row (the having condition), so the state is
 * built at the speed the job reads and keeps events, not at the speed PostgreSQL takes millions of rows. The live
 * producer's windows hold about five events each and are written. The backlog counts as read when the pipeline's
 * consumer group has committed its end offsets, which Flink does when a checkpoint holding it completes.
 *
 * <p>Before the upgrade, one savepoint in each format (canonical, native) is taken of the loaded job through the REST
 * API and timed: the Flink operator takes the format {@code kubernetes.operator.savepoint.format.type} names.
 *
 * <p>Measured, in the same run:
 * <ul>
 *   <li><b>operator</b>: a spec change (a new image tag) to the first newer row in the table, and the operator's own
 *       {@code status.lastUpgradeDowntime};</li>
 *   <li><b>floor</b>: on the cluster the upgrade left running, with our operator stopped, Flink's REST API alone:
 *       stop-with-savepoint, then the same jar run from that savepoint to RUNNING, and to the first newer row.</li>
 * </ul>
 * The state's size is the whole state of the last completed checkpoint (the JobManager's {@code state_size}; with
 * RocksDB's incremental checkpoints, the files the checkpoint refers to, which include what RocksDB has not compacted
 * away yet).
 */
class UpgradeDowntimeBench {
    private static final Path OUT = Path.of(System.getProperty("streampipe.sandboxState")).resolveSibling("bench-upgrade.txt");
    private static final Path WORK = Path.of(System.getProperty("streampipe.sandboxState")).resolveSibling("bench-upgrade-work");
    private static final int PARTITIONS = 4;
    private static final int KEYS = 10_000;
    /**
     * The backlog's device ids: "k" and the key's number, or, with {@code streampipe.bench.keyBytes}, that many bytes:
     * the number, then hex digits of a hash of it, as long unique device ids (URNs, paths) are. The state grows with the
     * key's bytes at the same number of windows, and reading the backlog costs per event, so wide keys reach a large
     * state in the time a backlog of this machine allows.
     */
    private static final int KEY_BYTES = BenchBacklog.keyBytes(System.getProperty("streampipe.bench.keyBytes", "0"));
    /** Extra {@code spec.flinkConfiguration} of the pipeline, "key=value,key=value" (e.g. RocksDB options). */
    private static final Map<String, String> FLINK_CONFIGURATION = BenchBacklog.flinkConfiguration(System.getProperty("streampipe.bench.flinkConf", ""));
    /** The savepoint of a large state takes minutes on this machine; spec.upgrade.timeout is 10 min. */
    private static final Duration UPGRADE_PATIENCE = Duration.ofMinutes(12);

    @RegisterExtension
    static final KubeApiServer API_SERVER = new KubeApiServer().withCrds(Path.of(System.getProperty("streampipe.crd")));

    private static Sandbox sandbox;
    private final List<String> lines = new ArrayList<>();

    @BeforeAll
    static void startTheSandbox() throws Exception {
        org.apache.commons.io.FileUtils.deleteDirectory(WORK.toFile());
        sandbox = Sandbox.start(API_SERVER, WORK);
    }

    @AfterAll
    static void stopTheSandbox() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void upgradeDowntimeAgainstFlinksFloor() throws Exception {
        List<Long> backlogs = java.util.Arrays.stream(System.getProperty("streampipe.bench.windows", "0,300000").split(","))
                .map(String::trim).map(Long::parseLong).toList();
        int run = 0;
        for (long windows : backlogs) {
            measure("bench-" + run++, windows);
        }
    }

    private void measure(String name, long windows) throws Exception {
        TickProducer.createTopic("kafka:9092", name, PARTITIONS);
        long produced = produceBacklog(name, windows);
        Map<TopicPartition, Long> backlogEnd = endOffsets(name);
        try (TickProducer ticker = new TickProducer("kafka:9092", name, PARTITIONS, 25).start();
             TicksTable table = new TicksTable("jdbc:postgresql://postgres:5432/analytics", sandbox.secretValue("analytics-db", "username"),
                     sandbox.secretValue("analytics-db", "password"), name.replace('-', '_'), name.replace('-', '_') + "_late")) {
            sandbox.client.resource(pipeline(name)).create();
            sandbox.awaitStatus(name, "Ready", status -> "True".equals(condition(status, "Ready")) && status.job != null
                    && "RUNNING".equals(status.job.state));
            long reading = System.currentTimeMillis();
            // Allow 1,000 events a second, the slowest backlog seen here.
            Duration backlogPatience = Sandbox.PATIENCE.plusSeconds(windows / 1000);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", "kafka:9092"))) {
                Sandbox.awaitTrue(name + ": the backlog read and checkpointed", backlogPatience, () -> committedAtLeast(admin, name, backlogEnd));
            }
            long caughtUp = System.currentTimeMillis();
            StreamingPipelineStatus loaded = sandbox.awaitStatus(name, "a checkpoint after the backlog", status -> status.lastCheckpoint != null
                    && Instant.parse(status.lastCheckpoint.time).toEpochMilli() > caughtUp);
            Sandbox.awaitTrue("a row of the live events", () -> table.firstProgressAfter(caughtUp) > 0);
            // The whole state (the status's sizeBytes is what an incremental checkpoint added).
            FlinkRestClient loadedRest = sandbox.standIn().cluster(Sandbox.NAMESPACE, name).orElseThrow().rest();
            long stateBytes = loadedRest.checkpoints(loaded.job.id).latestCompleted().orElseThrow().stateSize();
            line(name + ".backlog_windows", Long.toString(produced));
            line(name + ".flink_configuration", FLINK_CONFIGURATION.isEmpty() ? "none" : FLINK_CONFIGURATION.toString());
            line(name + ".backlog_key_bytes", Integer.toString(BenchBacklog.deviceId(KEYS - 1, KEY_BYTES).length()));
            line(name + ".backlog_read_s", seconds(caughtUp - reading));
            line(name + ".backlog_events_per_s", Long.toString(produced * 1000 / Math.max(1, caughtUp - reading)));
            line(name + ".state_bytes", Long.toString(stateBytes));

            // Both savepoint formats of the loaded job, timed; the job runs on.
            String formatsDirectory = WORK.resolve("format-savepoints").toUri().toString();
            for (SavepointFormatType format : List.of(SavepointFormatType.CANONICAL, SavepointFormatType.NATIVE)) {
                String key = name + ".savepoint_" + format.name().toLowerCase(Locale.ROOT);
                TimedSavepoint taken = timedSavepoint(loadedRest, loaded.job.id, formatsDirectory, format);
                line(key + "_s", taken.seconds());
                line(key + "_bytes", taken.location().map(UpgradeDowntimeBench::bytesOnDisk).map(String::valueOf).orElse("none"));
            }

            // Through the operator: a new image tag, a savepoint upgrade.
            String jobBefore = loaded.job.id;
            long changed = System.currentTimeMillis();
            sandbox.edit(name, p -> p.getSpec().image = "ghcr.io/streampipe/pipeline-job:0.1.0-" + name);
            StreamingPipelineStatus upgraded = sandbox.awaitStatus(name, "upgraded", UPGRADE_PATIENCE, status -> "True".equals(condition(status, "Ready"))
                    && status.job != null && !jobBefore.equals(status.job.id) && "RUNNING".equals(status.job.state) && status.upgrade == null);
            long runningAgain = System.currentTimeMillis();
            Sandbox.awaitTrue("a row after the upgrade", () -> table.firstProgressAfter(Math.max(changed, runningAgain)) > 0);
            long operatorFirstRow = table.firstProgressAfter(Math.max(changed, runningAgain)) - changed;
            long operatorStall = table.longestStallMillis(changed, changed + operatorFirstRow);

            // Flink's floor, on the cluster the upgrade left running, with our operator out of the way.
            sandbox.stopOperator();
            var application = sandbox.standIn().application(Sandbox.NAMESPACE, name).orElseThrow();
            FlinkRestClient rest = sandbox.standIn().cluster(Sandbox.NAMESPACE, name).orElseThrow().rest();
            String savepointDirectory = WORK.resolve("floor-savepoints").toUri().toString();
            long stopStart = System.currentTimeMillis();
            SavepointFormatType format = FkoConfig.of(sandbox.client.resources(FlinkDeployment.class).inNamespace(Sandbox.NAMESPACE)
                    .withName(name).get()).savepointFormatType();
            String trigger = rest.stopWithSavepoint(upgraded.job.id, savepointDirectory, format);
            String savepoint = rest.awaitSavepoint(upgraded.job.id, trigger, Duration.ofMinutes(10));
            long stopped = System.currentTimeMillis();
            String jarId = rest.uploadJar(application.getKey());
            String floorJob = rest.runJar(jarId, application.getValue().fromSavepoint(savepoint, false));
            Sandbox.awaitTrue("the floor's job RUNNING", () -> "RUNNING".equals(rest.job(floorJob).state())
                    && rest.job(floorJob).taskCounts().getOrDefault("RUNNING", 0) > 0);
            long running = System.currentTimeMillis();
            Sandbox.awaitTrue("a row after the floor's restore", () -> table.firstProgressAfter(running) > 0);
            long floorFirstRow = table.firstProgressAfter(running) - stopStart;
            sandbox.startOperator();

            String size = String.format(Locale.ROOT, "%.1f MB", stateBytes / 1e6);
            line(name + ".floor_savepoint_format", format.name());
            line(name + ".floor_savepoint_bytes", Long.toString(bytesOnDisk(savepoint)));
            line(name + ".operator_change_to_first_row_s", seconds(operatorFirstRow));
            line(name + ".operator_results_stood_still_s", seconds(operatorStall));
            line(name + ".operator_status_lastUpgradeDowntime", upgraded.lastUpgradeDowntime);
            line(name + ".floor_stop_with_savepoint_s", seconds(stopped - stopStart));
            line(name + ".floor_restore_to_running_s", seconds(running - stopped));
            line(name + ".floor_stop_to_first_row_s", seconds(floorFirstRow));
            line(name + ".ratio_first_row", String.format(Locale.ROOT, "%.2f", (double) operatorFirstRow / floorFirstRow));
            line("summary", name + " (" + size + " of state): operator " + seconds(operatorFirstRow) + " s to the first new row, Flink's floor "
                    + seconds(floorFirstRow) + " s (" + format.name().toLowerCase(Locale.ROOT) + " stop-with-savepoint "
                    + seconds(stopped - stopStart) + " s + restore to RUNNING "
                    + seconds(running - stopped) + " s + first row), ratio "
                    + String.format(Locale.ROOT, "%.2f", (double) operatorFirstRow / floorFirstRow));
            sandbox.client.resources(StreamingPipeline.class).inNamespace(Sandbox.NAMESPACE).withName(name).delete();
        }
    }

    private record TimedSavepoint(String seconds, Optional<String> location) {
    }

    /** A savepoint of the running job in {@code format}, in seconds, and where; or why there is none within ten minutes. */
    private static TimedSavepoint timedSavepoint(FlinkRestClient rest, String jobId, String directory, SavepointFormatType format) {
        long start = System.currentTimeMillis();
        try {
            String location = rest.awaitSavepoint(jobId, rest.triggerSavepoint(jobId, directory, format), Duration.ofMinutes(10));
            return new TimedSavepoint(seconds(System.currentTimeMillis() - start), Optional.of(location));
        } catch (RuntimeException e) {
            return new TimedSavepoint("none after " + seconds(System.currentTimeMillis() - start) + " s: "
                    + e.getMessage().lines().findFirst().orElse(""), Optional.empty());
        }
    }

    /** The bytes of a savepoint the local clusters wrote (its directory's files). */
    private static long bytesOnDisk(String location) {
        Path directory = Path.of(java.net.URI.create(location.startsWith("file:") ? location : "file://" + location));
        try (var files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "kafka:9092"))) {
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (int partition = 0; partition < PARTITIONS; partition++) {
                latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> ends = new java.util.HashMap<>();
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((partition, info) -> ends.put(partition, info.offset()));
            return ends;
        }
    }

    /** Whether the consumer group (the pipeline's name) has committed at least these offsets. */
    private static boolean committedAtLeast(Admin admin, String group, Map<TopicPartition, Long> offsets) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            return offsets.entrySet().stream().allMatch(end -> committed.get(end.getKey()) != null
                    && committed.get(end.getKey()).offset() >= end.getValue());
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * {@code windows} events, each the only one of its key and 1 s window, in event-time order, the last a minute before
     * now: their state goes at window end + 2 h (the allowed lateness), after the measurement. (A backlog that began
     * 100 min ago had its cleanup due 20 min later; once the live watermark reached it, every window of the backlog was
     * purged at once, which held the savepoint's barrier for minutes and left no state to restore.)
     */
    private static long produceBacklog(String topic, long windows) {
        if (windows == 0) {
            return 0;
        }
        long span = (windows + KEYS - 1) / KEYS * 1000;
        long start = System.currentTimeMillis() - span - Duration.ofMinutes(1).toMillis();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092",
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024), new StringSerializer(), new StringSerializer())) {
            for (long i = 0; i < windows; i++) {
                String key = BenchBacklog.deviceId(i % KEYS, KEY_BYTES);
                long ts = start + (i / KEYS) * 1000;
                producer.send(new ProducerRecord<>(topic, (int) (i % PARTITIONS), ts, key,
                        "{\"device\":\"" + key + "\",\"seq\":" + (1_000_000_000L + i) + ",\"ts\":\"" + Instant.ofEpochMilli(ts) + "\"}"));
            }
            producer.flush();
        }
        return windows;
    }

    private static StreamingPipeline pipeline(String name) {
        StreamingPipeline pipeline = sandbox.client.resources(StreamingPipeline.class)
                .load(UpgradeDowntimeBench.class.getResourceAsStream("/ticks.yaml")).item();
        pipeline.getMetadata().setName(name);
        pipeline.getMetadata().setNamespace(Sandbox.NAMESPACE);
        StreamingPipelineSpec spec = pipeline.getSpec();
        spec.source.kafka.topic = name;
        spec.source.kafka.groupId = name;
        spec.transform.window.size = "1s";
        spec.transform.window.allowedLateness = "2h";
        // The backlog's windows (one event each) stay in state but write no row; the live ones (about five) do.
        spec.transform.having = List.of(new TransformSpec.Having("events", TransformSpec.Comparison.GT, 1));
        spec.sink.postgres.table = name.replace('-', '_');
        spec.lateData.table = name.replace('-', '_') + "_late";
        spec.deadLetter.table = name.replace('-', '_') + "_rejects";
        spec.checkpointing.interval = "10s";
        spec.upgrade.stableCheckpoints = 1;
        spec.upgrade.timeout = "10m";
        spec.deletion.policy = io.streampipe.api.v1alpha1.DeletionSpec.Policy.CANCEL;
        if (!FLINK_CONFIGURATION.isEmpty()) {
            spec.flinkConfiguration = new java.util.LinkedHashMap<>(FLINK_CONFIGURATION);
        }
        return pipeline;
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f", millis / 1000.0);
    }

    private void line(String key, String value) throws java.io.IOException {
        String line = key + ": " + value;
        lines.add(line);
        System.out.println(line);
        Files.write(OUT, lines);
    }
}
