package io.streampipe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class StatusChangesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aPollThatAddsTheJobManagersReportChangesOnlyItsFields() throws Exception {
        JsonNode running = JSON.readTree("""
                {"phase": "Running", "job": {"id": "j1", "state": "RUNNING"},
                 "conditions": [{"type": "Ready", "status": "True"}, {"type": "Degraded", "status": "False"}]}""");
        JsonNode withReport = JSON.readTree("""
                {"phase": "Running", "job": {"id": "j1", "state": "RUNNING", "restarts": 0},
                 "lastCheckpoint": {"id": 1},
                 "conditions": [{"type": "Degraded", "status": "False"}, {"type": "Ready", "status": "True"}]}""");

        assertThat(StatusChanges.between(running, withReport))
                .containsExactly("job.restarts: (absent) -> 0", "lastCheckpoint.id: (absent) -> 1");
    }

    @Test
    void conditionsAreComparedByTypeOtherListsByPositionAndEveryChangeDownToItsLeaves() throws Exception {
        JsonNode before = JSON.readTree("""
                {"conditions": [{"type": "Ready", "status": "False", "reason": "Deploying"}], "savepointHistory": [{"path": "a"}]}""");
        JsonNode after = JSON.readTree("""
                {"conditions": [{"type": "Progressing", "status": "False"}, {"type": "Ready", "status": "True", "reason": "Deploying"}],
                 "savepointHistory": [{"path": "b"}, {"path": "a"}]}""");

        assertThat(StatusChanges.between(before, after)).containsExactly(
                "conditions[Progressing].status: (absent) -> \"False\"",
                "conditions[Progressing].type: (absent) -> \"Progressing\"",
                "conditions[Ready].status: \"False\" -> \"True\"",
                "savepointHistory[0].path: \"a\" -> \"b\"",
                "savepointHistory[1].path: (absent) -> \"a\"");
        assertThat(StatusChanges.field("conditions[Ready].status: \"False\" -> \"True\"")).isEqualTo("conditions[Ready].status");
    }

    @Test
    void theFirstPatchChangesEverythingItHoldsAndAnEqualOneNothing() throws Exception {
        JsonNode status = JSON.readTree("{\"phase\": \"Pending\", \"observedGeneration\": 1}");

        assertThat(StatusChanges.between(null, status)).containsExactly("observedGeneration: (absent) -> 1", "phase: (absent) -> \"Pending\"");
        assertThat(StatusChanges.between(status, status.deepCopy())).isEmpty();
    }
}
