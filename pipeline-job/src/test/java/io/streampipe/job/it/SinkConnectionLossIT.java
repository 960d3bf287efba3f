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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL drops the sink's connections while the job runs, and the sink may not retry (maxRetries 0): the batch
 * in flight fails on the writer thread, the task fails, Flink restarts it from the last checkpoint, and the replay
 * writes what was lost. The table must end equal to the oracle, row for row.
 */
class SinkConnectionLossIT {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();
    @RegisterExtension
    static final MiniClusterExtension FLINK = Pipelines.miniCluster();

    @Test
    void nothingIsLostWhenTheSinksConnectionsAreKilledMidStream() throws Exception {
        String topic = Pipelines.unique("connection_loss");
        KAFKA.createTopic(topic, 4);
        StreamingPipelineSpec spec = Orders.spec(KAFKA, POSTGRES, topic, topic, topic, "{policy: earliest}");
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
}
