package io.streampipe.job.it;

import io.streampipe.api.v1alpha1.OffsetResetSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.JobOptions;
import io.streampipe.job.it.WindowOracle.Kind;
import io.streampipe.job.schema.ResultSchema;
import io.streampipe.job.sink.LateEventWriter;
import io.streampipe.job.sink.PostgresSink;
import io.streampipe.job.sink.ResultRowWriter;
import io.streampipe.job.sink.SinkSettings;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.streampipe.job.it.Ev.ev;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a restore does to windows, for each window type: the window operator keeps the watermark it had reached, so
 * an event read after a restore (produced while the job was down, or re-read) is judged late or counted as it would
 * have been had the job never stopped; a window that fired before the savepoint fires again for a late event, and a
 * purged one is never re-opened by a partial aggregate. The oracle carries the watermark across every restore.
 * Times are minutes after {@link Ev#T0}; the watermark lags 1 minute; partitions go idle after 1 s.
 */
class WindowRestoreIT {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();
    @RegisterExtension
    static final MiniClusterExtension FLINK = Pipelines.miniCluster();

    private static final long MINUTE = 60_000;
    /** Kafka timestamps of event times, a day ahead of now: retention never removes them (see Scenario). */
    private static final Duration INTO_THE_FUTURE = Duration.between(Ev.T0, Instant.now().plus(Duration.ofDays(1)));

    private static StreamingPipelineSpec spec(String topic, String window) {
        return Pipelines.windowedSpec(KAFKA, POSTGRES, topic, topic, window, "[]", "{table: " + topic + "_late}");
    }

    private static Scenario scenario(String topic, WindowOracle oracle) {
        KAFKA.createTopic(topic, 4);
        return new Scenario(KAFKA, topic, 4, Duration.ofMinutes(1), oracle);
    }

    private static void assertTables(String topic, Scenario scenario) {
        List<WindowOracle.Row> expected = Pipelines.rounded(scenario.oracle().rows(scenario.watermark(), r -> true));
        Pipelines.awaitEqual(() -> Pipelines.windowRows(POSTGRES, topic), expected);
        Pipelines.awaitEqual(() -> WindowedPipelineIT.lateRows(POSTGRES, topic + "_late"),
                WindowedPipelineIT.expectedLate(scenario.oracle()));
    }

    /**
     * Every key (the clock's too) lands on window subtask 0, so subtask 1 never processes an event or a timer.
     * After the restore one late event re-fires a window that fired before the savepoint, another is too late for
     * its purged window.
     */
    @Test
    void lateEventsAfterARestoreWhereOneSubtaskHeldNoKeys(@TempDir Path savepoints) throws Exception {
        String topic = Pipelines.unique("keyless");
        List<String> users = Pipelines.usersOnSubtask("user", 2, 0, 2);
        String u0 = users.get(0);
        String u1 = users.get(1);
        Scenario scenario = scenario(topic, new WindowOracle(Kind.TUMBLING, 10 * MINUTE, 0, 10 * MINUTE))
                .withClockUsers(Pipelines.usersOnSubtask("clock", 4, 0, 2));
        StreamingPipelineSpec spec = spec(topic, "{type: tumbling, size: 10m, allowedLateness: 10m}");
        JobOptions options = Pipelines.options(POSTGRES, 2);
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec, options);
            scenario.runningIn(job, 2);
            scenario.step(ev(u0, 1, 5, 0), ev(u1, 2, 3, 1), ev(u0, 12, 2, 0));
            // [0,10) fired and is purged (19:59.999); [10,20) fired and takes late events until 29:59.999.
            scenario.clock(25);
            String savepoint = Pipelines.savepoint(job, savepoints);

            job = jobs.start(spec, Pipelines.restoring(options, savepoint));
            scenario.runningIn(job, 2);
            scenario.step(ev(u0, 5, 1, 0), ev(u0, 15, 4, 0));
            scenario.clock(40);

            assertThat(scenario.oracle().late()).extracting(Ev::minute).containsExactly(5.0);
            assertThat(scenario.oracle().rows(scenario.watermark(), r -> true))
                    .anyMatch(r -> r.user().equals(u0) && r.n() == 2 && r.total() == 6.0)
                    .anyMatch(r -> r.user().equals(u0) && r.n() == 1 && r.total() == 5.0);
            assertTables(topic, scenario);
        }
    }

    /**
     * Sliding windows: subtask 1 (key b) has no timer between the last two clock steps, while windows of its key
     * range are purged in that span. Events produced while the job is down, read after a restore at parallelism 3:
     * too late for every window, late for a window that fired (it fires again), and for windows still open.
     */
    @Test
    void slidingWindowsRestoredAtParallelism3WithLateEventsInFlight(@TempDir Path savepoints) throws Exception {
        String topic = Pipelines.unique("sliding_restore");
        String a = Pipelines.usersOnSubtask("a", 1, 0, 2).get(0);
        String b = Pipelines.usersOnSubtask("b", 1, 1, 2).get(0);
        Scenario scenario = scenario(topic, new WindowOracle(Kind.SLIDING, 10 * MINUTE, 5 * MINUTE, 5 * MINUTE))
                .withClockUsers(Pipelines.usersOnSubtask("clock", 4, 0, 2));
        StreamingPipelineSpec spec = spec(topic, "{type: sliding, size: 10m, slide: 5m, allowedLateness: 5m}");
        JobOptions options = Pipelines.options(POSTGRES, 2);
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec, options);
            scenario.runningIn(job, 2);
            scenario.step(ev(a, 1, 1, 0), ev(b, 3, 2, 1), ev(a, 7, 3, 0));
            scenario.clock(20);
            scenario.step(ev(a, 16, 5, 0));
            // [5,15) is purged at 19:59.999, [10,20) fires: both for a only; b's windows are long done.
            scenario.clock(24);
            String savepoint = Pipelines.savepoint(job, savepoints);

            // In flight: b@8 and a@9 are too late ([0,10) and [5,15) purged), a@13 re-fires [10,20), b@21 is on time.
            scenario.step(ev(b, 8, 6, 1), ev(a, 9, 7, 0), ev(a, 13, 8, 0), ev(b, 21, 9, 1));
            job = jobs.start(spec, Pipelines.restoring(options.withParallelism(3), savepoint));
            scenario.runningIn(job, 3).clock(40);

            assertThat(scenario.oracle().late()).extracting(Ev::user).containsExactly(b, a);
            assertTables(topic, scenario);
        }
    }

    /**
     * Session windows restored at parallelism 1 with events produced while the job was down: one would reopen a
     * purged session, one extends a session that fired, one extends a session still open, one starts a new one.
     */
    @Test
    void sessionWindowsRestoredAtParallelism1WithLateEventsInFlight(@TempDir Path savepoints) throws Exception {
        String topic = Pipelines.unique("session_restore");
        Scenario scenario = scenario(topic, new WindowOracle(Kind.SESSION, 5 * MINUTE, 0, 10 * MINUTE));
        StreamingPipelineSpec spec = spec(topic, "{type: session, gap: 5m, allowedLateness: 10m}");
        JobOptions options = Pipelines.options(POSTGRES, 2);
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec, options);
            scenario.runningIn(job, 2);
            scenario.step(ev("alice", 1, 1, 0), ev("alice", 3, 2, 0), ev("bob", 2, 3, 1), ev("carol", 10, 4, 2),
                    ev("dave", 16, 5, 3));
            // alice [1,8) and bob [2,7) fired and are purged; carol [10,15) fired; dave [16,21) is open.
            scenario.clock(20);
            String savepoint = Pipelines.savepoint(job, savepoints);

            scenario.step(ev("alice", 2, 6, 0), ev("carol", 12, 7, 2), ev("dave", 18, 8, 3), ev("bob", 19, 9, 1));
            job = jobs.start(spec, Pipelines.restoring(options.withParallelism(1), savepoint));
            scenario.runningIn(job, 1).clock(40);

            assertThat(scenario.oracle().late()).extracting(Ev::user).containsExactly("alice");
            assertThat(scenario.oracle().rows(scenario.watermark(), r -> true))
                    .extracting(r -> r.user() + "@" + (r.start() - Ev.T0.toEpochMilli()) / MINUTE + " n=" + r.n())
                    .contains("alice@1 n=2", "bob@2 n=1", "carol@10 n=2", "dave@16 n=2", "bob@19 n=1");
            assertTables(topic, scenario);
        }
    }

    /** A partition idle when the savepoint is taken resumes alone after the restore, with old events. */
    @Test
    void anIdlePartitionThatResumesAfterARestore(@TempDir Path savepoints) throws Exception {
        String topic = Pipelines.unique("idle_resume");
        String a = Pipelines.usersOnSubtask("a", 1, 0, 2).get(0);
        List<String> onSubtask1 = Pipelines.usersOnSubtask("b", 2, 1, 2);
        String b = onSubtask1.get(0);
        String c = onSubtask1.get(1);
        Scenario scenario = scenario(topic, new WindowOracle(Kind.TUMBLING, 10 * MINUTE, 0, 10 * MINUTE))
                .withClockUsers(Pipelines.usersOnSubtask("clock", 4, 0, 2));
        StreamingPipelineSpec spec = spec(topic, "{type: tumbling, size: 10m, allowedLateness: 10m}");
        JobOptions options = Pipelines.options(POSTGRES, 2);
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec, options);
            scenario.runningIn(job, 2);
            scenario.step(ev(a, 1, 1, 0), ev(b, 2, 2, 3));
            scenario.clock(12);
            // Partition 3 goes quiet; the others carry the watermark past [10,20)'s cleanup and [20,30)'s end.
            scenario.clockIn(22, 0, 1, 2);
            scenario.step(ev(a, 24, 3, 0));
            scenario.clockIn(32, 0, 1, 2);
            String savepoint = Pipelines.savepoint(job, savepoints);

            job = jobs.start(spec, Pipelines.restoring(options, savepoint));
            scenario.runningIn(job, 2);
            // Only partition 3 has new records: c@13 is too late, a@26 re-fires [20,30), c@33 is on time.
            scenario.step(ev(c, 13, 4, 3), ev(a, 26, 5, 3), ev(c, 33, 6, 3));
            scenario.clock(50);

            assertThat(scenario.oracle().late()).extracting(Ev::user).containsExactly(c);
            assertTables(topic, scenario);
        }
    }

    /**
     * An offset reset to the earliest offsets that keeps window state (a new source epoch, restored with
     * allowNonRestoredState) re-reads every record: the watermark is kept, so records of purged windows go to the
     * late-data table (once per record) and never replace those windows' complete rows; windows that still hold
     * state count the re-read records again.
     */
    @Test
    void anOffsetRewindWithKeepStateThroughTheSourceEpoch(@TempDir Path savepoints) throws Exception {
        String topic = Pipelines.unique("rewind");
        Scenario scenario = scenario(topic, new WindowOracle(Kind.TUMBLING, 10 * MINUTE, 0, 10 * MINUTE));
        StreamingPipelineSpec spec = spec(topic, "{type: tumbling, size: 10m, allowedLateness: 10m}");
        JobOptions options = Pipelines.options(POSTGRES, 2);
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec, options);
            scenario.runningIn(job, 2);
            scenario.step(ev("alice", 1, 5, 0), ev("bob", 2, 3, 1), ev("alice", 12, 4, 0));
            scenario.clock(22);
            scenario.step(ev("carol", 25, 2, 2));
            // [0,10) purged, [10,20) fired and still open to late events, [20,30) not fired.
            scenario.clock(30);
            String savepoint = Pipelines.savepoint(job, savepoints);

            StreamingPipelineSpec rewind = spec(topic, "{type: tumbling, size: 10m, allowedLateness: 10m}");
            rewind.offsetReset = new OffsetResetSpec();
            rewind.offsetReset.token = "rewind-1";
            rewind.offsetReset.to = OffsetResetSpec.Target.EARLIEST;
            rewind.offsetReset.keepState = true;
            job = jobs.start(rewind, Pipelines.restoring(options.withSourceEpoch("rewind-1"), savepoint));
            scenario.runningIn(job, 2).rereadFromEarliest();
            scenario.clock(45);

            List<WindowOracle.Row> rows = scenario.oracle().rows(scenario.watermark(), r -> true);
            assertThat(rows).extracting(r -> r.user() + "@" + (r.start() - Ev.T0.toEpochMilli()) / MINUTE + " n=" + r.n())
                    .contains("alice@0 n=1", "bob@0 n=1", "alice@10 n=2", "carol@20 n=2");
            assertThat(scenario.oracle().late()).extracting(Ev::user).containsExactly("alice", "bob");
            assertTables(topic, scenario);
        }
    }

    /**
     * Issue 13: an offset reset without state to a timestamp inside window [0,10). The job starts empty and reads only
     * one of alice's three events of [0,10): that recomputation must not replace her complete row. Windows read again
     * in full get the same rows again (equal counts replace), and dave's window, produced while the job was down, is
     * new. The expected table: per window, the row computed from more events, a tie going to the recomputation.
     */
    @Test
    void aResetWithoutStateToATimestampInsideAWindowKeepsTheCompleteRowsOfThatWindow() throws Exception {
        String topic = Pipelines.unique("reset_mid_window");
        Scenario before = scenario(topic, new WindowOracle(Kind.TUMBLING, 10 * MINUTE, 0, 30 * MINUTE))
                .withKafkaTimestampsFromEventTimes(INTO_THE_FUTURE);
        StreamingPipelineSpec spec = spec(topic, "{type: tumbling, size: 10m, allowedLateness: 30m}");
        JobOptions options = Pipelines.options(POSTGRES, 2);
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec, options);
            before.runningIn(job, 2);
            before.step(ev("alice", 1, 5, 0), ev("alice", 3, 2, 0), ev("bob", 6, 3, 1));
            before.step(ev("alice", 7, 4, 0), ev("alice", 12, 1, 0), ev("carol", 15, 6, 2));
            before.clock(22);
            List<WindowOracle.Row> complete = Pipelines.rounded(before.oracle().rows(before.watermark(), r -> true));
            Pipelines.awaitEqual(() -> Pipelines.windowRows(POSTGRES, topic), complete);
            job.cancel().get(30, TimeUnit.SECONDS);
            before.produce(List.of(ev("dave", 25, 7, 3)));

            String token = "reset-mid-window";
            job = jobs.start(withResetWithoutState(spec, token, OffsetResetSpec.Target.TIMESTAMP, before.kafkaTimestamp(5)),
                    options.withSourceEpoch(token));
            Scenario after = before.restartedWithoutState(new WindowOracle(Kind.TUMBLING, 10 * MINUTE, 0, 30 * MINUTE),
                    e -> e.minute() >= 5);
            after.runningIn(job, 2).clock(40);

            List<WindowOracle.Row> recomputed = Pipelines.rounded(after.oracle().rows(after.watermark(), r -> true));
            assertThat(recomputed).extracting(WindowRestoreIT::window).contains("alice@0 n=1", "alice@10 n=1", "bob@0 n=1");
            List<WindowOracle.Row> expected = guarded(complete, recomputed);
            assertThat(expected).extracting(WindowRestoreIT::window)
                    .contains("alice@0 n=3", "alice@10 n=1", "bob@0 n=1", "carol@10 n=1", "dave@20 n=1");
            Pipelines.awaitEqual(() -> Pipelines.windowRows(POSTGRES, topic), expected);
            assertEventsColumnHoldsTheCount(topic);
            assertThat(WindowedPipelineIT.lateRows(POSTGRES, topic + "_late")).isEmpty();
        }
    }

    /**
     * Issue 13: an offset reset to the earliest offsets without state recomputes every sliding window from what Kafka
     * still holds. Partition 0's oldest record is gone (deleted as retention would), so alice's two windows over it are
     * read in part and keep their complete rows; every other window is read in full and gets the same row again.
     */
    @Test
    void aResetToEarliestWithoutStateReproducesTheRowsOfWindowsKafkaStillHoldsInFull() throws Exception {
        String topic = Pipelines.unique("reset_earliest");
        Scenario before = scenario(topic, new WindowOracle(Kind.SLIDING, 10 * MINUTE, 5 * MINUTE, 30 * MINUTE));
        StreamingPipelineSpec spec = spec(topic, "{type: sliding, size: 10m, slide: 5m, allowedLateness: 30m}");
        JobOptions options = Pipelines.options(POSTGRES, 2);
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec, options);
            before.runningIn(job, 2);
            Ev removed = ev("alice", 1, 5, 0);
            before.step(removed, ev("alice", 3, 2, 0), ev("bob", 4, 3, 1));
            before.step(ev("alice", 8, 4, 0), ev("bob", 12, 1, 1), ev("carol", 14, 6, 2));
            before.clock(22);
            List<WindowOracle.Row> complete = Pipelines.rounded(before.oracle().rows(before.watermark(), r -> true));
            Pipelines.awaitEqual(() -> Pipelines.windowRows(POSTGRES, topic), complete);
            job.cancel().get(30, TimeUnit.SECONDS);
            KAFKA.admin().deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(1)))
                    .all().get(30, TimeUnit.SECONDS);

            String token = "reset-earliest";
            job = jobs.start(withResetWithoutState(spec, token, OffsetResetSpec.Target.EARLIEST, null),
                    options.withSourceEpoch(token));
            Scenario after = before.restartedWithoutState(
                    new WindowOracle(Kind.SLIDING, 10 * MINUTE, 5 * MINUTE, 30 * MINUTE), e -> e != removed);
            after.runningIn(job, 2).clock(40);

            List<WindowOracle.Row> recomputed = Pipelines.rounded(after.oracle().rows(after.watermark(), r -> true));
            assertThat(recomputed).extracting(WindowRestoreIT::window).contains("alice@-5 n=1", "alice@0 n=2");
            List<WindowOracle.Row> expected = guarded(complete, recomputed);
            assertThat(expected).extracting(WindowRestoreIT::window)
                    .contains("alice@-5 n=2", "alice@0 n=3", "alice@5 n=1", "bob@0 n=1", "bob@10 n=1", "carol@10 n=1");
            Pipelines.awaitEqual(() -> Pipelines.windowRows(POSTGRES, topic), expected);
            assertEventsColumnHoldsTheCount(topic);
        }
    }

    /** The spec with a one-shot offset reset that starts the job without state, as the operator starts it. */
    private static StreamingPipelineSpec withResetWithoutState(StreamingPipelineSpec spec, String token,
                                                               OffsetResetSpec.Target to, Instant timestamp) {
        spec.offsetReset = new OffsetResetSpec();
        spec.offsetReset.token = token;
        spec.offsetReset.to = to;
        spec.offsetReset.timestamp = timestamp == null ? null : timestamp.toString();
        spec.offsetReset.keepState = false;
        return spec;
    }

    /**
     * The table after a recomputation without state, by the guard's rule: per window, the recomputed row if it counted
     * at least as many events as the row before, else the row before; windows with one row only keep it.
     */
    private static List<WindowOracle.Row> guarded(List<WindowOracle.Row> before, List<WindowOracle.Row> recomputed) {
        Map<String, WindowOracle.Row> rows = new TreeMap<>();
        before.forEach(r -> rows.put(r.user() + "@" + r.start(), r));
        recomputed.forEach(r -> rows.merge(r.user() + "@" + r.start(), r, (old, recount) -> recount.n() >= old.n() ? recount : old));
        return rows.values().stream()
                .sorted(Comparator.comparing(WindowOracle.Row::user).thenComparing(WindowOracle.Row::start)).toList();
    }

    /** The guard column holds each row's event count, here the count aggregate n. */
    private static void assertEventsColumnHoldsTheCount(String table) {
        assertThat(POSTGRES.query("SELECT count(*) AS n FROM " + table + " WHERE \"_events\" IS DISTINCT FROM n").get(0).get("n"))
                .isEqualTo(0L);
    }

    private static String window(WindowOracle.Row row) {
        return row.user() + "@" + Math.floorDiv(row.start() - Ev.T0.toEpochMilli(), MINUTE) + " n=" + row.n();
    }

    /** Restoring tumbling 10-minute window state into 5-minute windows fails at once, naming the field. */
    @Test
    void aWindowGeometryChangeIsRefusedAtRestore(@TempDir Path savepoints) throws Exception {
        String topic = Pipelines.unique("geometry");
        Scenario scenario = scenario(topic, new WindowOracle(Kind.TUMBLING, 10 * MINUTE, 0, 10 * MINUTE));
        JobOptions options = Pipelines.options(POSTGRES, 2);
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec(topic, "{type: tumbling, size: 10m, allowedLateness: 10m}"), options);
            scenario.runningIn(job, 2);
            scenario.step(ev("alice", 1, 5, 0), ev("alice", 12, 4, 0));
            scenario.clock(15);
            String savepoint = Pipelines.savepoint(job, savepoints);

            JobClient resized = jobs.start(spec(topic, "{type: tumbling, size: 5m, allowedLateness: 10m}"),
                    Pipelines.restoring(options, savepoint));
            assertThatThrownBy(() -> resized.getJobExecutionResult().get(60, TimeUnit.SECONDS))
                    .hasStackTraceContaining("The restored window state (window-slices) does not fit this spec: "
                            + "spec.transform.window.size is '5m' but the state was built with '10m'. ");
        }
    }

    /**
     * Issue 13, "late vs. counted, decided once": a failure between a late decision and the next checkpoint. u@3 is
     * judged late (its window [0,10) fired and was purged); the job then dies before any checkpoint covers that
     * decision and is restored from the checkpoint before it. The replay reads clock@15 and u@3 again, but the
     * watermark that made u@3 late is emitted periodically, so u@3 may now meet the checkpoint's watermark and be
     * counted. Whatever the replay decides, u@3 must be in exactly one place. Failed on the job before the windowed
     * sinks wrote with the checkpoint: u@3 was in the late table (written by the first attempt) and in the row.
     */
    @Test
    void aLateDecisionIsNotTakenTwiceAcrossAFailureBeforeTheNextCheckpoint(
            @InjectMiniCluster MiniCluster cluster,
            @TempDir Path checkpoints) throws Exception {
        String topic = Pipelines.unique("late_once");
        Scenario scenario = scenario(topic, new WindowOracle(Kind.TUMBLING, 10 * MINUTE, 0, 0));
        StreamingPipelineSpec spec = spec(topic, "{type: tumbling, size: 10m, allowedLateness: 0m}");
        spec.checkpointing.interval = "1h";
        JobOptions options = Pipelines.options(POSTGRES, 2).withConfiguration(retainedCheckpoints(checkpoints));
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec, options);
            scenario.runningIn(job, 2);
            scenario.step(ev("u", 1, 1, 0), ev("u", 2, 2, 0)).clock(5);
            String checkpoint = cluster.triggerCheckpoint(job.getJobID()).get(60, TimeUnit.SECONDS);

            scenario.clock(15); // fires u [0,10) n=2
            scenario.produce(List.of(ev("u", 3, 4, 0)));
            JobClient first = job;
            Pipelines.awaitEqual(() -> WatermarkProbe.counter(first.getJobID(), "lateRecords"), 1L);
            job.cancel().get(30, TimeUnit.SECONDS); // dies before the next checkpoint

            job = jobs.start(spec, Pipelines.restoring(options, checkpoint));
            scenario.runningIn(job, 2);
            scenario.step(ev("u", 16, 8, 0)).clock(25);
            cluster.triggerCheckpoint(job.getJobID()).get(60, TimeUnit.SECONDS);
            // u@16's window fires after [0,10) on the same subtask, so its row is written with or after [0,10)'s.
            Pipelines.awaitEqual(() -> uRows(topic).stream().anyMatch(r -> r.startsWith("u [10,20)")), true);
            long lateAfterRestore = WatermarkProbe.counter(job.getJobID(), "lateRecords");

            List<String> late = WindowedPipelineIT.lateRows(POSTGRES, topic + "_late");
            List<String> rows = uRows(topic);
            boolean counted = rows.contains("u [0,10) n=3 total=7.0");
            boolean wentLate = late.size() == 1;
            assertThat(rows).containsAnyOf("u [0,10) n=3 total=7.0", "u [0,10) n=2 total=3.0");
            assertThat(counted ^ wentLate).as("u@3 in exactly one place (judged late %d times after the restore): rows %s, late %s",
                    lateAfterRestore, rows, late).isTrue();
            assertThat(wentLate).as("in the late table only if the restored attempt judged it late").isEqualTo(lateAfterRestore == 1);
        }
    }

    /**
     * A window's row and a late event become visible with the checkpoint that holds the state they were decided
     * on, not before. Nothing else writes them: the checkpoint interval is an hour and the test takes the one
     * checkpoint. Failed on the job whose sinks wrote each batch within its 100 ms interval.
     */
    @Test
    void windowedRowsAndLateEventsAppearWhenTheirCheckpointCompletes(@InjectMiniCluster MiniCluster cluster) throws Exception {
        String topic = Pipelines.unique("with_checkpoint");
        Scenario scenario = scenario(topic, new WindowOracle(Kind.TUMBLING, 10 * MINUTE, 0, 0));
        StreamingPipelineSpec spec = spec(topic, "{type: tumbling, size: 10m, allowedLateness: 0m}");
        spec.checkpointing.interval = "1h";
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec, Pipelines.options(POSTGRES, 2));
            scenario.runningIn(job, 2);
            scenario.step(ev("u", 1, 1, 0), ev("u", 2, 2, 0)).clock(15); // fires u [0,10) n=2 (and the clock's rows)
            scenario.step(ev("u", 3, 4, 0));
            Pipelines.awaitEqual(() -> WatermarkProbe.counter(job.getJobID(), "lateRecords"), 1L);
            assertThat(WatermarkProbe.counter(job.getJobID(), "windowRowsUpserted")).isPositive();
            // The window subtask has emitted both; ten batch intervals later neither is in PostgreSQL.
            Thread.sleep(1_000);
            assertThat(Pipelines.windowRows(POSTGRES, topic)).isEmpty();
            assertThat(WindowedPipelineIT.lateRows(POSTGRES, topic + "_late")).isEmpty();

            cluster.triggerCheckpoint(job.getJobID()).get(60, TimeUnit.SECONDS);
            assertTables(topic, scenario);
            assertThat(uRows(topic)).containsExactly("u [0,10) n=2 total=3.0");
        }
    }

    /**
     * A savepoint of the job as it was before its windowed sinks had a committer (writers only, writing at once)
     * restores into today's job without allowNonRestoredState: every uid of the old job is still there, the writer had
     * no state and the new committers start without any. The window state comes back: a late event for a window that
     * fired before the savepoint goes to the late table, and an open window fires with what it held.
     */
    @Test
    void aSavepointOfTheJobBeforeItsSinksHadACommitterRestores(@TempDir Path savepoints) throws Exception {
        String topic = Pipelines.unique("pre_committer");
        Scenario scenario = scenario(topic, new WindowOracle(Kind.TUMBLING, 10 * MINUTE, 0, 0));
        StreamingPipelineSpec spec = spec(topic, "{type: tumbling, size: 10m, allowedLateness: 0m}");
        JobOptions options = Pipelines.options(POSTGRES, 2);
        JobOptions writingAtOnce = options.withWiring(wiring -> wiring.withSinks(
                new PostgresSink<>(spec.sink.postgres.jdbcUrl, options.credentials(),
                        new ResultRowWriter(spec.sink.postgres.table, ResultSchema.of(spec)), SinkSettings.of(spec.sink.postgres)),
                wiring.deadLetterSink(),
                new PostgresSink<>(spec.sink.postgres.jdbcUrl, options.credentials(),
                        new LateEventWriter(spec.lateData.table), SinkSettings.of(spec.sink.postgres))));
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec, writingAtOnce);
            scenario.runningIn(job, 2);
            scenario.step(ev("u", 1, 1, 0), ev("u", 2, 2, 0)).clock(15);
            scenario.step(ev("u", 12, 5, 1));
            String savepoint = Pipelines.savepoint(job, savepoints);
            assertThat(uRows(topic)).containsExactly("u [0,10) n=2 total=3.0");

            Configuration strict = new Configuration(Pipelines.restoring(options, savepoint).configuration());
            strict.setString("execution.savepoint.ignore-unclaimed-state", "false");
            job = jobs.start(spec, options.withConfiguration(strict));
            scenario.runningIn(job, 2);
            scenario.step(ev("u", 3, 4, 0)).clock(25);

            assertThat(scenario.oracle().late()).extracting(Ev::minute).containsExactly(3.0);
            assertTables(topic, scenario);
            assertThat(uRows(topic)).containsExactly("u [0,10) n=2 total=3.0", "u [10,20) n=1 total=5.0");
        }
    }

    private static Configuration retainedCheckpoints(Path checkpoints) {
        Configuration configuration = Pipelines.jobConfiguration();
        configuration.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        configuration.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        return configuration;
    }

    private static List<String> uRows(String table) {
        return Pipelines.windowRows(POSTGRES, table).stream().filter(r -> r.user().equals("u"))
                .map(r -> String.format(Locale.ROOT, "u [%d,%d) n=%d total=%.1f",
                        (r.start() - Ev.T0.toEpochMilli()) / MINUTE, (r.end() - Ev.T0.toEpochMilli()) / MINUTE, r.n(), r.total()))
                .toList();
    }
}
