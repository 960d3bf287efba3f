package io.streampipe.scenarios;

import io.streampipe.api.v1alpha1.OffsetResetSpec;
import io.streampipe.api.v1alpha1.RestoreSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.TransformSpec;
import io.streampipe.scenarios.TickProducer.Tick;
import io.streampipe.scenarios.TicksOracle.Difference;
import io.streampipe.scenarios.TicksOracle.Window;
import io.streampipe.testkit.kube.KubeApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static io.streampipe.scenarios.Sandbox.condition;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every lifecycle operation on a running stateful pipeline, end to end on the sandbox, while a producer writes
 * continuously: our operator, the Flink Kubernetes Operator's stand-in, real Flink JVMs, Kafka and PostgreSQL. After
 * each operation the result table is compared, row by row, with an oracle computed from the events the producer had
 * acknowledged ({@link TicksOracle}), and the scenario reports how long the results stood still and how many events
 * were duplicated and missing. An operation that promises to keep state must end at 0 and 0.
 *
 * <p>One pipeline goes through the operations in turn (the order lets each start from a known state): apply; rescale
 * 2 → 4 → 1; a new image (a savepoint upgrade); an on-demand savepoint, suspend, resume, and a restore of the earlier
 * savepoint; a TaskManager killed; our operator stopped and started at every step of an upgrade and of an offset reset;
 * an offset reset to a timestamp that keeps state; a change that drops state with the opt-in; an offset reset to the
 * earliest offset without state; a state-incompatible change refused; delete with a final savepoint and re-create.
 */
class LifecycleScenariosIT {
    private static final String NAME = "ticks";
    private static final String TOPIC = "ticks";
    private static final int PARTITIONS = 4;
    /** How long a scenario may take to bring the table level with the oracle once the operation has settled. */
    private static final Duration CATCH_UP = Duration.ofSeconds(90);

    @RegisterExtension
    static final KubeApiServer API_SERVER = new KubeApiServer().withCrds(Path.of(System.getProperty("streampipe.crd")));

    /** The Flink clusters' work directories (their logs included), kept after the run for whoever reads a failure. */
    private static final Path WORK = Path.of(System.getProperty("streampipe.sandboxState")).resolveSibling("lifecycle-work");
    private static Sandbox sandbox;
    private static TickProducer producer;
    private static TicksTable table;

    /** What each scenario measured, printed as a table at the end (and as far as it got on a failure). */
    private final List<String> report = new ArrayList<>();
    /** Events the operations so far were allowed to lose (a change with the opt-in that drops state); cleared by a reprocess. */
    private final Set<Window> excused = new HashSet<>();
    /** Events the producer sent that no offset policy reads (skipped by an offset reset to a timestamp). */
    private final Set<Long> skipped = new HashSet<>();

    @BeforeAll
    static void startTheSandbox() throws Exception {
        org.apache.commons.io.FileUtils.deleteDirectory(WORK.toFile());
        sandbox = Sandbox.start(API_SERVER, WORK);
        TickProducer.createTopic("kafka:9092", TOPIC, PARTITIONS);
        table = new TicksTable("jdbc:postgresql://postgres:5432/analytics", sandbox.secretValue("analytics-db", "username"),
                sandbox.secretValue("analytics-db", "password"), "ticks_2s", "ticks_late");
    }

