package io.streampipe.job.it;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.JobOptions;
import io.streampipe.job.OperatorUids;
import io.streampipe.job.PipelineJob;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The no-window path's upserts, where they are hardest: each subtask writes the rows of the partitions it reads (no
 * keyBy), in batches of 20, on the sink's writer thread. Every table must end equal to the oracle, row for row.
 */
class NoWindowUpsertIT {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();
    @RegisterExtension
    static final MiniClusterExtension FLINK = Pipelines.miniCluster();

    /**
     * Every order has versions in all four partitions, so both subtasks upsert the same rows at the same time: the
     * newest version must still win every row (the table's guard), no transaction may deadlock (batches lock in key
     * order), and every older version must be counted as skipped.
     */
    @Test
    void theNewestVersionWinsWhenOneKeysVersionsAreInEveryPartition() throws Exception {
        StreamingPipelineSpec spec = ordersFromEarliest("spread");
        String topic = spec.source.kafka.topic;
        Random random = new Random(7);
        List<Orders.Order> orders = new ArrayList<>();
        for (int version = 0; version < 8; version++) {
            for (int i = 0; i < 150; i++) {
                // Distinct times per order; which partition gets which version is random.
                long second = 1000L * i + random.nextInt(1000);
                orders.add(new Orders.Order("o-" + i, version % 2 == 0 ? "paid" : "shipped", 10 + version, second,
                        random.nextInt(4)));
            }
        }
        Collections.shuffle(orders, random);
        Orders.produce(KAFKA, topic, orders, null);
        List<String> expected = Orders.latest(orders);

        JobClient job = PipelineJob.start(spec, Pipelines.options(POSTGRES, 2));
        try {
            Pipelines.awaitEqual(Duration.ofSeconds(90), () -> Orders.table(POSTGRES, topic), expected);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            // Every version that is not its order's newest was dropped in a batch or refused by the guard.
            Pipelines.awaitEqual(Duration.ofSeconds(30), () -> WatermarkProbe.counter(job.getJobID(), "staleRecordsSkipped")
                    + WatermarkProbe.counter(job.getJobID(), "sinkRowsWritten") - orders.size(), 0L);
            assertThat(WatermarkProbe.counter(job.getJobID(), "staleRecordsSkipped")).isPositive();
        } finally {
            job.cancel().get();
        }
    }

    /**
     * PostgreSQL drops the sink's connections while the job runs, and the sink may not retry (maxRetries 0): the batch
     * in flight fails on the writer thread, the task fails, Flink restarts it from the last checkpoint, and the replay
     * writes what was lost.
     */
    @Test
    void nothingIsLostWhenTheSinksConnectionsAreKilledMidStream() throws Exception {
        StreamingPipelineSpec spec = ordersFromEarliest("connection_loss");
        String topic = spec.source.kafka.topic;
        spec.sink.postgres.maxRetries = 0;
        List<Orders.Order> orders = new ArrayList<>(Orders.versions("a", 400, 1_000));
        Orders.produce(KAFKA, topic, orders, null);

        JobClient job = PipelineJob.start(spec, Pipelines.options(POSTGRES, 2));
        try {
            Pipelines.awaitEqual(Duration.ofSeconds(60), () -> Orders.table(POSTGRES, topic), Orders.latest(orders));
            long killed = (Long) POSTGRES.query("SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity"
                    + " WHERE backend_type = 'client backend' AND datname = current_database() AND pid <> pg_backend_pid()")
                    .get(0).get("n");
            assertThat(killed).as("the sink's connections").isGreaterThanOrEqualTo(2);
            List<Orders.Order> more = Orders.versions("b", 400, 5_000);
            orders.addAll(more);
            Orders.produce(KAFKA, topic, more, null);
            Pipelines.awaitEqual(Duration.ofSeconds(90), () -> Orders.table(POSTGRES, topic), Orders.latest(orders));
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            assertThat(POSTGRES.query("SELECT count(*) AS n FROM " + topic + "_rejects").get(0).get("n")).isEqualTo(0L);
        } finally {
            job.cancel().get();
        }
    }

    /**
     * Everything the sink received before a checkpoint completed is in PostgreSQL when the job dies right after it.
     * The batches here never fill and their interval never elapses, so only the flush before the checkpoint writes
     * rows. After the checkpoint more records arrive and wait in the sink; then the job is cancelled (a close without a
     * flush, as in a crash): the table must hold exactly the rows of the records before the checkpoint, and a job
     * restored from that checkpoint must write the rest.
     */
    @Test
    void everythingBeforeACompletedCheckpointIsInPostgresWhenTheJobDiesRightAfterIt(@InjectMiniCluster MiniCluster cluster,
                                                                                   @TempDir Path checkpoints) throws Exception {
        StreamingPipelineSpec spec = ordersFromEarliest("checkpoint_kill");
        String topic = spec.source.kafka.topic;
        spec.sink.postgres.batch.size = 100_000;
        spec.sink.postgres.batch.interval = "1h";
        spec.checkpointing.interval = "1h";
        Configuration configuration = Pipelines.jobConfiguration();
        configuration.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        configuration.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        JobOptions options = Pipelines.options(POSTGRES, 2).withConfiguration(configuration);
        List<Orders.Order> before = Orders.versions("a", 200, 1_000);
        Orders.produce(KAFKA, topic, before, null);

        String checkpoint;
        JobClient job = PipelineJob.start(spec, options);
        try {
            Pipelines.awaitEqual(() -> WatermarkProbe.counter(job.getJobID(), OperatorUids.POSTGRES_SINK, "numRecordsIn"),
                    (long) before.size());
            assertThat(Orders.table(POSTGRES, topic)).as("nothing is written before the checkpoint").isEmpty();
            checkpoint = cluster.triggerCheckpoint(job.getJobID()).get(60, TimeUnit.SECONDS);
            List<Orders.Order> after = Orders.versions("b", 200, 5_000);
            Orders.produce(KAFKA, topic, after, null);
            Pipelines.awaitEqual(() -> WatermarkProbe.counter(job.getJobID(), OperatorUids.POSTGRES_SINK, "numRecordsIn"),
                    (long) before.size() + after.size());
            job.cancel().get(30, TimeUnit.SECONDS);
            assertThat(Orders.table(POSTGRES, topic)).isEqualTo(Orders.latest(before));

            spec.sink.postgres.batch.interval = "100ms";
            JobClient restored = PipelineJob.start(spec, Pipelines.restoring(options, checkpoint));
            try {
                List<Orders.Order> all = new ArrayList<>(before);
                all.addAll(after);
                Pipelines.awaitEqual(Duration.ofSeconds(60), () -> Orders.table(POSTGRES, topic), Orders.latest(all));
            } finally {
                restored.cancel().get();
            }
        } finally {
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get();
            }
        }
    }

    /** The orders pipeline on a new 4-partition topic, read from the earliest offset; topic, group and table share its name. */
    private static StreamingPipelineSpec ordersFromEarliest(String prefix) {
        String topic = Pipelines.unique(prefix);
        KAFKA.createTopic(topic, 4);
        return Orders.spec(KAFKA, POSTGRES, topic, topic, topic, "{policy: earliest}");
    }
}
