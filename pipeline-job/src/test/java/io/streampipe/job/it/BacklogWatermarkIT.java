package io.streampipe.job.it;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.PipelineJob;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job that starts on a backlog, with several partitions per source subtask, as after any downtime: Flink's source
 * reader creates a partition's watermark output only when that partition's first records arrive (SourceReaderBase
 * .moveToNextSplit), so the first partition fetched could carry the subtask's watermark far past the others, and the
 * others' older events would all be late. Every event of the backlog must be counted, none late.
 */
class BacklogWatermarkIT {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();
    @RegisterExtension
    static final MiniClusterExtension FLINK = Pipelines.miniCluster();

    private static final int PARTITIONS = 4;
    /** Minutes of backlog; one event per partition per minute: more than one poll (500 records) of any partition. */
    private static final int MINUTES = 1_500;

    @Test
    void aBacklogOnSeveralPartitionsPerSubtaskIsCountedWithNothingLate() throws Exception {
        String topic = Pipelines.unique("backlog");
        KAFKA.createTopic(topic, PARTITIONS);
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int minute = 0; minute < MINUTES; minute++) {
            for (int p = 0; p < PARTITIONS; p++) {
                Ev event = Ev.ev("user-" + p, minute, 1, p);
                records.add(new ProducerRecord<>(topic, p, null, event.user(), event.json()));
            }
        }
        KAFKA.produce(records);
        StreamingPipelineSpec spec = Pipelines.windowedSpec(KAFKA, POSTGRES, topic, topic,
                "{type: tumbling, size: 10m}", "[]", "{table: " + topic + "_late}");
        spec.parallelism = 1;
        JobClient job = PipelineJob.start(spec, Pipelines.options(POSTGRES, 1));
        try {
            // Every window before the last 1 m + 10 m closes: PARTITIONS users × (MINUTES / 10 - 1) rows of 10 events.
            long closed = (long) PARTITIONS * (MINUTES / 10 - 1);
            Pipelines.awaitEqual(() -> {
                var counts = POSTGRES.query("SELECT count(*) AS rows, coalesce(sum(n), 0)::bigint AS events FROM " + topic).get(0);
                return List.of(counts.get("rows"), counts.get("events"));
            }, List.<Object>of(closed, closed * 10));
            assertThat(POSTGRES.query("SELECT count(*) AS n FROM " + topic + "_late").get(0).get("n")).isEqualTo(0L);
        } finally {
            job.cancel().get();
        }
    }
}
