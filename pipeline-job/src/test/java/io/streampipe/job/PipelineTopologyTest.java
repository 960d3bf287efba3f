package io.streampipe.job;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.sink.DatabaseCredentials;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The job graph of each example: every operator has its documented uid, and no type needs Kryo. */
class PipelineTopologyTest {
    private static List<String> uids(String example, String epoch) {
        StreamingPipelineSpec spec = Specs.example(example);
        spec.sink.postgres.createTable = false;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        PipelineJob.prepare(env, spec, JobOptions.defaults().withSourceEpoch(epoch).withCredentials(DatabaseCredentials.of("u", "p"))
                .withPipeline("analytics/" + example));
        // Building the graph creates every serializer: with generic types disabled, a Kryo type would fail here.
        StreamGraph graph = env.getStreamGraph();
        assertThat(env.getConfig().hasGenericTypesDisabled()).isTrue();
        return graph.getStreamNodes().stream().map(StreamNode::getTransformationUID).toList();
    }

    @Test
    void windowedPipeline() {
        assertThat(uids("sensor-anomalies", "0")).containsExactlyInAnyOrder("kafka-source-epoch-0", "split-rejects",
                "dead-letter-sink", "window-clock", "window-slices", "late-events", "late-data-sink", "postgres-sink",
                "kafka-sink", "Sink Committer: kafka-sink", "Sink Committer: postgres-sink", "Sink Committer: late-data-sink");
    }

    /** The clock must see exactly the input of the window operator: both in one task, no shuffle between them. */
    @Test
    void theWindowClockIsChainedInFrontOfEitherWindowOperator() {
        for (String example : List.of("sensor-anomalies", "clickstream-sessions")) {
            StreamingPipelineSpec spec = Specs.example(example);
            spec.sink.postgres.createTable = false;
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            PipelineJob.prepare(env, spec, JobOptions.defaults().withCredentials(DatabaseCredentials.of("u", "p"))
                    .withPipeline("analytics/" + example));
            List<String> vertices = new java.util.ArrayList<>();
            env.getStreamGraph().getJobGraph().getVertices().forEach(v -> vertices.add(v.getName()));
            assertThat(vertices).as(example).anyMatch(name -> name.matches(
                    "window-clock -> window-(slices|aggregate)( -> .*)?"));
        }
    }

    @Test
    void sessionPipelineWithANewSourceEpoch() {
        assertThat(uids("clickstream-sessions", "reset-3")).contains("kafka-source-epoch-reset-3", "window-clock", "window-aggregate")
                .doesNotContain("kafka-source-epoch-0", "window-slices");
    }

    @Test
    void upsertPipeline() {
        assertThat(uids("orders-upsert", "0")).containsExactlyInAnyOrder("kafka-source-epoch-0", "split-rejects",
                "dead-letter-sink", "result-rows", "postgres-sink");
    }

    /** Kafka alone: results, rejects and too-late events each to their topic, by Kafka sinks with uids of their own. */
    @Test
    void kafkaSinkAloneWithSideTopics() {
        StreamingPipelineSpec spec = Specs.example("sensor-anomalies");
        spec.sink.postgres = null;
        spec.sink.kafka = new io.streampipe.api.v1alpha1.KafkaSinkSpec();
        spec.sink.kafka.bootstrapServers = "kafka:9092";
        spec.sink.kafka.topic = "sensor-alerts";
        spec.deadLetter.table = null;
        spec.deadLetter.topic = "sensor-rejects";
        spec.lateData.table = null;
        spec.lateData.topic = "sensor-late";
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        PipelineJob.prepare(env, spec, JobOptions.defaults().withPipeline("analytics/sensor-anomalies"));
        assertThat(env.getStreamGraph().getStreamNodes()).extracting(StreamNode::getTransformationUID)
                .contains("kafka-sink", "Sink Committer: kafka-sink", "dead-letter-topic-sink", "late-data-topic-sink")
                .doesNotContain("postgres-sink", "dead-letter-sink", "late-data-sink");
    }

    @Test
    void kafkaSinkBesideThePostgresSink() {
        StreamingPipelineSpec spec = Specs.example("orders-upsert");
        spec.sink.postgres.createTable = false;
        spec.sink.kafka = new io.streampipe.api.v1alpha1.KafkaSinkSpec();
        spec.sink.kafka.bootstrapServers = "kafka:9092";
        spec.sink.kafka.topic = "orders-latest";
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        PipelineJob.prepare(env, spec, JobOptions.defaults().withCredentials(DatabaseCredentials.of("u", "p"))
                .withPipeline("shop/orders-upsert"));
        assertThat(env.getStreamGraph().getStreamNodes()).extracting(StreamNode::getTransformationUID)
                .contains("kafka-sink", "postgres-sink", "dead-letter-sink");
    }

