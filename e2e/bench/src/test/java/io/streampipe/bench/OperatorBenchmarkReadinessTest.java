package io.streampipe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streampipe.bench.OperatorBenchmark.Readiness;
import io.streampipe.bench.OperatorBenchmark.Stage;
import org.junit.jupiter.api.Test;

class OperatorBenchmarkReadinessTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A settled pipeline's status in the benchmark, trimmed to what the stages look at. */
    private static ObjectNode settled() throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"observedGeneration": 1, "lastAppliedSpecHash": "abc", "flinkDeployment": "p-0001", "phase": "Running",
                 "conditions": [{"type": "Ready", "status": "True"}],
                 "job": {"id": "j1", "state": "RUNNING", "restarts": 0},
                 "lastCheckpoint": {"id": 1, "time": "2026-01-01T00:00:00Z", "completedSinceStart": 2}}""");
    }

    @Test
    void aSettledPipelineIsReady() throws Exception {
        assertThat(Readiness.reached(Stage.READY, 1L, settled())).isTrue();
    }

    @Test
    void aRunningStatusWithoutTheJobManagersReportIsAppliedButNotReady() throws Exception {
        ObjectNode withoutReport = settled();
        ((ObjectNode) withoutReport.get("job")).remove("restarts");
        withoutReport.remove("lastCheckpoint");

        assertThat(Readiness.reached(Stage.APPLIED, 1L, withoutReport)).isTrue();
        assertThat(Readiness.reached(Stage.READY, 1L, withoutReport)).isFalse();
        assertThat(Readiness.hasJobManagerReport(withoutReport)).isFalse();
    }

    @Test
    void anUpgradeInProgressOrAnOlderGenerationIsNotReady() throws Exception {
        ObjectNode upgrading = settled();
        upgrading.putObject("upgrade").put("generation", 2);
        JsonNode settled = settled();

        assertThat(Readiness.reached(Stage.READY, 1L, upgrading)).isFalse();
        assertThat(Readiness.reached(Stage.READY, 2L, settled)).isFalse();
    }
}
