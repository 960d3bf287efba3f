package io.streampipe.job.it;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.PipelineJob;
import io.streampipe.job.it.WindowOracle.Kind;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.streampipe.job.it.Ev.ev;
import static io.streampipe.job.it.Ev.raw;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each window type end to end at parallelism 2 against a real Kafka broker and PostgreSQL: out-of-order events
 * within the bound, late-but-allowed events updating their row, a late firing removing a row that no longer passes
 * {@code having}, too-late events in the late table, session merging with superseded rows removed, and bad records
 * in the dead-letter table while the job keeps going. Times are minutes after {@link Ev#T0}; the watermark lags
 * 1 minute; allowed lateness is 10 minutes (30 for sessions).
 */
class WindowedPipelineIT {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();
    @RegisterExtension
    static final MiniClusterExtension FLINK = Pipelines.miniCluster();

    private static final Duration BOUND = Duration.ofMinutes(1);
    private static final long MINUTE = 60_000;

    @Test
    void tumblingWindowsWithLatenessHavingAndDeadLetters() throws Exception {
        String topic = Pipelines.unique("tumbling");
        KAFKA.createTopic(topic, 4);
        StreamingPipelineSpec spec = Pipelines.windowedSpec(KAFKA, POSTGRES, topic, topic,
                "{type: tumbling, size: 10m, allowedLateness: 10m}", "[{field: mean, op: gte, value: 2}]",
                "{table: " + topic + "_late}");
        WindowOracle oracle = new WindowOracle(Kind.TUMBLING, 10 * MINUTE, 0, 10 * MINUTE);
        JobClient job = PipelineJob.start(spec, Pipelines.options(POSTGRES, 2));
        Scenario scenario = new Scenario(KAFKA, topic, 4, BOUND, oracle).runningIn(job, 2);
        try {
            scenario.step(ev("alice", 1, 5, 0), ev("alice", 3, 7, 0), ev("alice", 0.5, 3, 0),
                    ev("bob", 2, 1, 1), ev("bob", 4, 2, 1), ev("carol", 12, 4, 2), ev("dave", 15, 10, 3),
                    raw("{not json", 1),
                    raw("{\"user_id\":\"bob\",\"v\":5000,\"ts\":\"2026-11-20T00:05:00Z\"}", 2),
                    raw("{\"user_id\":\"bob\",\"v\":1}", 3));
            scenario.clock(20);
            // Late but allowed: bob's [0,10) now passes having, alice's [0,10) no longer does (its row goes).
            scenario.step(ev("bob", 9, 9, 1), ev("alice", 8, -20, 0), ev("carol", 11, 6, 2));
            scenario.clock(35);
            // Too late (their windows are purged), late but allowed, on time, and one more bad record.
            scenario.step(ev("alice", 5, 100, 0), ev("dave", 19, 1, 3), ev("bob", 25, 8, 1), ev("carol", 36, 3, 2),
                    raw("[1,2]", 0));
            scenario.clock(60);

            List<WindowOracle.Row> expected = Pipelines.rounded(oracle.rows(scenario.watermark(), r -> r.mean() >= 2));
            assertThat(expected).extracting(WindowOracle.Row::user)
                    .containsExactly("bob", "bob", "carol", "carol", "dave");
            Pipelines.awaitEqual(() -> Pipelines.windowRows(POSTGRES, topic), expected);
            Pipelines.awaitEqual(() -> lateRows(POSTGRES, topic + "_late"), expectedLate(oracle));
            assertThat(oracle.late()).hasSize(2);
            Pipelines.awaitEqual(() -> rejects(topic + "_rejects"), Map.of(
                    1, "malformed JSON: Unexpected character ('n' (code 110)): was expecting double-quote to start field name at line 1, column 2",
                    2, "field 'v': 5000.0 is above max 1000.0",
                    3, "field 'ts': required but missing",
                    0, "not a JSON object"));
            // The job's counters (summed over subtasks) tell the same story.
            assertThat(WatermarkProbe.counter(job.getJobID(), "recordsRejected")).isEqualTo(4);
            assertThat(WatermarkProbe.counter(job.getJobID(), "recordsAccepted")).isEqualTo(14 + 3 * 4);
            assertThat(WatermarkProbe.counter(job.getJobID(), "lateRecords")).isEqualTo(2);
            assertThat(WatermarkProbe.counter(job.getJobID(), "windowRowsDeleted")).isEqualTo(1);
            assertThat(WatermarkProbe.counter(job.getJobID(), "sinkBatches")).isPositive();
            assertPrometheusSeries(job);
            assertThat(POSTGRES.query("SELECT payload FROM " + topic + "_rejects ORDER BY partition").stream()
                    .map(r -> r.get("payload")).toList())
                    .containsExactlyElementsOf(scenario.malformed().stream()
                            .sorted(java.util.Comparator.comparingInt(Ev::partition)).map(Ev::raw).toList());
        } finally {
            job.cancel().get();
        }
    }

    /**
     * The same story as Prometheus reads it from Flink's reporter, under the names docs/metrics.md lists and the chart's
     * alerts and dashboard use: each one is served, and the job's counters add up to the oracle's.
     */
    private static void assertPrometheusSeries(JobClient job) {
        String jobId = "job_id=\"" + job.getJobID() + "\"";
        Pipelines.awaitEqual(Duration.ofSeconds(30), () -> PrometheusScrape.now()
                .sum("flink_jobmanager_job_numberOfCompletedCheckpoints", jobId) > 0, true);
        PrometheusScrape scrape = PrometheusScrape.now();
        assertThat(scrape.names()).containsAll(PrometheusScrape.documentedFlinkSeries());
        assertThat(scrape.sum("flink_taskmanager_job_task_operator_deserializer_recordsRejected", jobId)).isEqualTo(4);
        assertThat(scrape.sum("flink_taskmanager_job_task_operator_deserializer_recordsAccepted", jobId)).isEqualTo(14 + 3 * 4);
        assertThat(scrape.sum("flink_taskmanager_job_task_operator_lateRecords", jobId)).isEqualTo(2);
        assertThat(scrape.sum("flink_taskmanager_job_task_operator_windowRowsDeleted", jobId)).isEqualTo(1);
        // The dashboard's "out" is the result sink, told from the late-data and dead-letter sinks by its name as the
        // reporter writes label values (characters other than [A-Za-z0-9_:] become _). A windowed result table is
        // written by the sink's committer, when the checkpoint completes; the dead-letter table by its writer.
        assertThat(scrape.labelValues("flink_taskmanager_job_task_operator_sinkRowsWritten", "operator_name", jobId))
                .filteredOn(name -> name.matches("postgres_sink.*")).containsExactly("postgres_sink:_Committer");
        assertThat(scrape.labelValues("flink_taskmanager_job_task_operator_sinkRowsWritten", "operator_name", jobId))
                .contains("late_data_sink:_Committer", "dead_letter_sink:_Writer");
        assertThat(scrape.has("flink_taskmanager_job_task_operator_sinkBatchLatencyMs", jobId, "quantile=\"0.99\"")).isTrue();
    }

    @Test
    void slidingWindowsWithPartiallyLateEvents() throws Exception {
        String topic = Pipelines.unique("sliding");
        KAFKA.createTopic(topic, 4);
        StreamingPipelineSpec spec = Pipelines.windowedSpec(KAFKA, POSTGRES, topic, topic,
                "{type: sliding, size: 10m, slide: 5m, allowedLateness: 10m}",
                "[{field: n, op: gte, value: 2}, {field: hi, op: lt, value: 50}]", "{table: " + topic + "_late}");
        WindowOracle oracle = new WindowOracle(Kind.SLIDING, 10 * MINUTE, 5 * MINUTE, 10 * MINUTE);
        JobClient job = PipelineJob.start(spec, Pipelines.options(POSTGRES, 2));
        Scenario scenario = new Scenario(KAFKA, topic, 4, BOUND, oracle).runningIn(job, 2);
        try {
            scenario.step(ev("alice", 1, 1, 0), ev("alice", 6, 2, 0), ev("bob", 3, 4, 1), ev("bob", 2, 3, 1),
                    ev("carol", 7, 5, 2));
            scenario.clock(20);
            // carol@8 makes two windows pass; bob@4.5 is too late for [-5,5) but makes [0,10) fail hi < 50.
            scenario.step(ev("carol", 8, 5, 2), ev("bob", 4.5, 60, 1), ev("alice", 3, 1, 0));
            scenario.clock(40);
            scenario.step(ev("dave", 12, 1, 3), ev("alice", 22, 2, 0), ev("alice", 27, 3, 0));
            scenario.clock(70);

            List<WindowOracle.Row> expected = Pipelines.rounded(oracle.rows(scenario.watermark(), r -> r.n() >= 2 && r.hi() < 50));
            assertThat(expected).isNotEmpty();
            Pipelines.awaitEqual(() -> Pipelines.windowRows(POSTGRES, topic), expected);
            Pipelines.awaitEqual(() -> lateRows(POSTGRES, topic + "_late"), expectedLate(oracle));
            assertThat(oracle.late()).extracting(Ev::user).containsExactly("dave");
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void sessionWindowsMergeAndReplaceTheRowsOfSupersededSessions() throws Exception {
        String topic = Pipelines.unique("sessions");
        KAFKA.createTopic(topic, 4);
        StreamingPipelineSpec spec = Pipelines.windowedSpec(KAFKA, POSTGRES, topic, topic,
                "{type: session, gap: 5m, allowedLateness: 30m}", "[{field: n, op: gte, value: 2}]",
                "{table: " + topic + "_late}");
        WindowOracle oracle = new WindowOracle(Kind.SESSION, 5 * MINUTE, 0, 30 * MINUTE);
        JobClient job = PipelineJob.start(spec, Pipelines.options(POSTGRES, 2));
        Scenario scenario = new Scenario(KAFKA, topic, 4, BOUND, oracle).runningIn(job, 2);
        try {
            scenario.step(ev("alice", 10, 1, 0), ev("alice", 12, 2, 0), ev("alice", 20, 3, 0), ev("alice", 21, 4, 0),
                    ev("bob", 11, 1, 1), ev("bob", 10, 5, 1), ev("carol", 10, 1, 2),
                    ev("dave", 10, 2, 3), ev("dave", 13, 2, 3));
            scenario.clock(40);
            Pipelines.awaitEqual(() -> Pipelines.windowRows(POSTGRES, topic).stream()
                    .map(r -> r.user() + "@" + (r.start() - Ev.T0.toEpochMilli()) / MINUTE).toList(),
                    List.of("alice@10", "alice@20", "bob@10", "dave@10"));
            // alice@16 bridges [10,17) and [20,26); bob@7 extends [10,16) backwards; carol@14 extends forwards.
            scenario.step(ev("alice", 16, 10, 0), ev("bob", 7, 2, 1), ev("dave", 30, 1, 3), ev("carol", 14, 1, 2));
            scenario.clock(80);
            scenario.step(ev("alice", 25, 1, 0), ev("bob", 50, 1, 1), ev("bob", 52, 2, 1));
            scenario.clock(120);

            List<WindowOracle.Row> expected = Pipelines.rounded(oracle.rows(scenario.watermark(), r -> r.n() >= 2));
            assertThat(expected).extracting(r -> r.user() + "@" + (r.start() - Ev.T0.toEpochMilli()) / MINUTE)
                    .containsExactly("alice@10", "bob@7", "bob@50", "carol@10", "dave@10");
            Pipelines.awaitEqual(() -> Pipelines.windowRows(POSTGRES, topic), expected);
            Pipelines.awaitEqual(() -> lateRows(POSTGRES, topic + "_late"), expectedLate(oracle));
            assertThat(oracle.late()).extracting(Ev::user).containsExactly("alice");
        } finally {
            job.cancel().get();
        }
    }

    static List<String> lateRows(PostgresServer postgres, String table) {
        return postgres.query("SELECT partition, (extract(epoch FROM event_time) * 1000)::bigint AS t, event_key FROM "
                        + table + " ORDER BY partition, \"offset\"").stream()
                .map(r -> r.get("partition") + "|" + r.get("t") + "|" + r.get("event_key")).toList();
    }

    static List<String> expectedLate(WindowOracle oracle) {
        return oracle.late().stream()
                .distinct() // a record read twice (an offset rewind) has one row: the table keys it by its offset
                .sorted(java.util.Comparator.comparingInt(Ev::partition))
                .map(e -> e.partition() + "|" + e.time() + "|{\"user_id\":\"" + e.user() + "\"}").toList();
    }

    static Map<Integer, String> rejects(String table) {
        return POSTGRES.query("SELECT partition, reason FROM " + table).stream()
                .collect(Collectors.toMap(r -> ((Number) r.get("partition")).intValue(), r -> (String) r.get("reason")));
    }
}
