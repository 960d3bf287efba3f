package io.streampipe.operator.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading Flink 1.20's REST answers (shapes as its CheckpointingStatistics and JobExceptionsInfoWithHistory write them). */
class JobReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text.replace('\'', '"'));
    }

    @Test
    void readsTheNewestCheckpointRestartsAndTheRootCause() throws Exception {
        JsonNode checkpoints = json("""
                {'counts': {'restored': 1, 'total': 9, 'in_progress': 0, 'completed': 7, 'failed': 2},
                 'latest': {
                   'completed': {'className': 'completed', 'id': 12, 'status': 'COMPLETED', 'is_savepoint': false,
                                 'trigger_timestamp': 1764842400000, 'latest_ack_timestamp': 1764842401250,
                                 'checkpointed_size': 5120, 'state_size': 9000, 'end_to_end_duration': 1250,
                                 'external_path': 'file:/state/cp/chk-12', 'discarded': false},
                   'savepoint': null,
                   'failed': {'className': 'failed', 'id': 10, 'is_savepoint': false, 'trigger_timestamp': 1764842300000,
                              'failure_timestamp': 1764842360000, 'failure_message': 'Checkpoint expired before completing.'},
                   'restored': {'id': 4, 'restore_timestamp': 1764842000000, 'is_savepoint': true, 'external_path': 'file:/sp/savepoint-4'}},
                 'history': []}
                """);
        JsonNode metrics = json("[{'id': 'numRestarts', 'value': '2'}]");
        JsonNode exceptions = json("""
                {'exceptionHistory': {'entries': [{'exceptionName': 'org.apache.flink.runtime.JobException',
                  'stacktrace': 'org.apache.flink.runtime.JobException: Recovery is suppressed\\n\\tat x.y(Z.java:1)\\nCaused by: org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed: Invalid username or password\\n\\tat a.b(C.java:2)',
                  'timestamp': 1764842390000, 'taskName': 'Source: orders', 'endpoint': '127.0.0.1:1234'}], 'truncated': false}}
                """);

        JobReport report = JobReport.of("job-1", checkpoints, metrics, exceptions);

        assertThat(report.completedCheckpoints()).isEqualTo(7);
        JobReport.Checkpoint latest = report.latestCheckpoint().orElseThrow();
        assertThat(latest.id()).isEqualTo(12);
        assertThat(latest.completed()).isEqualTo(Instant.ofEpochMilli(1764842401250L));
        assertThat(latest.duration()).isEqualTo(Duration.ofMillis(1250));
        assertThat(latest.sizeBytes()).isEqualTo(5120);
        assertThat(latest.path()).contains("file:/state/cp/chk-12");
        assertThat(report.restarts()).isEqualTo(2);
        assertThat(report.latestException()).contains(
                "org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed: Invalid username or password");
        assertThat(report.checkpointsFailing()).as("the failure is older than the newest completed checkpoint").isFalse();
    }

    @Test
    void aFailureAfterTheLastCompletedCheckpointMeansCheckpointsFail() throws Exception {
        JsonNode checkpoints = json("""
                {'counts': {'completed': 0, 'failed': 1},
                 'latest': {'completed': null, 'failed': {'id': 1, 'is_savepoint': false, 'failure_timestamp': 1764842360000,
                            'failure_message': 'Checkpoint expired before completing.'}}}
                """);
        JobReport report = JobReport.of("job-1", checkpoints, json("[]"), json("{}"));
        assertThat(report.latestCheckpoint()).isEmpty();
        assertThat(report.checkpointsFailing()).isTrue();
        assertThat(report.restarts()).isZero();
        assertThat(report.latestException()).isEmpty();
    }

    @Test
    void summariesHideValuesThatLookLikeCredentials() {
        String summary = JobReport.summary("java.lang.IllegalArgumentException: bad sasl.jaas.config=\"org.apache.kafka.common.security.plain.PlainLoginModule required username='u' password='p4ss';\" and password=hunter2");
        assertThat(summary).doesNotContain("p4ss", "hunter2").contains("password=***");
    }
}
