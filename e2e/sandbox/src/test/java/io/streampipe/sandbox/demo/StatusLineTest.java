package io.streampipe.sandbox.demo;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StatusLineTest {
    private static final String TODAY = LocalDate.now(ZoneOffset.UTC).toString();

    @Test
    void aRunningPipelineShowsPhaseConditionsJobSavepointCheckpointAndMessage() {
        StreamingPipeline pipeline = pipeline(7L, running(7L));

        assertThat(StatusLine.of(pipeline)).isEqualTo("spipe/sensor-anomalies Running"
                + " · Ready=True Running · Progressing=False Stable · Degraded=False Healthy"
                + " · job 5dd03eb0 RUNNING ×3 · savepoint 07:28:05 upgrade · checkpoint 07:31:10"
                + " · \"Job 5dd03eb093ec2916358effeb446557eb is running\"");
    }

    @Test
    void aStatusBehindTheSpecSaysWhichGenerationItDescribes() {
        assertThat(StatusLine.of(pipeline(8L, running(7L))))
                .startsWith("spipe/sensor-anomalies Running (status of generation 7, spec at 8) · Ready=True Running");
        StreamingPipelineStatus neverObserved = running(null);
        assertThat(StatusLine.of(pipeline(1L, neverObserved))).contains("(status of generation none, spec at 1)");
    }

    @Test
    void aPipelineTheOperatorHasNotReconciledHasNoStatusYet() {
        assertThat(StatusLine.of(pipeline(1L, null)))
                .isEqualTo("spipe/sensor-anomalies no status yet (the operator has not reconciled it)");
        assertThat(StatusLine.of(pipeline(1L, new StreamingPipelineStatus()))).contains("no status yet");
    }

    @Test
    void aNewCheckpointAloneIsNoChange() {
        StreamingPipeline before = pipeline(7L, running(7L));
        StreamingPipelineStatus later = running(7L);
        later.lastCheckpoint.time = TODAY + "T07:31:20.000Z";
        StreamingPipeline after = pipeline(7L, later);

        assertThat(StatusLine.changeKey(after)).isEqualTo(StatusLine.changeKey(before)).doesNotContain("checkpoint");
        assertThat(StatusLine.of(after)).contains("checkpoint 07:31:20").isNotEqualTo(StatusLine.of(before));
        later.job.state = "RESTARTING";
        assertThat(StatusLine.changeKey(after)).isNotEqualTo(StatusLine.changeKey(before));
    }

    @Test
    void conditionsComeReadyProgressingDegradedFirstAndADegradedMessageIsShown() {
        StreamingPipelineStatus status = running(7L);
        status.conditions = new ArrayList<>(List.of(
                condition("Degraded", "True", "FlinkDeploymentError", "Savepoint failed: checkpoint coordinator is shut down"),
                condition("Extra", "True", null, null),
                condition("Progressing", "True", "Upgrading", "Flink is applying the new spec"),
                condition("Ready", "False", "Upgrading", "Flink is applying the new spec")));
        status.phase = "Upgrading";
        status.message = "Flink is applying the new spec";

        assertThat(StatusLine.of(pipeline(7L, status)))
                .contains("Upgrading · Ready=False Upgrading · Progressing=True Upgrading · Degraded=True FlinkDeploymentError · Extra=True · job")
                .endsWith("\"Flink is applying the new spec\" · degraded: \"Savepoint failed: checkpoint coordinator is shut down\"");
    }

    @Test
    void aFlinkExceptionAsMessageStaysOnOneShortLine() {
        StreamingPipelineStatus status = running(7L);
        String failure = "Savepoint Error: Savepoint 22f06c5b of job d48dcf03 failed: java.util.concurrent.CompletionException:"
                + " org.apache.flink.runtime.checkpoint.CheckpointException: Checkpoint triggering task window-slices (1/3)"
                + " is not being executed at the moment.\n\tat org.apache.flink.runtime.checkpoint.CheckpointCoordinator\n"
                + "Caused by: org.apache.flink.runtime.checkpoint.CheckpointException: Not all required tasks are currently running.";
        status.conditions.set(2, condition("Degraded", "True", "FlinkDeploymentError", failure));

        String line = StatusLine.of(pipeline(7L, status));
        assertThat(line).doesNotContain("\n", "\t", "Caused by")
                .contains("degraded: \"Savepoint Error: Savepoint 22f06c5b of job d48dcf03 failed: ");
        String degraded = line.substring(line.indexOf("degraded: \"") + "degraded: \"".length(), line.length() - 1);
        assertThat(degraded).hasSize(StatusLine.MAX_MESSAGE).endsWith("…");
    }

    @Test
    void jobsWithoutIdStateOrParallelismAndTimesOfOtherDays() {
        assertThat(StatusLine.job(null)).isEqualTo("no job");
        StreamingPipelineStatus.Job reconciling = new StreamingPipelineStatus.Job();
        reconciling.id = "2bb64c968f8a11f504d20ad9587dcd6e";
        reconciling.state = "RECONCILING";
        assertThat(StatusLine.job(reconciling)).isEqualTo("2bb64c96 RECONCILING");
        assertThat(StatusLine.job(new StreamingPipelineStatus.Job())).isEqualTo("state unknown");

        assertThat(StatusLine.time("2026-11-20T00:00:01.250Z")).isEqualTo("2026-11-20T00:00:01Z");
        assertThat(StatusLine.time(TODAY + "T07:28:05.745Z")).isEqualTo("07:28:05");
        assertThat(StatusLine.time("yesterday")).isEqualTo("yesterday");
    }

    private static StreamingPipeline pipeline(Long generation, StreamingPipelineStatus status) {
        StreamingPipeline pipeline = new StreamingPipeline();
        pipeline.setMetadata(new ObjectMetaBuilder().withName("sensor-anomalies").withNamespace("default")
                .withGeneration(generation).build());
        pipeline.setStatus(status);
        return pipeline;
    }

    private static StreamingPipelineStatus running(Long observedGeneration) {
        StreamingPipelineStatus status = new StreamingPipelineStatus();
        status.observedGeneration = observedGeneration;
        status.phase = "Running";
        status.conditions = new ArrayList<>(List.of(
                condition("Ready", "True", "Running", "Job 5dd03eb093ec2916358effeb446557eb is running"),
                condition("Progressing", "False", "Stable", "The running job matches the spec"),
                condition("Degraded", "False", "Healthy", "No failure reported by the Flink Kubernetes Operator")));
        status.job = new StreamingPipelineStatus.Job();
        status.job.id = "5dd03eb093ec2916358effeb446557eb";
        status.job.state = "RUNNING";
        status.job.parallelism = 3;
        status.job.startTime = TODAY + "T07:28:15.957Z";
        status.lastSavepoint = new StreamingPipelineStatus.Savepoint();
        status.lastSavepoint.time = TODAY + "T07:28:05.745Z";
        status.lastSavepoint.reason = "upgrade";
        status.lastSavepoint.path = "s3://flink-state/streampipe/default/sensor-anomalies/savepoints/savepoint-5acebe-668e06e86bd7";
        status.lastCheckpoint = new StreamingPipelineStatus.Checkpoint();
        status.lastCheckpoint.time = TODAY + "T07:31:10.123Z";
        status.message = "Job 5dd03eb093ec2916358effeb446557eb is running";
        return status;
    }

    private static Condition condition(String type, String status, String reason, String message) {
        return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message).build();
    }
}
