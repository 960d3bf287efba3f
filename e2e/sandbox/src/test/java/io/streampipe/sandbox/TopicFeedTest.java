package io.streampipe.sandbox;

import io.streampipe.api.v1alpha1.KafkaSinkSpec;
import io.streampipe.job.sink.kafka.KafkaSinks;
import io.streampipe.testkit.data.KafkaBroker;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local run's and the demo's view of the sink's topics, on a real broker: new records and tombstones as they land,
 * nothing older, the result and dead-letter topics through one consumer.
 */
class TopicFeedTest {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();

    @Test
    void showsTheRecordsThatLandAfterItStartsAndCountsThem() {
        KAFKA.createTopic("alerts", 2);
        KAFKA.createTopic("alerts-rejects", 1);
        KAFKA.produce(List.of(new ProducerRecord<>("alerts", 0, "{\"id\":\"old\"}", "{\"id\":\"old\",\"n\":1}")));
        KafkaSinkSpec sink = new KafkaSinkSpec();
        sink.bootstrapServers = KAFKA.bootstrapServers();
        sink.topic = "alerts";
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (TopicFeed feed = TopicFeed.start(new PipelineTopics("alerts", null, "alerts-rejects"), KafkaSinks.connectionProperties(sink),
                new PrintStream(console, true, StandardCharsets.UTF_8))) {
            assertThat(console.toString(StandardCharsets.UTF_8))
                    .isEqualTo("  topic        alerts (results, read_committed); it has 1 offsets already, only new records are shown\n"
                            + "  topic        alerts-rejects (dead letters, read_committed)\n");
            KAFKA.produce(List.of(new ProducerRecord<>("alerts", 1, "{\"id\":\"a\"}", "{\"id\":\"a\",\"n\":2}"),
                    new ProducerRecord<>("alerts", 1, "{\"id\":\"a\"}", (String) null),
                    new ProducerRecord<>("alerts-rejects", 0, null, "{\"reason\":\"x\"}")));
            List<String> lines = new ArrayList<>();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (lines.size() < 3 && System.nanoTime() < deadline) {
                lines.addAll(feed.poll());
            }
            assertThat(lines).containsExactlyInAnyOrder("+ alerts {\"id\":\"a\"} {\"id\":\"a\",\"n\":2}", "- alerts {\"id\":\"a\"}",
                    "+ alerts-rejects null {\"reason\":\"x\"}");
            assertThat(lines.indexOf("+ alerts {\"id\":\"a\"} {\"id\":\"a\",\"n\":2}")).isLessThan(lines.indexOf("- alerts {\"id\":\"a\"}"));
            assertThat(feed.recordCount()).isEqualTo("records: alerts 2, alerts-rejects 1");
            assertThat(feed.newRecords("alerts-rejects")).isEqualTo(1);
        }
    }
}
