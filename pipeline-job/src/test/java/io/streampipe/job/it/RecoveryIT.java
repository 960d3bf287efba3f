package io.streampipe.job.it;

import io.streampipe.api.v1alpha1.OffsetResetSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.JobOptions;
import io.streampipe.job.PipelineJob;
import io.streampipe.job.it.WindowOracle.Kind;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.streampipe.job.it.Ev.ev;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * State survives what happens to running jobs: stop-with-savepoint and restore at another parallelism while
 * records keep arriving, a task failure (restart from the last checkpoint), and a new source epoch (window state
 * kept, Kafka offsets from the spec). Tumbling 10-minute windows, 10 minutes allowed lateness, watermark 1 minute
 * behind; the final tables must equal the oracle: nothing lost, nothing counted twice.
 */
class RecoveryIT {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();
    @RegisterExtension
    static final MiniClusterExtension FLINK = Pipelines.miniCluster();

    private static final long MINUTE = 60_000;
    private static final Predicate<WindowOracle.Row> HAVING = r -> r.mean() >= 1;

    private static StreamingPipelineSpec spec(String topic, String startingOffsets) {
        StreamingPipelineSpec spec = Pipelines.windowedSpec(KAFKA, POSTGRES, topic, topic,
                "{type: tumbling, size: 10m, allowedLateness: 10m}", "[{field: mean, op: gte, value: 1}]",
                "{table: " + topic + "_late}");
        spec.source.startingOffsets.policy = io.streampipe.api.v1alpha1.SourceSpec.OffsetPolicy.valueOf(startingOffsets);
        return spec;
    }

    private static Scenario scenario(String topic) {
        KAFKA.createTopic(topic, 4);
        return new Scenario(KAFKA, topic, 4, Duration.ofMinutes(1), new WindowOracle(Kind.TUMBLING, 10 * MINUTE, 0, 10 * MINUTE));
    }

    @Test
    void savepointAndRestoreAtParallelism2Then3Then1WhileRecordsKeepComing(@TempDir Path savepoints) throws Exception {
        String topic = Pipelines.unique("rescale");
        Scenario scenario = scenario(topic);
        JobOptions options = Pipelines.options(POSTGRES, 2);
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec(topic, "EARLIEST"), options);
            scenario.runningIn(job, 2);
            scenario.step(ev("alice", 1, 5, 0), ev("bob", 2, 3, 1), ev("carol", 3, 4, 2), ev("dave", 4, 6, 3), ev("alice", 12, 2, 0));
            scenario.clock(20);
            scenario.step(ev("bob", 9, 1, 1));
            // Once a later clock has passed, bob@9 (before it in its partition) is in the state the savepoint takes.
            scenario.clock(20.5);
            String first = Pipelines.savepoint(job, savepoints);

            // Records keep arriving while no job runs. Restored jobs start at "latest" unless the savepoint's offsets apply.
            scenario.step(ev("alice", 15, 1, 0), ev("carol", 22, 2, 2));
            job = jobs.start(spec(topic, "LATEST"), Pipelines.restoring(options.withParallelism(3), first));
            scenario.runningIn(job, 3).clock(25);
            scenario.step(ev("dave", 24, 8, 3), ev("bob", 11, 7, 1));
            scenario.clock(35);
            scenario.step(ev("alice", 27, 9, 0), ev("carol", 8, 1, 2));
            scenario.clock(35.5);
            String second = Pipelines.savepoint(job, savepoints);

            scenario.step(ev("bob", 38, 2, 1));
            job = jobs.start(spec(topic, "LATEST"), Pipelines.restoring(options.withParallelism(1), second));
            scenario.runningIn(job, 1).clock(40);
            scenario.step(ev("carol", 41, 1, 2), ev("dave", 39, 3, 3));
            scenario.clock(70);

