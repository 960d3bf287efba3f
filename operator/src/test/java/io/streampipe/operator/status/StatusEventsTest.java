package io.streampipe.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.operator.status.StatusEvents.PipelineEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StatusEventsTest {
    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");

    private static StreamingPipelineStatus status(String phase, boolean ready, String reason, boolean degraded) {
        StreamingPipelineStatus status = new StreamingPipelineStatus();
        status.phase = phase;
        status.conditions = List.of(
                Conditions.of(Conditions.READY, ready, reason, reason + " message", 1L, List.of(), NOW),
                Conditions.of(Conditions.DEGRADED, degraded, degraded ? "JobRestarting" : "Healthy", "m", 1L, List.<Condition>of(), NOW));
        return status;
    }

    @Test
    void anUnchangedStatusEmitsNothing() {
        assertThat(StatusEvents.between(status("Running", true, "Running", false), status("Running", true, "Running", false))).isEmpty();
    }

    @Test
    void becomingReadyIsANormalEvent() {
        List<PipelineEvent> events = StatusEvents.between(status("Deploying", false, "Deploying", false), status("Running", true, "Running", false));

        assertThat(events).containsExactly(new PipelineEvent(false, "Running", "Running message"));
    }

    @Test
    void aProblemIsAWarning() {
        List<PipelineEvent> events = StatusEvents.between(status("Running", true, "Running", false),
                status("Running", false, "SecretNotFound", false));

        assertThat(events).containsExactly(new PipelineEvent(true, "SecretNotFound", "SecretNotFound message"));
    }

    @Test
    void degradationAndSavepointsAndTokensAreEvents() {
        StreamingPipelineStatus before = status("Running", true, "Running", false);
        StreamingPipelineStatus after = status("Running", true, "Running", true);
        after.lastSavepoint = new StreamingPipelineStatus.Savepoint();
        after.lastSavepoint.path = "s3://sp/1";
        after.lastSavepoint.reason = "manual";
        after.appliedTokens.savepoint = "sp-1";

        assertThat(StatusEvents.between(before, after)).extracting(PipelineEvent::reason)
                .containsExactly("JobRestarting", "SavepointCompleted", "SavepointTriggered");
    }

    /** A plan's warning (a restart that could outlast the Kafka sink's transactions) is a Warning Event, once per generation. */
    @Test
    void aPlansWarningIsAWarningEventOncePerGeneration() {
        StreamingPipelineStatus before = status("Running", true, "Running", false);
        StreamingPipelineStatus after = status("Running", true, "Running", false);
        after.plan = new StreamingPipelineStatus.Plan();
        after.plan.generation = 4L;
        after.plan.action = "SavepointUpgrade";
        after.plan.warning = "The last upgrade was down 310s";
        assertThat(StatusEvents.between(before, after)).containsExactly(new PipelineEvent(true, Reasons.TRANSACTION_TIMEOUT_RISK,
                "Generation 4 (SavepointUpgrade): The last upgrade was down 310s"));
        assertThat(StatusEvents.between(after, after)).isEmpty();
        StreamingPipelineStatus next = io.fabric8.kubernetes.client.utils.Serialization.clone(after);
        next.plan.generation = 5L;
        assertThat(StatusEvents.between(after, next)).extracting(PipelineEvent::reason).containsExactly(Reasons.TRANSACTION_TIMEOUT_RISK);
    }

    /** What a reconcile wrote rides on the Event of the Ready change it caused: one Event for a new pipeline. */
    @Test
    void theChildrenAReconcileWroteAreToldInTheEventOfItsReadyChange() {
        StreamingPipelineStatus deploying = status("Deploying", false, "Deploying", false);
        deploying.observedGeneration = 1L;
        List<StatusEvents.Change> created = List.of(new StatusEvents.Change("Created", "ConfigMap", "a", "x-job-1f2e"),
                new StatusEvents.Change("Created", "FlinkDeployment", "a", "x"));

        assertThat(StatusEvents.of(null, deploying, created)).containsExactly(new PipelineEvent(false, "Deploying",
                "Created ConfigMap a/x-job-1f2e and FlinkDeployment a/x for generation 1; Deploying message"));
    }

    /** Without a Ready or phase change, one Event tells every child the reconcile wrote: Updated when any was updated. */
    @Test
    void childrenWrittenWithoutAReadyChangeAreOneEvent() {
        StreamingPipelineStatus running = status("Running", true, "Running", false);
        running.observedGeneration = 2L;
        List<StatusEvents.Change> upgrade = List.of(new StatusEvents.Change("Created", "ConfigMap", "a", "x-job-2a"),
                new StatusEvents.Change("Created", "PersistentVolumeClaim", "a", "x-state"),
                new StatusEvents.Change("Updated", "FlinkDeployment", "a", "x"));

        assertThat(StatusEvents.of(running, running, upgrade)).containsExactly(new PipelineEvent(false, Reasons.UPDATED,
                "Created ConfigMap a/x-job-2a and PersistentVolumeClaim a/x-state and updated FlinkDeployment a/x for generation 2"));
        assertThat(StatusEvents.of(running, running, upgrade.subList(0, 1))).containsExactly(new PipelineEvent(false, Reasons.CREATED,
                "Created ConfigMap a/x-job-2a for generation 2"));
    }
}
