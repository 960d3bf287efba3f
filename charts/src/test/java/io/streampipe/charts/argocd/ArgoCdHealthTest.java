package io.streampipe.charts.argocd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streampipe.operator.status.Reasons;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The Argo CD health check on pipelines recorded from the sandbox in each state (samples/README.md). */
class ArgoCdHealthTest {

    private static JsonNode health(JsonNode pipeline) {
        return ArgoLua.run(ArgoLua.HEALTH, pipeline);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            no-status                | Progressing | Waiting for the streampipe operator to observe the pipeline
            pending                  | Progressing | Deploying: FlinkDeployment default/sensor-anomalies does not exist yet
            deploying                | Progressing | Deploying: Flink is deploying default/sensor-anomalies
            running                  | Healthy     | Job
            stale-generation         | Progressing | Waiting for the streampipe operator to observe generation 2 (the status describes generation 1)
            upgrade-spec-applied     | Progressing | Applying generation 2, step SpecApplied
            savepoint-failing        | Degraded    | FlinkDeploymentError: Savepoint Error: Savepoint
            upgrading                | Progressing | Applying generation 2, step Upgrading
            upgrade-stabilizing      | Progressing | Applying generation 2, step Stabilizing
            suspending               | Progressing | Applying generation 4, step SpecApplied
            suspended                | Suspended   | Job is suspended as requested by spec.state
            resuming                 | Progressing | Upgrading: Flink is applying the new spec to default/sensor-anomalies
            flinkdeployment-missing  | Missing     | The FlinkDeployment that ran this pipeline does not exist
            deleting                 | Progressing | Deleting: Took final savepoint s3://flink-state/streampipe/default/sensor-anomalies/savepoints/
            created-suspended        | Suspended   | Job is suspended as requested by spec.state
            secret-not-found         | Degraded    | SecretNotFound: spec.sink.postgres.credentialsSecretRef: Secret default/no-such-secret does not exist
            job-submission-failing   | Degraded    | FlinkDeploymentError: POST /jars/
            job-restarting           | Degraded    | JobRestarting: Flink job is restarting: org.postgresql.util.PSQLException: FATAL: password authentication failed
            """)
    void readsEachRecordedState(String sample, String status, String messageStart) {
        JsonNode health = health(ArgoLua.readYaml(Samples.path(sample)));

        assertThat(health.get("status").asText()).as(sample).isEqualTo(status);
        assertThat(health.get("message").asText()).as(sample).startsWith(messageStart == null ? "" : messageStart);
    }

    @Test
    void everySampleIsRead() throws Exception {
        try (Stream<java.nio.file.Path> files = Files.list(Samples.DIR)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml")).count())
                    .as("samples, each with a row in readsEachRecordedState").isEqualTo(18);
        }
    }

    @Test
    void aStaleStatusIsNeverHealthyWhateverItSays() {
        for (String sample : List.of("running", "suspended", "job-restarting", "secret-not-found")) {
            ObjectNode stale = ArgoLua.readYaml(Samples.path(sample)).deepCopy();
            ((ObjectNode) stale.get("metadata")).put("generation", stale.at("/status/observedGeneration").asLong() + 1);
            assertThat(health(stale).get("status").asText()).as(sample).isEqualTo("Progressing");
        }
    }

    /** The Lua's list of reasons that are the normal course of things is the operator's (Reasons.isProblem). */
    @Test
    void aNotReadyPipelineIsDegradedExactlyForTheReasonsTheOperatorCallsProblems() {
        JsonNode running = ArgoLua.readYaml(Samples.path("running"));
        for (String reason : Reasons.all()) {
            ObjectNode pipeline = running.deepCopy();
            for (JsonNode condition : pipeline.at("/status/conditions")) {
                ObjectNode c = (ObjectNode) condition;
                c.put("status", "False");
                if (c.get("type").asText().equals("Ready")) {
                    c.put("reason", reason);
                }
            }
            String health = health(pipeline).get("status").asText();
            assertThat(health.equals("Degraded")).as("Ready=False for %s reads %s", reason, health).isEqualTo(Reasons.isProblem(reason));
        }
    }
}
