package io.streampipe.job.it;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.PipelineJob;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The no-window path has no keyBy: each subtask writes the rows of the partitions it reads. Here every order has
 * versions in all four partitions, so both subtasks upsert the same rows at the same time, in batches of 20 — the
 * newest version must still win every row (the table's guard), no transaction may deadlock (batches lock in key
 * order), and every older version must be counted as skipped.
 */
class UpsertAcrossPartitionsIT {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();
    @RegisterExtension
    static final MiniClusterExtension FLINK = Pipelines.miniCluster();

    @Test
    void theNewestVersionWinsWhenOneKeysVersionsAreInEveryPartition() throws Exception {
        String topic = Pipelines.unique("spread");
        KAFKA.createTopic(topic, 4);
        StreamingPipelineSpec spec = Orders.spec(KAFKA, POSTGRES, topic, topic, topic, "{policy: earliest}");
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
}