            List<WindowOracle.Row> expected = Pipelines.rounded(scenario.oracle().rows(scenario.watermark(), HAVING));
            assertThat(expected).hasSizeGreaterThan(6);
            Pipelines.awaitEqual(() -> Pipelines.windowRows(POSTGRES, topic), expected);
            Pipelines.awaitEqual(() -> WindowedPipelineIT.lateRows(POSTGRES, topic + "_late"), WindowedPipelineIT.expectedLate(scenario.oracle()));
            assertThat(scenario.oracle().late()).extracting(Ev::user).containsExactly("carol");
        }
    }

    @Test
    void aTaskFailureRestartsFromTheLastCheckpoint(@InjectMiniCluster MiniCluster cluster) throws Exception {
        String topic = Pipelines.unique("failure");
        Scenario scenario = scenario(topic);
        FailOnceOnUser.FAILED.set(false);
        JobOptions options = Pipelines.options(POSTGRES, 2).withWiring(wiring -> wiring.withEventsTap(
                (DataStream<Row> events) -> events.map(new FailOnceOnUser("boom"), events.getType()).name("fail-once-on-boom")));
        JobClient job = PipelineJob.start(spec(topic, "EARLIEST"), options);
        scenario.runningIn(job, 2);
        try {
            scenario.step(ev("alice", 1, 5, 0), ev("bob", 2, 3, 1), ev("carol", 13, 4, 2), ev("dave", 4, 6, 3));
            scenario.clock(20);
            scenario.step(ev("alice", 9, 2, 0), ev("carol", 19, 2, 2));
            scenario.clock(20.5);
            awaitCompletedCheckpoint(cluster, job);
            // This step crashes the job half way through; it restarts from the last checkpoint (and its watermark)
            // and reads it again.
            scenario.step(ev("dave", 15, 5, 3), ev("bob", 8, 7, 1), ev("boom", 17, 1, 0), ev("alice", 18, 3, 0));
            scenario.clock(40);
            assertThat(FailOnceOnUser.FAILED).isTrue();
            scenario.step(ev("bob", 33, 4, 1), ev("alice", 2, 50, 0));
            scenario.clock(70);

            List<WindowOracle.Row> expected = Pipelines.rounded(scenario.oracle().rows(scenario.watermark(), HAVING));
            assertThat(expected).extracting(WindowOracle.Row::user).contains("boom");
            Pipelines.awaitEqual(() -> Pipelines.windowRows(POSTGRES, topic), expected);
            Pipelines.awaitEqual(() -> WindowedPipelineIT.lateRows(POSTGRES, topic + "_late"), WindowedPipelineIT.expectedLate(scenario.oracle()));
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get();
        }
    }

    /** Takes a checkpoint now and waits until it completed, so the failure restarts from a known recent state. */
    private static void awaitCompletedCheckpoint(MiniCluster cluster, JobClient job) throws Exception {
        cluster.triggerCheckpoint(job.getJobID()).get(60, TimeUnit.SECONDS);
    }

    @Test
    void aNewSourceEpochKeepsWindowStateAndReadsFromTheRequestedOffsets(@TempDir Path savepoints) throws Exception {
        String topic = Pipelines.unique("epoch");
        Scenario scenario = scenario(topic);
        JobOptions options = Pipelines.options(POSTGRES, 2);
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec(topic, "EARLIEST"), options);
            scenario.runningIn(job, 2);
            scenario.step(ev("alice", 1, 5, 0), ev("bob", 2, 3, 1), ev("alice", 12, 4, 0));
            scenario.clock(20);
            String savepoint = Pipelines.savepoint(job, savepoints);

            // An offset reset to a timestamp: the records before it are skipped, alice's open window [10,20) is kept.
            scenario.produce(List.of(ev("alice", 13, 100, 0), ev("bob", 14, 100, 1)));
            Instant resetTo = Instant.now().plus(Duration.ofDays(1));
            scenario.stepAt(resetTo.toEpochMilli(), ev("alice", 14, 1, 0), ev("carol", 15, 2, 2));
            // As the operator starts it: the spec carries the reset, and the new epoch is its token.
            StreamingPipelineSpec reset = spec(topic, "EARLIEST");
            reset.offsetReset = new OffsetResetSpec();
            reset.offsetReset.token = "reset-1";
            reset.offsetReset.to = OffsetResetSpec.Target.TIMESTAMP;
            reset.offsetReset.timestamp = resetTo.toString();
            job = jobs.start(reset, Pipelines.restoring(options.withSourceEpoch("reset-1"), savepoint));
            scenario.runningIn(job, 2).clock(30);
            scenario.clock(50);

            List<WindowOracle.Row> expected = Pipelines.rounded(scenario.oracle().rows(scenario.watermark(), HAVING));
            assertThat(expected).anyMatch(r -> r.user().equals("alice") && r.n() == 2 && r.total() == 5.0);
            Pipelines.awaitEqual(() -> Pipelines.windowRows(POSTGRES, topic), expected);
        }
    }
}