    @AfterAll
    static void stopTheSandbox() {
        if (producer != null) {
            producer.close();
        }
        if (table != null) {
            table.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void everyOperationKeepsTheResultsEqualToTheOracle() throws Exception {
        try {
            apply();
            theUpgradeIsRecordedAsStable(upgrade("rescale 2 → 4", p -> p.getSpec().parallelism = 4,
                    s -> Integer.valueOf(4).equals(s.job.parallelism)));
            upgrade("rescale 4 → 1", p -> p.getSpec().parallelism = 1, s -> Integer.valueOf(1).equals(s.job.parallelism));
            upgrade("new image tag (savepoint upgrade)", p -> p.getSpec().image = "ghcr.io/streampipe/pipeline-job:0.1.0-patched", s -> true);
            savepointSuspendResumeAndRestore();
            killATaskManager();
            operatorRestartedAtEveryStep();
            offsetResetToATimestampKeepingState();
            stateDroppedWithTheOptIn();
            offsetResetToEarliestWithoutState();
            incompatibleChangeRefused();
            deleteAndRecreate();
            assertThat(table.lateEvents()).as("no event of this pipeline is ever late (event time only moves forward)").isZero();
            theOperatorOwnsOnlyStatusAndItsFinalizer();
        } finally {
            String printed = "| scenario | results stood still | duplicated | missing | notes |\n|---|---|---|---|---|\n"
                    + String.join("\n", report);
            System.out.println("Lifecycle scenarios:\n" + printed);
            Files.writeString(Path.of(System.getProperty("streampipe.sandboxState")).resolveSibling("lifecycle-scenarios.md"), printed);
        }
    }

    /** 1. Apply: Ready with the job RUNNING, and the table equal to the oracle. */
    private void apply() throws Exception {
        producer = new TickProducer("kafka:9092", TOPIC, PARTITIONS, 25).start();
        StreamingPipeline pipeline = sandbox.client.resources(StreamingPipeline.class)
                .load(LifecycleScenariosIT.class.getResourceAsStream("/ticks.yaml")).item();
        pipeline.getMetadata().setNamespace(Sandbox.NAMESPACE);
        long applied = System.currentTimeMillis();
        sandbox.client.resource(pipeline).create();
        StreamingPipelineStatus ready = sandbox.awaitStatus(NAME, "Ready with its job RUNNING", this::running);
        assertThat(ready.phase).isEqualTo("Running");
        long firstRow = awaitProgressAfter(applied);
        Difference difference = awaitEqualToTheOracle("apply");
        record("apply → first row", firstRow - applied, difference, "Ready=True, job " + ready.job.id);
    }

    /**
     * A change that takes a savepoint upgrade: the old job stops with a savepoint, the new one restores it. Nothing
     * may be lost or counted twice.
     */
    private StreamingPipelineStatus upgrade(String scenario, Consumer<StreamingPipeline> change,
                                            Predicate<StreamingPipelineStatus> applied) throws Exception {
        String jobBefore = sandbox.status(NAME).job.id;
        long changed = System.currentTimeMillis();
        sandbox.edit(NAME, change);
        StreamingPipelineStatus settled = sandbox.awaitStatus(NAME, scenario + " settled",
                status -> running(status) && !jobBefore.equals(status.job.id) && status.upgrade == null && applied.test(status));
        long resumed = awaitProgressAfter(settledAt(changed));
        Difference difference = awaitEqualToTheOracle(scenario);
        assertThat(savepointsSince("upgrade", changed)).as(scenario + ": one upgrade savepoint").isEqualTo(1);
        record(scenario, table.longestStallMillis(changed, resumed), difference,
                "status.lastUpgradeDowntime " + settled.lastUpgradeDowntime);
        return settled;
    }

    /**
     * Stable means checkpoints of the new job, as its JobManager reports them over REST, and no restart; the status
     * says which savepoint the upgrade went through and that the applied spec is now the stable one.
     */
    private static void theUpgradeIsRecordedAsStable(StreamingPipelineStatus upgraded) {
        assertThat(upgraded.lastCheckpoint.completedSinceStart).isGreaterThanOrEqualTo(2L);
        assertThat(upgraded.lastCheckpoint.id).isNotNull();
        assertThat(upgraded.lastCheckpoint.sizeBytes).isPositive();
        assertThat(upgraded.lastCheckpoint.duration).endsWith("s");
        assertThat(upgraded.job.restarts).isZero();
        assertThat(upgraded.lastStable.specHash).isEqualTo(upgraded.lastAppliedSpecHash);
        assertThat(upgraded.lastSavepoint.reason).isEqualTo("upgrade");
        assertThat(upgraded.lastSavepoint.path).startsWith("file:///flink-data/");
    }

    /** 5. An on-demand savepoint; suspend; resume; a restore of the on-demand savepoint (after a backup of today's state). */
    private void savepointSuspendResumeAndRestore() throws Exception {
        String job = sandbox.status(NAME).job.id;
        sandbox.edit(NAME, p -> p.getSpec().savepoints.triggerToken = "on-demand-1");
        StreamingPipelineStatus taken = sandbox.awaitStatus(NAME, "the on-demand savepoint taken",
                status -> "on-demand-1".equals(status.appliedTokens.savepoint) && status.lastSavepoint != null
                        && "manual".equals(status.lastSavepoint.reason));
        String onDemand = taken.lastSavepoint.path;
        assertThat(taken.job.id).as("a savepoint does not restart the job").isEqualTo(job);
        assertThat(taken.savepointHistory).extracting(savepoint -> savepoint.path).contains(onDemand);
        record("on-demand savepoint", 0, awaitEqualToTheOracle("on-demand savepoint"), "status.lastSavepoint " + onDemand);

        long suspended = System.currentTimeMillis();
        sandbox.edit(NAME, p -> p.getSpec().state = StreamingPipelineSpec.State.SUSPENDED);
        StreamingPipelineStatus off = sandbox.awaitStatus(NAME, "suspended", status -> "Suspended".equals(status.phase));
        assertThat(off.lastSavepoint.reason).isEqualTo("suspend");
        Thread.sleep(3_000); // events arrive while the pipeline is suspended; the resumed job must read each of them once
        long resumedAt = System.currentTimeMillis();
        sandbox.edit(NAME, p -> p.getSpec().state = StreamingPipelineSpec.State.RUNNING);
        StreamingPipelineStatus on = sandbox.awaitStatus(NAME, "resumed", status -> running(status) && !job.equals(status.job.id));
        long resumed = awaitProgressAfter(settledAt(resumedAt));
        record("suspend (3 s) → resume", table.longestStallMillis(suspended, resumed), awaitEqualToTheOracle("suspend and resume"),
                "from the suspend savepoint " + off.lastSavepoint.path + "; resume → rows " + (resumed - resumedAt) + " ms");

        // Restoring the earlier savepoint rewinds state and offsets together: the windows since are computed again,
        // from the same events, to the same values. Today's state is saved first.
        long restoring = System.currentTimeMillis();
        sandbox.edit(NAME, p -> {
            p.getSpec().restore = new RestoreSpec();
            p.getSpec().restore.token = "restore-1";
            p.getSpec().restore.savepointPath = onDemand;
        });
        StreamingPipelineStatus restored = sandbox.awaitStatus(NAME, "restored from the on-demand savepoint",
                status -> "restore-1".equals(status.appliedTokens.restore) && running(status) && !on.job.id.equals(status.job.id)
                        && status.upgrade == null);
        assertThat(restored.savepointHistory).anySatisfy(savepoint -> assertThat(savepoint.reason).contains("backup before restore"));
        long rows = awaitProgressAfter(settledAt(restoring));
        record("restore the on-demand savepoint", table.longestStallMillis(restoring, rows), awaitEqualToTheOracle("restore"),
                "backup " + restored.backup.savepoint);
    }

    /** 6. A TaskManager JVM killed (SIGKILL): the job restarts from its last checkpoint, and the sink's rows stay exact. */
    private void killATaskManager() throws Exception {
        StreamingPipelineStatus before = sandbox.status(NAME);
        var cluster = sandbox.standIn().cluster(Sandbox.NAMESPACE, NAME).orElseThrow();
        long killed = System.currentTimeMillis();
        cluster.killTaskManager(0);
        Thread.sleep(2_000); // a pod's restart takes a moment on Kubernetes too
        cluster.restartTaskManager(0);
        StreamingPipelineStatus after = sandbox.awaitStatus(NAME, "restarted from a checkpoint and RUNNING",
                status -> running(status) && status.job.restarts != null && status.job.restarts > before.job.restarts);
        assertThat(after.job.id).as("the same job, restarted by Flink").isEqualTo(before.job.id);
        long rows = awaitProgressAfter(settledAt(killed));
        record("TaskManager killed", table.longestStallMillis(killed, rows), awaitEqualToTheOracle("TaskManager killed"),
                "job restarts " + before.job.restarts + " → " + after.job.restarts);
    }

    /**
     * 7. Our operator stopped and started again each time the operation moved to another step, for an upgrade and for
     * an offset reset: each completes, once.
     */
    private void operatorRestartedAtEveryStep() throws Exception {
        String job = sandbox.status(NAME).job.id;
        long changed = System.currentTimeMillis();
        sandbox.edit(NAME, p -> p.getSpec().parallelism = 2);
        int restarts = restartTheOperatorAtEveryStep(status -> running(status) && !job.equals(status.job.id)
                && Integer.valueOf(2).equals(status.job.parallelism) && status.upgrade == null);
        long rows = awaitProgressAfter(settledAt(changed));
        assertThat(savepointsSince("upgrade", changed)).as("one upgrade savepoint, however often the operator restarted").isEqualTo(1);
        record("upgrade, operator restarted at every step", table.longestStallMillis(changed, rows),
                awaitEqualToTheOracle("upgrade with operator restarts"), restarts + " operator restarts");

        // An offset reset to the latest offset while nothing is produced: with state kept, nothing may change in the
        // results, and the reset must be applied exactly once.
        producer.pause();
        Thread.sleep(2_000); // the job reads what was sent
        String resetJob = sandbox.status(NAME).job.id;
        long reset = System.currentTimeMillis();
        sandbox.edit(NAME, p -> p.getSpec().offsetReset = offsetReset("latest-1", OffsetResetSpec.Target.LATEST, null, true));
        int resetRestarts = restartTheOperatorAtEveryStep(status -> running(status) && !resetJob.equals(status.job.id)
                && "latest-1".equals(status.sourceEpoch) && status.upgrade == null);
        StreamingPipelineStatus afterReset = sandbox.status(NAME);
        assertThat(afterReset.appliedTokens.offsetReset).isEqualTo("latest-1");
        producer.resume();
        long resetRows = awaitProgressAfter(settledAt(reset));
        record("offset reset to latest (keepState), operator restarted at every step", table.longestStallMillis(reset, resetRows),
                awaitEqualToTheOracle("offset reset with operator restarts"), resetRestarts + " operator restarts; producer paused");
    }

    /**
     * 4a. Suspended, events arrive, then a resume with an offset reset to a timestamp that keeps state: exactly the
     * events sent before the timestamp are skipped, and the windows open at the suspend keep what they had counted.
     */
    private void offsetResetToATimestampKeepingState() throws Exception {
        String job = sandbox.status(NAME).job.id;
        // Nothing is sent while the job stops, so that what it read before is exactly what was sent before: the
        // events to skip are then exactly those sent between the suspend and the timestamp.
        producer.pause();
        Thread.sleep(2_000);
        long suspended = System.currentTimeMillis();
        sandbox.edit(NAME, p -> p.getSpec().state = StreamingPipelineSpec.State.SUSPENDED);
        sandbox.awaitStatus(NAME, "suspended", status -> "Suspended".equals(status.phase));
        int before = producer.acknowledged().size();
        producer.resume();
        Thread.sleep(2_000); // the events to skip: sent before the reset's timestamp
        producer.pause();
        List<Tick> gap = producer.acknowledged().subList(before, producer.acknowledged().size());
        Thread.sleep(5);
        Instant from = Instant.now();
        Thread.sleep(5);
        producer.resume();
        Thread.sleep(1_000); // and events to read: sent after it
        gap.forEach(tick -> skipped.add(tick.seq()));
        long resumedAt = System.currentTimeMillis();
        sandbox.edit(NAME, p -> {
            p.getSpec().state = StreamingPipelineSpec.State.RUNNING;
            p.getSpec().offsetReset = offsetReset("from-timestamp", OffsetResetSpec.Target.TIMESTAMP, from.toString(), true);
        });
        sandbox.awaitStatus(NAME, "resumed from the timestamp", status -> running(status) && !job.equals(status.job.id)
                && "from-timestamp".equals(status.sourceEpoch) && status.upgrade == null);
        long rows = awaitProgressAfter(settledAt(resumedAt));
        Difference difference = awaitEqualToTheOracle("offset reset to a timestamp");
        Difference againstEveryEvent = TicksOracle.compare(TicksOracle.expected(producer.acknowledged()), table.rows(),
                firedAndWrittenNow(), window -> !excused.contains(window));
        assertThat(againstEveryEvent.missing()).as("exactly the events before the timestamp are skipped").isEqualTo(gap.size());
        assertThat(againstEveryEvent.duplicated()).isZero();
        record("suspend, resume with offset reset to a timestamp (keepState)", table.longestStallMillis(suspended, rows), difference,
                gap.size() + " events sent before the timestamp skipped, as asked (not counted as missing)");
    }

    /** 2b. A new aggregate, which the saved state cannot hold, with the opt-in: a backup savepoint, then a start without state. */
    private void stateDroppedWithTheOptIn() throws Exception {
        String job = sandbox.status(NAME).job.id;
        long changed = System.currentTimeMillis();
        sandbox.edit(NAME, p -> {
            TransformSpec.Aggregate max = new TransformSpec.Aggregate();
            max.name = "seq_max";
            max.fn = TransformSpec.AggregateFunction.MAX;
            max.field = "seq";
            p.getSpec().transform.aggregates.add(max);
            p.getSpec().upgrade.allowIncompatibleState = true;
        });
        StreamingPipelineStatus settled = sandbox.awaitStatus(NAME, "redeployed without state after a backup",
                status -> running(status) && !job.equals(status.job.id) && status.upgrade == null && status.backup != null
                        && "Taken".equals(status.backup.step));
        long started = System.currentTimeMillis();
        long rows = awaitProgressAfter(settledAt(changed));
        // What starting without state may lose: the windows open when the old job stopped, up to where the new one
        // started reading (the offsets of the last checkpoint). Nothing may be counted twice, nothing elsewhere lost.
        Predicate<Window> aroundTheChange = window -> window.start() >= changed - 10_000 && window.start() <= started;
        Difference elsewhere = awaitEqualToTheOracle("state dropped (outside the change)", aroundTheChange.negate());
        Difference around = TicksOracle.compare(expectedNow(), table.rows(), firedAndWrittenNow(), aroundTheChange);
        assertThat(around.duplicated()).as("a start without state counts nothing twice").isZero();
        excusedWindows(aroundTheChange);
        record("new aggregate, allowIncompatibleState (stateless after a backup)", table.longestStallMillis(changed, rows),
                new Difference(elsewhere.windows() + around.windows(), around.duplicated(), around.missing(), List.of()),
                "missing only in the windows open at the change, as the opt-in allows; backup " + settled.backup.savepoint);
    }

    /** 4b. An offset reset to the earliest offset without state: every window computed again, so the table is exact again. */
    private void offsetResetToEarliestWithoutState() throws Exception {
        String job = sandbox.status(NAME).job.id;
        long reset = System.currentTimeMillis();
        sandbox.edit(NAME, p -> p.getSpec().offsetReset = offsetReset("earliest-fresh", OffsetResetSpec.Target.EARLIEST, null, false));
        StreamingPipelineStatus settled = sandbox.awaitStatus(NAME, "reprocessing from the earliest offset",
                status -> running(status) && !job.equals(status.job.id) && "earliest-fresh".equals(status.sourceEpoch)
                        && status.upgrade == null);
        long rows = awaitProgressAfter(settledAt(reset));
        excused.clear();
        skipped.clear(); // the earliest offset reads them all, those skipped before too
        record("offset reset to earliest without state (reprocess)", table.longestStallMillis(reset, rows),
                awaitEqualToTheOracle("reprocess from earliest"), "every window computed again; backup " + settled.backup.savepoint);
    }

    /** 8. A change the saved state cannot take, without the opt-in: refused before anything stops, and nothing restarts. */
    private void incompatibleChangeRefused() throws Exception {
        String job = sandbox.status(NAME).job.id;
        long refusedGeneration = sandbox.edit(NAME, p -> {
            p.getSpec().transform.window.size = "4s";
            p.getSpec().upgrade.allowIncompatibleState = false;
        });
        StreamingPipelineStatus refused = sandbox.awaitStatus(NAME, "refused", status -> Objects.equals(status.observedGeneration, refusedGeneration)
                && "False".equals(condition(status, "Ready")));
        assertThat(refused.conditions).anySatisfy(c -> {
            assertThat(c.getReason()).isEqualTo("IncompatibleStateChange");
            assertThat(c.getMessage()).contains("spec.transform.window.size");
        });
        Thread.sleep(5_000);
        assertThat(sandbox.status(NAME).job.id).as("nothing restarts").isEqualTo(job);
        sandbox.edit(NAME, p -> p.getSpec().transform.window.size = "2s");
        StreamingPipelineStatus back = sandbox.awaitStatus(NAME, "Ready again on the same job", this::running);
        assertThat(back.job.id).isEqualTo(job);
        record("state-incompatible change refused, then reverted", 0, awaitEqualToTheOracle("refused change"),
                "Ready=False IncompatibleStateChange; the job ran on (" + job + ")");
    }

    /** 9. Delete with the final savepoint, create again: the new pipeline resumes from that savepoint by itself. */
    private void deleteAndRecreate() throws Exception {
        StreamingPipeline current = sandbox.client.resources(StreamingPipeline.class).inNamespace(Sandbox.NAMESPACE).withName(NAME).get();
        long deleted = System.currentTimeMillis();
        sandbox.client.resource(current).delete();
        Sandbox.awaitTrue("the pipeline gone", () -> sandbox.client.resources(StreamingPipeline.class)
                .inNamespace(Sandbox.NAMESPACE).withName(NAME).get() == null);
        StreamingPipeline again = new StreamingPipeline();
        again.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(NAME).withNamespace(Sandbox.NAMESPACE).build());
        // The manifest as Git keeps it: the offset reset and the restore of earlier scenarios are still in it. Their
        // tokens were applied before the deletion; applied again they would drop or replace the final savepoint's state.
        again.setSpec(current.getSpec());
        sandbox.client.resource(again).create();
        StreamingPipelineStatus resumed = sandbox.awaitStatus(NAME, "re-created and resumed from the final savepoint",
                status -> running(status) && status.resumedFrom != null);
        assertThat(resumed.appliedTokens.offsetReset).as("the offset reset still in the manifest counts as applied")
                .isEqualTo(current.getSpec().offsetReset.token);
        assertThat(resumed.appliedTokens.restore).as("the restore still in the manifest counts as applied")
                .isEqualTo(current.getSpec().restore.token);
        long rows = awaitProgressAfter(settledAt(deleted));
        record("delete (final savepoint) → re-create", table.longestStallMillis(deleted, rows), awaitEqualToTheOracle("re-create"),
                "resumed from " + resumed.resumedFrom.savepoint);
    }

    /**
     * After the whole lifecycle, what Argo CD would compare: the operator has never written the spec, labels or
     * annotations (its server-side-apply entries own the status, through the status subresource, and its finalizer).
     */
    private void theOperatorOwnsOnlyStatusAndItsFinalizer() {
        StreamingPipeline stored = sandbox.client.resources(StreamingPipeline.class).inNamespace(Sandbox.NAMESPACE).withName(NAME).get();
        var mapper = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
        var entries = stored.getMetadata().getManagedFields().stream()
                .filter(entry -> io.streampipe.operator.PipelineResources.FIELD_MANAGER.equals(entry.getManager())).toList();
        assertThat(entries).as("the operator's field-manager entries").isNotEmpty();
        for (var entry : entries) {
            com.fasterxml.jackson.databind.JsonNode fields = mapper.valueToTree(entry.getFieldsV1().getAdditionalProperties());
            java.util.List<String> owned = new java.util.ArrayList<>();
            fields.fieldNames().forEachRemaining(owned::add);
            if ("status".equals(entry.getSubresource())) {
                assertThat(owned).as("what the operator owns through the status subresource").containsExactly("f:status");
            } else {
                assertThat(owned).as("what the operator owns on the pipeline itself: %s", fields).containsExactly("f:metadata");
                java.util.List<String> metadata = new java.util.ArrayList<>();
                fields.get("f:metadata").fieldNames().forEachRemaining(metadata::add);
                assertThat(metadata).as("metadata the operator owns").containsExactly("f:finalizers");
            }
        }
        assertThat(stored.getMetadata().getAnnotations()).as("annotations (the test never set any)").isNullOrEmpty();
    }

    /** Restarts the operator each time the pipeline's step (phase, upgrade step, backup step, job) changes, until settled. */
    private int restartTheOperatorAtEveryStep(Predicate<StreamingPipelineStatus> settled) throws Exception {
        int restarts = 0;
        String step = null;
        long deadline = System.nanoTime() + Sandbox.PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            StreamingPipelineStatus status = sandbox.status(NAME);
            if (settled.test(status)) {
                return restarts;
            }
            String now = status.phase + "/" + (status.upgrade == null ? "-" : status.upgrade.step) + "/"
                    + (status.backup == null ? "-" : status.backup.step) + "/" + (status.job == null ? "-" : status.job.id + ":" + status.job.state);
            if (!now.equals(step)) {
                step = now;
                sandbox.stopOperator();
                Thread.sleep(500);
                sandbox.startOperator();
                restarts++;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("not settled within " + Sandbox.PATIENCE + " with operator restarts; last step " + step);
    }

    private static OffsetResetSpec offsetReset(String token, OffsetResetSpec.Target to, String timestamp, boolean keepState) {
        OffsetResetSpec reset = new OffsetResetSpec();
        reset.token = token;
        reset.to = to;
        reset.timestamp = timestamp;
        reset.keepState = keepState;
        return reset;
    }

    private boolean running(StreamingPipelineStatus status) {
        return "True".equals(condition(status, "Ready")) && status.job != null && "RUNNING".equals(status.job.state);
    }

    /** Savepoints of this reason taken since {@code moment}, as far as the history (5 by default) reaches. */
    private int savepointsSince(String reason, long moment) {
        return (int) sandbox.status(NAME).savepointHistory.stream().filter(savepoint -> reason.equals(savepoint.reason)
                && savepoint.time != null && Instant.parse(savepoint.time).toEpochMilli() >= moment).count();
    }

    /** The later of {@code changed} and now: rows after this moment come from the job the operation left running. */
    private static long settledAt(long changed) {
        return Math.max(changed, System.currentTimeMillis());
    }

    private long awaitProgressAfter(long moment) throws InterruptedException {
        Sandbox.awaitTrue("a newer window in the table after " + Instant.ofEpochMilli(moment), () -> table.firstProgressAfter(moment) > 0);
        return table.firstProgressAfter(moment);
    }

    private java.util.Map<Window, TicksOracle.Row> expectedNow() {
        return TicksOracle.expected(producer.acknowledged().stream().filter(tick -> !skipped.contains(tick.seq())).toList());
    }

    private long firedNow() {
        return TicksOracle.firedBefore(producer.acknowledged(), PARTITIONS);
    }

    /**
     * Windows ending before this must be in the table: the job's own lag is that a window fires within a few seconds
     * of its end, and its row is written when the next checkpoint completes (ticks.yaml: every 2 s, plus the
     * checkpoint's own duration).
     */
    private long firedAndWrittenNow() {
        return firedNow() - 6_000;
    }

    private void excusedWindows(Predicate<Window> which) {
        expectedNow().keySet().stream().filter(which).forEach(excused::add);
        table.rows().keySet().stream().filter(which).forEach(excused::add);
    }

    private Difference awaitEqualToTheOracle(String scenario) throws InterruptedException {
        return awaitEqualToTheOracle(scenario, window -> true);
    }

    /**
     * Waits until every window that must have fired by now equals the oracle (excused windows aside), and returns the
     * comparison; fails with the difference if the table does not get there within {@link #CATCH_UP}.
     */
    private Difference awaitEqualToTheOracle(String scenario, Predicate<Window> compared) throws InterruptedException {
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        Difference difference;
        do {
            // The events acknowledged before the table is read, so every row read can only be complete or behind.
            var expected = expectedNow();
            long fired = firedAndWrittenNow();
            difference = TicksOracle.compare(expected, table.rows(), fired, compared.and(window -> !excused.contains(window)));
            if (difference.exact() && difference.windows() > 0) {
                return difference;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        System.out.println("The job's warnings and errors, newest cluster first:\n" + jobWarnings());
        throw new AssertionError(scenario + ": the table does not equal the oracle: " + difference + "\nso far:\n" + String.join("\n", report));
    }

    /** What the newest two clusters' JobManager and TaskManagers logged at WARN and above: what a failure's reader needs first. */
    private static String jobWarnings() {
        try (var clusters = Files.list(WORK.resolve("flink/clusters").resolve(Sandbox.NAMESPACE).resolve(NAME))) {
            StringBuilder out = new StringBuilder();
            for (Path cluster : clusters.sorted(java.util.Comparator.comparing((Path dir) -> dir.toFile().lastModified()).reversed())
                    .limit(2).toList()) {
                try (var logs = Files.list(cluster.resolve("log"))) {
                    for (Path log : logs.filter(file -> file.toString().endsWith(".log")).sorted().toList()) {
                        List<String> lines = Files.readAllLines(log).stream()
                                .filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
                                .filter(line -> !line.contains("deprecated configuration key")).toList();
                        out.append("== ").append(WORK.relativize(log)).append('\n');
                        lines.subList(Math.max(0, lines.size() - 20), lines.size()).forEach(line -> out.append(line).append('\n'));
                    }
                }
            }
            return out.toString();
        } catch (java.io.IOException | RuntimeException e) {
            return "(no logs: " + e + ")";
        }
    }

    private void record(String scenario, long stallMillis, Difference difference, String notes) {
        report.add("| " + scenario + " | " + (stallMillis > 0 ? Duration.ofMillis(stallMillis).toMillis() / 1000.0 + " s" : "–") + " | "
                + difference.duplicated() + " | " + difference.missing() + " | " + notes + " (" + difference.windows() + " windows) |");
        System.out.println("scenario done: " + report.get(report.size() - 1));
    }
}