    @Test
    void anExactlyOnceKafkaSinkNeedsThePipelinesName() {
        StreamingPipelineSpec spec = Specs.example("orders-upsert");
        spec.sink.postgres.createTable = false;
        spec.sink.kafka = new io.streampipe.api.v1alpha1.KafkaSinkSpec();
        spec.sink.kafka.bootstrapServers = "kafka:9092";
        spec.sink.kafka.topic = "orders-latest";
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        assertThatThrownBy(() -> PipelineJob.prepare(env, spec, JobOptions.defaults().withCredentials(DatabaseCredentials.of("u", "p"))))
                .hasMessageContaining("spec.sink.kafka with delivery exactly-once needs the pipeline's name")
                .hasMessageContaining("--pipeline <namespace>/<name>");
    }

    /** The dimension's join is chained to the source, and its dead letters join the parse rejects' sink. */
    @Test
    void enrichedPipeline() {
        assertThat(uids("clickstream-enriched", "0")).containsExactlyInAnyOrder("kafka-source-epoch-0", "split-rejects",
                "enrich-users", "dead-letter-sink", "window-clock", "window-slices", "late-events", "late-data-discard",
                "postgres-sink", "Sink Committer: postgres-sink");
        StreamingPipelineSpec spec = Specs.example("clickstream-enriched");
        spec.sink.postgres.createTable = false;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        PipelineJob.prepare(env, spec, JobOptions.defaults().withCredentials(DatabaseCredentials.of("u", "p")));
        List<String> vertices = new java.util.ArrayList<>();
        env.getStreamGraph().getJobGraph().getVertices().forEach(v -> vertices.add(v.getName()));
        assertThat(vertices).anyMatch(name -> name.startsWith("Source: kafka-source-epoch-0 -> split-rejects -> ")
                && name.contains("enrich-users"));
    }

    @Test
    void droppedLateDataIsStillCounted() {
        StreamingPipelineSpec spec = Specs.example("sensor-anomalies");
        spec.lateData.table = null;
        spec.lateData.drop = true;
        spec.sink.postgres.createTable = false;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        PipelineJob.prepare(env, spec, JobOptions.defaults().withCredentials(DatabaseCredentials.of("u", "p"))
                .withPipeline("analytics/sensor-anomalies"));
        assertThat(env.getStreamGraph().getStreamNodes()).extracting(StreamNode::getTransformationUID)
                .contains("late-events", "late-data-discard").doesNotContain("late-data-sink");
    }

    @Test
    void anInvalidSpecFailsBeforeAnythingIsBuilt() {
        StreamingPipelineSpec spec = Specs.example("sensor-anomalies");
        spec.lateData = null;
        spec.transform.having.get(0).field = "nope";
        assertThatThrownBy(() -> PipelineJob.prepare(StreamExecutionEnvironment.getExecutionEnvironment(), spec, JobOptions.defaults()))
                .hasMessageContaining("spec.lateData is required when spec.transform.window is set")
                .hasMessageContaining("spec.transform.having[0].field must name an aggregate");
    }

    @Test
    void objectReuseAndLowLatencyDefaultsUnlessTheFlinkConfigurationSaysOtherwise() {
        StreamingPipelineSpec spec = Specs.example("orders-upsert");
        spec.sink.postgres.createTable = false;
        JobOptions options = JobOptions.defaults().withCredentials(DatabaseCredentials.of("u", "p"));

        StreamExecutionEnvironment defaults = StreamExecutionEnvironment.getExecutionEnvironment();
        PipelineJob.prepare(defaults, spec, options);
        assertThat(defaults.getBufferTimeout()).isEqualTo(10);
        assertThat(defaults.getConfig().getAutoWatermarkInterval()).isEqualTo(50);
        assertThat(defaults.getConfig().isObjectReuseEnabled()).isTrue();

        Configuration configured = new Configuration();
        configured.set(ExecutionOptions.BUFFER_TIMEOUT, Duration.ofMillis(70));
        configured.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(300));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configured);
        PipelineJob.prepare(env, spec, options);
        assertThat(env.getBufferTimeout()).isEqualTo(70);
        assertThat(env.getConfig().getAutoWatermarkInterval()).isEqualTo(300);
    }

    @Test
    void theReadmeDocumentsEveryUid() throws Exception {
        Path readme = Path.of("README.md");
        String text = Files.readString(Files.exists(readme) ? readme : Path.of("pipeline-job", "README.md"));
        for (String uid : List.of("kafka-source-epoch-", OperatorUids.SPLIT_REJECTS, OperatorUids.WINDOW_AGGREGATE,
                OperatorUids.WINDOW_SLICES, OperatorUids.WINDOW_CLOCK,
                OperatorUids.RESULT_ROWS, OperatorUids.LATE_EVENTS, OperatorUids.POSTGRES_SINK,
                OperatorUids.DEAD_LETTER_SINK, OperatorUids.LATE_DATA_SINK, OperatorUids.LATE_DATA_DISCARD,
                OperatorUids.KAFKA_SINK, OperatorUids.DEAD_LETTER_TOPIC_SINK, OperatorUids.LATE_DATA_TOPIC_SINK,
                OperatorUids.enrich("<name>"))) {
            assertThat(text).contains("`" + uid);
        }
    }
}
