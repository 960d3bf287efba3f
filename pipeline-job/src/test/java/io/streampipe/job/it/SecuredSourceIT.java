package io.streampipe.job.it;

import io.streampipe.api.JobContract;
import io.streampipe.api.v1alpha1.KafkaSinkSpec;
import io.streampipe.api.v1alpha1.SecretKeyRef;
import io.streampipe.api.v1alpha1.SourceSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.JobOptions;
import io.streampipe.job.PipelineJob;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;
import io.streampipe.testkit.data.SaslMechanism;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.executiongraph.ErrorInfo;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.InstantiationUtil;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Kafka source against brokers that demand a SASL login. The job logs in as a deployment does: with the
 * credentials in its environment ({@link JobContract#ENV_KAFKA_USERNAME}, {@link JobContract#ENV_KAFKA_PASSWORD}, set
 * for this JVM by the failsafe configuration of pipeline-job/pom.xml, as the operator sets them on the Flink pods from
 * the Secret), which {@code EnvCredentialsConfigProvider} reads inside the Kafka client. It reads every topic its
 * {@code topicPattern} matches and no other, and the password is nowhere in the job graph. With a password the broker
 * refuses, no attempt of the job reads anything: each fails on the refused login, and the job fails for good when
 * its restarts run out.
 */
class SecuredSourceIT {
    private static final String USERNAME = environment(JobContract.ENV_KAFKA_USERNAME);
    private static final String PASSWORD = environment(JobContract.ENV_KAFKA_PASSWORD);
    private static final String AUTHENTICATION_ERROR = "org.apache.kafka.common.errors.SaslAuthenticationException: "
            + "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512";

    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker()
            .withSasl(USERNAME, PASSWORD, SaslMechanism.SCRAM_SHA_512, SaslMechanism.PLAIN);
    /** Knows the job's user, under another password. */
    @RegisterExtension
    static final KafkaBroker KAFKA_WITH_OTHER_PASSWORD = new KafkaBroker()
            .withSasl(USERNAME, "other-" + PASSWORD, SaslMechanism.SCRAM_SHA_512);
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();
    @RegisterExtension
    static final MiniClusterExtension FLINK = Pipelines.miniCluster();

    @ParameterizedTest
    @ValueSource(strings = {"SCRAM-SHA-512", "PLAIN"})
    void readsEveryTopicThePatternMatchesAndNoOther(String mechanism) throws Exception {
        String base = Pipelines.unique("orders");
        String eu = base + "-eu";
        String us = base + "-us";
        for (String topic : List.of(eu, us, base + "-audit", eu + "-replay")) {
            KAFKA.createTopic(topic, 4);
        }
        List<Orders.Order> euOrders = Orders.versions("eu", 10, 0);
        List<Orders.Order> usOrders = Orders.versions("us", 8, 500);
        Orders.produce(KAFKA, eu, euOrders, null);
        Orders.produce(KAFKA, us, usOrders, null);
        // The pattern must match whole names: neither another region nor a topic that only starts like a match.
        Orders.produce(KAFKA, base + "-audit", Orders.versions("audit", 6, 1000), null);
        Orders.produce(KAFKA, eu + "-replay", Orders.versions("replay", 6, 2000), null);
        String group = base + "-group";
        StreamingPipelineSpec spec = securedSpec(KAFKA, base + "-(eu|us)", mechanism, group, base);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(options().configuration());
        PipelineJob.prepare(env, spec, options());
        StreamGraph streamGraph = env.getStreamGraph();
        assertNoPasswordIn(streamGraph, mechanism);
        JobClient job = env.executeAsync(streamGraph);
        try {
            List<Orders.Order> matching = new ArrayList<>(euOrders);
            matching.addAll(usOrders);
            Pipelines.awaitEqual(Duration.ofSeconds(60), () -> Orders.table(POSTGRES, base), Orders.latest(matching));
            // Offsets reach the group on completed checkpoints, after the sink flushed: once the group has committed
            // the end of both matching topics, everything the job read is in the table, and it read no other topic.
            Pipelines.awaitEqual(Duration.ofSeconds(60), () -> committedPerTopic(group),
                    Map.of(eu, (long) euOrders.size(), us, (long) usOrders.size()));
            assertThat(Orders.table(POSTGRES, base)).isEqualTo(Orders.latest(matching));
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The Kafka sink logs in with its own credentials ({@link JobContract#ENV_KAFKA_SINK_USERNAME} and
     * {@link JobContract#ENV_KAFKA_SINK_PASSWORD}, set by failsafe as the operator sets them from the sink's Secret):
     * here to the other broker, which knows the user under another password, so the source's credentials would be
     * refused. Exactly-once, every version of every order is on the topic once (without a window each event is a
     * record), keyed by its order id, and neither password is in the job graph.
     */
    @Test
    void theKafkaSinkLogsInWithItsOwnCredentials() throws Exception {
        String base = Pipelines.unique("sink");
        String results = base + "-latest";
        KAFKA.createTopic(base + "-eu", 4);
        KAFKA_WITH_OTHER_PASSWORD.createTopic(results, 2);
        List<Orders.Order> orders = Orders.versions("eu", 10, 0);
        Orders.produce(KAFKA, base + "-eu", orders, null);
        StreamingPipelineSpec spec = securedSpec(KAFKA, base + "-eu", "SCRAM-SHA-512", base + "-group", base);
        spec.sink.kafka = new KafkaSinkSpec();
        spec.sink.kafka.bootstrapServers = KAFKA_WITH_OTHER_PASSWORD.bootstrapServers();
        spec.sink.kafka.topic = results;
        spec.sink.kafka.securityProtocol = SourceSpec.SecurityProtocol.SASL_PLAINTEXT;
        spec.sink.kafka.saslMechanism = SourceSpec.SaslMechanism.SCRAM_SHA_512;
        spec.sink.kafka.credentialsSecretRef = new SecretKeyRef("orders-writer");
        assertThat(environment(JobContract.ENV_KAFKA_SINK_PASSWORD)).as("the other broker's password").isNotEqualTo(PASSWORD);

        JobOptions options = options().withPipeline("it/" + base.replace('_', '-'));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(options.configuration());
        PipelineJob.prepare(env, spec, options);
        StreamGraph streamGraph = env.getStreamGraph();
        assertNoPasswordIn(streamGraph, "SCRAM-SHA-512");
        String serialized = new String(InstantiationUtil.serializeObject(streamGraph.getJobGraph()), StandardCharsets.ISO_8859_1);
        assertThat(serialized.contains(environment(JobContract.ENV_KAFKA_SINK_PASSWORD))).as("the sink's password is in the job graph").isFalse();
        assertThat(serialized.contains("${streampipe-env:sink:SCRAM_SHA_512}")).as("the sink's credentials reference").isTrue();
        JobClient job = env.executeAsync(streamGraph);
        try {
            List<String> expected = orders.stream().map(o -> "{\"order_id\":\"" + o.id() + "\"}|" + o.status()).sorted().toList();
            Pipelines.awaitEqual(Duration.ofSeconds(60), () -> KAFKA_WITH_OTHER_PASSWORD.readAll(results).stream()
                    .map(r -> r.key() + "|" + status(r.value())).sorted().toList(), expected);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    private static String status(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).get("status").asText();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The source's split enumerator (on the JobManager) lists the matching topics first; the broker refuses its admin
     * client, the enumerator throws, and the whole job fails over. Each restart does the same, so the job fails when
     * the restart strategy gives up (the tests': three restarts, 500 ms apart).
     */
    @Test
    void aRefusedPasswordFailsTheJobWithTheAuthenticationErrorWhenRestartsRunOut() throws Exception {
        String base = refusedSource();
        JobClient job = PipelineJob.start(refusedSpec(base), options());
        try {
            assertThatThrownBy(() -> job.getJobExecutionResult().get(60, TimeUnit.SECONDS))
                    .hasStackTraceContaining("Failed to list subscribed topic partitions")
                    .hasStackTraceContaining(AUTHENTICATION_ERROR);
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.FAILED);
            assertThat(Orders.table(POSTGRES, base)).isEmpty();
        } finally {
            cancelUnlessTerminal(job);
        }
    }

    /**
     * A deployment restarts without limit (exponential-delay, as the operator configures it): the job never reaches
     * FAILED, but every attempt fails on the refused login and the job's latest failure says so.
     */
    @Test
    void underTheDeploymentsRestartStrategyEveryAttemptFailsOnTheRefusedLogin(@InjectMiniCluster MiniCluster flink)
            throws Exception {
        String base = refusedSource();
        Configuration restartForever = new Configuration(options().configuration());
        restartForever.setString("restart-strategy.type", "exponential-delay");
        restartForever.setString("restart-strategy.exponential-delay.initial-backoff", "1s");
        restartForever.setString("restart-strategy.exponential-delay.max-backoff", "1min");
        JobClient job = PipelineJob.start(refusedSpec(base), options().withConfiguration(restartForever));
        try {
            ErrorInfo first = awaitFailureAfter(flink, job, 0);
            ErrorInfo second = awaitFailureAfter(flink, job, first.getTimestamp());
            assertThat(List.of(first, second)).allSatisfy(failure -> assertThat(failure.getExceptionAsString())
                    .contains("Failed to list subscribed topic partitions")
                    .contains(AUTHENTICATION_ERROR));
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()).isFalse();
            assertThat(Orders.table(POSTGRES, base)).isEmpty();
        } finally {
            cancelUnlessTerminal(job);
        }
    }

    /**
     * The graph that is submitted carries the reference to the credentials, never the password: the job
     * configuration, the plan, and every serialized operator and coordinator (the Kafka source and its consumer
     * properties among them).
     */
    private static void assertNoPasswordIn(StreamGraph streamGraph, String mechanism) throws Exception {
        JobGraph jobGraph = streamGraph.getJobGraph();
        String serialized = new String(InstantiationUtil.serializeObject(jobGraph), StandardCharsets.ISO_8859_1);
        // Booleans, so that a failure does not print the password.
        assertThat(serialized.contains(PASSWORD)).as("the password is in the serialized job graph").isFalse();
        assertThat(jobGraph.getJobConfiguration().toMap().toString().contains(PASSWORD))
                .as("the password is in the job configuration").isFalse();
        assertThat(streamGraph.getStreamingPlanAsJSON().contains(PASSWORD)).as("the password is in the plan").isFalse();
        assertThat(serialized.contains("${streampipe-env:" + mechanism.replace('-', '_') + "}"))
                .as("the serialized job graph holds the source's consumer properties, with the credentials reference")
                .isTrue();
    }

    /** The tests' orders pipeline ({@link Orders#spec}), reading every topic of a pattern with SASL credentials. */
    private static StreamingPipelineSpec securedSpec(KafkaBroker kafka, String topicPattern, String mechanism,
                                                     String group, String table) {
        StreamingPipelineSpec spec = Orders.spec(kafka, POSTGRES, "unused", group, table, "{policy: earliest}");
        var source = spec.source.kafka;
        source.topic = null;
        source.topicPattern = topicPattern;
        source.securityProtocol = SourceSpec.SecurityProtocol.SASL_PLAINTEXT;
        source.saslMechanism = SourceSpec.SaslMechanism.valueOf(mechanism.replace('-', '_'));
        source.credentialsSecretRef = new SecretKeyRef("kafka-orders-reader");
        return spec;
    }

    /** A topic with records on the broker that refuses the job's password; its name is also the table's. */
    private static String refusedSource() {
        String base = Pipelines.unique("refused");
        KAFKA_WITH_OTHER_PASSWORD.createTopic(base + "-eu", 4);
        Orders.produce(KAFKA_WITH_OTHER_PASSWORD, base + "-eu", Orders.versions("eu", 4, 0), null);
        return base;
    }

    private static StreamingPipelineSpec refusedSpec(String base) {
        return securedSpec(KAFKA_WITH_OTHER_PASSWORD, base + "-(eu|us)", "SCRAM-SHA-512", base + "-group", base);
    }

    /** The job's latest failure, once it is newer than {@code timestamp}. */
    private static ErrorInfo awaitFailureAfter(MiniCluster flink, JobClient job, long timestamp) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            ErrorInfo failure = flink.getExecutionGraph(job.getJobID()).get(10, TimeUnit.SECONDS).getFailureInfo();
            if (failure != null && failure.getTimestamp() > timestamp) {
                return failure;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Job " + job.getJobID() + " did not fail (again) within 60 s");
    }

    private static void cancelUnlessTerminal(JobClient job) throws Exception {
        if (!job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    private static JobOptions options() {
        return Pipelines.options(POSTGRES, 2);
    }

    /** Per topic, the sum of the group's committed offsets over its partitions. */
    private static Map<String, Long> committedPerTopic(String group) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = KAFKA.admin().listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            Map<String, Long> perTopic = new TreeMap<>();
            offsets.forEach((partition, offset) -> perTopic.merge(partition.topic(), offset.offset(), Long::sum));
            return perTopic;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String environment(String variable) {
        String value = System.getenv(variable);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(variable + " is not set: this test takes the job's Kafka login from the "
                    + "environment, as a deployment does; the failsafe configuration of pipeline-job/pom.xml sets it");
        }
        return value;
    }
}
