package io.streampipe.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.AppliedTokens;
import io.streampipe.operator.desired.DesiredState;
import io.streampipe.operator.plan.FlinkObservation;
import io.streampipe.operator.plan.Problem;
import io.streampipe.operator.status.StatusMapper.Applied;
import io.streampipe.operator.testing.Examples;
import io.streampipe.operator.testing.FlinkStatuses;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.SnapshotTriggerType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class StatusMapperTest {
    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    private static final Instant T1 = Instant.parse("2026-11-20T10:05:00Z");

    private StreamingPipeline pipeline;
    private DesiredState desired;
    private Applied applied;

    @BeforeEach
    void firstDeploy() {
        pipeline = Examples.load("sensor-anomalies");
        pipeline.getMetadata().setGeneration(3L);
        desired = DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS);
        applied = new Applied(desired.specHash(), new AppliedTokens(), "0", 128);
    }

    private FlinkDeployment deployment(Function<FlinkDeployment, FlinkDeploymentStatus> status) {
        FlinkDeployment deployment = desired.flinkDeployment();
        deployment.getMetadata().setGeneration(1L);
        deployment.setStatus(status.apply(deployment));
        return deployment;
    }

    private StreamingPipelineStatus map(FlinkDeployment deployment, List<Problem> problems, Instant now) {
        return StatusMapper.map(pipeline, applied, FlinkObservation.of(Optional.ofNullable(deployment)), problems, now);
    }

    private static Condition condition(StreamingPipelineStatus status, String type) {
        return Conditions.find(status.conditions, type).orElseThrow();
    }

    private static void assertConditions(StreamingPipelineStatus status, String ready, String progressing, String degraded) {
        assertThat(condition(status, Conditions.READY).getStatus()).as("Ready").isEqualTo(ready);
        assertThat(condition(status, Conditions.PROGRESSING).getStatus()).as("Progressing").isEqualTo(progressing);
        assertThat(condition(status, Conditions.DEGRADED).getStatus()).as("Degraded").isEqualTo(degraded);
    }

    @Test
    void withoutAFlinkDeploymentThePipelineIsPending() {
        StreamingPipelineStatus status = map(null, List.of(), T0);

        assertThat(status.phase).isEqualTo("Pending");
        assertConditions(status, "False", "True", "False");
        assertThat(status.observedGeneration).isEqualTo(3L);
        assertThat(status.flinkDeployment).isNull();
        assertThat(status.lastAppliedSpecHash).isEqualTo(desired.specHash());
        assertThat(status.maxParallelism).isEqualTo(128);
    }

    @Test
    void deployingThenRunning() {
        StreamingPipelineStatus deploying = map(deployment(FlinkStatuses::deploying), List.of(), T0);
        assertThat(deploying.phase).isEqualTo("Deploying");
        assertConditions(deploying, "False", "True", "False");
        assertThat(condition(deploying, Conditions.PROGRESSING).getReason()).isEqualTo("Deploying");

        pipeline.setStatus(deploying);
        StreamingPipelineStatus running = map(deployment(FlinkStatuses::running), List.of(), T1);
        assertThat(running.phase).isEqualTo("Running");
        assertConditions(running, "True", "False", "False");
        assertThat(condition(running, Conditions.READY).getReason()).isEqualTo("Running");
        assertThat(condition(running, Conditions.PROGRESSING).getReason()).isEqualTo("Stable");
        assertThat(running.job.id).isEqualTo(FlinkStatuses.JOB_ID);
        assertThat(running.job.state).isEqualTo("RUNNING");
        assertThat(running.job.parallelism).isEqualTo(2);
        assertThat(running.job.startTime).isEqualTo(Instant.ofEpochMilli(FlinkStatuses.START_TIME).toString());
        assertThat(running.flinkDeployment).isEqualTo("sensor-anomalies");
    }

    @Test
    void conditionsHaveTheStandardShapeAndKeepTheirTransitionTimeWhileUnchanged() {
        StreamingPipelineStatus first = map(deployment(FlinkStatuses::running), List.of(), T0);
        pipeline.setStatus(first);
        StreamingPipelineStatus again = map(deployment(FlinkStatuses::running), List.of(), T1);

        assertThat(again.conditions).extracting(Condition::getType).containsExactly("Ready", "Progressing", "Degraded");
        assertThat(again.conditions).allSatisfy(c -> {
            assertThat(c.getReason()).matches("[A-Z][A-Za-z]+");
            assertThat(c.getMessage()).isNotBlank();
            assertThat(c.getObservedGeneration()).isEqualTo(3L);
            assertThat(c.getLastTransitionTime()).isEqualTo(T0.toString());
        });
        assertThat(StatusDiff.changed(first, again)).isFalse();
    }

    @Test
    void aTransitionStampsTheNewTime() {
        pipeline.setStatus(map(deployment(FlinkStatuses::deploying), List.of(), T0));
        StreamingPipelineStatus running = map(deployment(FlinkStatuses::running), List.of(), T1);

        assertThat(condition(running, Conditions.READY).getLastTransitionTime()).isEqualTo(T1.toString());
        assertThat(condition(running, Conditions.DEGRADED).getLastTransitionTime()).as("still False").isEqualTo(T0.toString());
    }

    @Test
    void aFailedJobIsDegradedWithTheFlinkOperatorsMessage() {
        StreamingPipelineStatus status = map(deployment(d -> FlinkStatuses.failed(d, "Job failed: NoClassDefFoundError")), List.of(), T0);

        assertThat(status.phase).isEqualTo("Failed");
        assertConditions(status, "False", "False", "True");
        assertThat(condition(status, Conditions.DEGRADED).getReason()).isEqualTo("JobFailed");
        assertThat(condition(status, Conditions.DEGRADED).getMessage()).isEqualTo("Flink job failed: Job failed: NoClassDefFoundError");
    }

    @Test
    void aRestartingJobIsDegradedButStillRunning() {
        StreamingPipelineStatus status = map(deployment(FlinkStatuses::restarting), List.of(), T0);

        assertThat(status.phase).isEqualTo("Running");
        assertConditions(status, "False", "False", "True");
        assertThat(condition(status, Conditions.READY).getReason()).isEqualTo("JobRestarting");
    }

    @Test
    void anUpgradeIsProgressingAndRecordsWhereItCameFrom() {
        StreamingPipelineStatus before = map(deployment(FlinkStatuses::running), List.of(), T0);
        pipeline.setStatus(before);
        pipeline.getSpec().parallelism = 4;
        DesiredState upgraded = DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS);
        applied = new Applied(upgraded.specHash(), new AppliedTokens(), "0", 128);
        FlinkDeployment deployment = upgraded.flinkDeployment();
        deployment.getMetadata().setGeneration(2L);
        deployment.setStatus(FlinkStatuses.upgrading(deployment, "s3://flink-state/sp/savepoint-1"));

        StreamingPipelineStatus upgrading = map(deployment, List.of(), T1);

        assertThat(upgrading.phase).isEqualTo("Upgrading");
        assertConditions(upgrading, "False", "True", "False");
        assertThat(upgrading.upgrade.from).isEqualTo(desired.specHash());
        assertThat(upgrading.upgrade.to).isEqualTo(upgraded.specHash());
        assertThat(upgrading.upgrade.savepoint).isEqualTo("s3://flink-state/sp/savepoint-1");
        assertThat(upgrading.upgrade.step).isEqualTo("Upgrading");

        pipeline.setStatus(upgrading);
        deployment.setStatus(FlinkStatuses.running(deployment));
        StreamingPipelineStatus done = map(deployment, List.of(), T1);
        assertThat(done.phase).isEqualTo("Running");
        assertThat(done.upgrade).isNull();
        assertThat(done.job.parallelism).isEqualTo(4);
    }

    /**
     * Until the Flink operator takes in a changed FlinkDeployment the job runs as before: Ready stays True (a savepoint
     * trigger must not make a running pipeline unready), and Progressing says a change is on its way.
     */
    @Test
    void aSpecTheFlinkOperatorHasNotTakenInYetIsProgressingWhileTheJobRunsOn() {
        FlinkDeployment deployment = deployment(FlinkStatuses::running);
        deployment.getSpec().getJob().setParallelism(8);
        deployment.getMetadata().setGeneration(2L);

        StreamingPipelineStatus status = map(deployment, List.of(), T0);

        assertThat(status.phase).isEqualTo("Running");
        assertConditions(status, "True", "True", "False");
        assertThat(condition(status, Conditions.PROGRESSING).getReason()).isEqualTo("SpecApplied");
        assertThat(status.job.parallelism).as("what runs, not what is asked").isEqualTo(2);
    }

    /** FKO's lifecycle reads UPGRADING during a first deploy too; that is no upgrade. */
    @Test
    void aFirstDeployIsDeployingNotUpgrading() {
        FlinkDeployment deployment = deployment(d -> {
            d.setStatus(new FlinkDeploymentStatus());
            io.streampipe.standin.fko.FkoStatus.beforeFirstDeployment(d, T0);
            return d.getStatus();
        });

        StreamingPipelineStatus status = map(deployment, List.of(), T0);

        assertThat(status.phase).isEqualTo("Deploying");
        assertConditions(status, "False", "True", "False");
    }

    /**
     * FKO keeps the previous spec as the last reconciled one when a change is only of kinds it ignores (here: a
     * savepoint trigger token removed, and the savepoint history limit changed), so "has FKO acted on the current
     * generation" cannot be "the last reconciled spec equals the spec".
     */
    @Test
    void aChangeTheFlinkOperatorIgnoresSettlesAsRunning() {
        FlinkDeployment deployment = deployment(FlinkStatuses::running);
        FlinkDeploymentSpec before = io.fabric8.kubernetes.client.utils.Serialization.clone(deployment.getSpec());
        before.getJob().setSavepointTriggerNonce(7L);
        deployment.getSpec().getJob().setSavepointTriggerNonce(null);
        deployment.getSpec().getFlinkConfiguration().put("kubernetes.operator.savepoint.history.max.count", "9");
        deployment.getMetadata().setGeneration(2L);
        deployment.setStatus(FlinkStatuses.runningAfterIgnoredChange(deployment, before));

        StreamingPipelineStatus status = map(deployment, List.of(), T0);

        assertThat(status.phase).isEqualTo("Running");
        assertConditions(status, "True", "False", "False");
        assertThat(status.upgrade).isNull();
    }

    @Test
    void aPipelineCreatedSuspendedIsSuspendedThoughTheFlinkOperatorWritesNothing() {
        pipeline.getSpec().state = StreamingPipelineSpec.State.SUSPENDED;
        desired = DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS);
        FlinkDeployment deployment = deployment(d -> new FlinkDeploymentStatus());

        StreamingPipelineStatus status = map(deployment, List.of(), T0);

        assertThat(status.phase).isEqualTo("Suspended");
        assertConditions(status, "False", "False", "False");
    }

    /**
     * While a job is stopped FKO points upgradeSavepointPath at its latest checkpoint (SnapshotObserver
     * .observeLatestCheckpoint), and after a last-state deploy at a placeholder: neither is a savepoint.
     */
    @Test
    void theLastSavepointIsNeverACheckpointNorFlinksPlaceholder() {
        FlinkDeployment deployment = deployment(d -> {
            FlinkDeploymentStatus status = FlinkStatuses.failed(d, "boom");
            FlinkStatuses.withSavepoint(status, "s3://flink-state/sp/savepoint-7", T0.toEpochMilli(), SnapshotTriggerType.PERIODIC, null);
            status.getJobStatus().setUpgradeSavepointPath("s3://flink-state/cp/3f1c/chk-42");
            return status;
        });
        StreamingPipelineStatus status = map(deployment, List.of(), T1);
        assertThat(status.lastSavepoint.path).isEqualTo("s3://flink-state/sp/savepoint-7");

        FlinkDeployment placeholder = deployment(d -> {
            FlinkDeploymentStatus running = FlinkStatuses.running(d);
            running.getJobStatus().setUpgradeSavepointPath("KUBERNETES_OPERATOR_LAST_STATE");
            return running;
        });
        pipeline.setStatus(null);
        assertThat(map(placeholder, List.of(), T1).lastSavepoint).isNull();
    }

    /** An upgrade's savepoint stays an upgrade's when the pipeline is suspended afterwards (both are FKO's UPGRADE type). */
    @Test
    void aSavepointKeepsTheReasonItWasFirstSeenWith() {
        FlinkDeployment deployment = deployment(d -> FlinkStatuses.withSavepoint(FlinkStatuses.running(d), "s3://flink-state/sp/savepoint-u",
                T0.toEpochMilli(), SnapshotTriggerType.UPGRADE, null));
        StreamingPipelineStatus afterUpgrade = map(deployment, List.of(), T0);
        assertThat(afterUpgrade.lastSavepoint.reason).isEqualTo("upgrade");

        pipeline.setStatus(afterUpgrade);
        pipeline.getSpec().state = StreamingPipelineSpec.State.SUSPENDED;
        StreamingPipelineStatus suspendAsked = map(deployment, List.of(), T1);

        assertThat(suspendAsked.lastSavepoint.reason).isEqualTo("upgrade");
        assertThat(suspendAsked.savepointHistory).extracting(savepoint -> savepoint.reason).containsExactly("upgrade");
    }

    /**
     * FKO (1.15+, SnapshotObserver.cleanupSavepointHistoryLegacy) removes a savepoint from its history only after the
     * savepoint was disposed; one it could not dispose stays, beyond the retained count. Its files are still there, so
     * it stays in ours too: an entry leaves only when its files are gone.
     */
    @Test
    void aSavepointTheFlinkOperatorCouldNotDisposeStaysInTheHistoryBeyondTheRetainedCount() {
        pipeline.getSpec().savepoints.retain.count = 2;
        FlinkDeployment deployment = deployment(d -> {
            FlinkDeploymentStatus status = FlinkStatuses.running(d);
            for (int i = 1; i <= 3; i++) {
                FlinkStatuses.withSavepoint(status, "s3://flink-state/sp/savepoint-" + i, T0.toEpochMilli() + i, SnapshotTriggerType.PERIODIC, null);
            }
            return status;
        });
        assertThat(map(deployment, List.of(), T1).savepointHistory).extracting(savepoint -> savepoint.path).containsExactly(
                "s3://flink-state/sp/savepoint-3", "s3://flink-state/sp/savepoint-2", "s3://flink-state/sp/savepoint-1");
    }

    /** A job FKO has submitted but not yet observed (RECONCILING) carries the previous job's start time in FKO's status. */
    @Test
    void aJobNotYetObservedHasNoStartTime() {
        FlinkDeployment deployment = deployment(FlinkStatuses::deploying);
        deployment.getStatus().getJobStatus().setStartTime(Long.toString(FlinkStatuses.START_TIME));

        assertThat(map(deployment, List.of(), T0).job.startTime).isNull();
    }

    @Test
    void suspendedAsRequested() {
        pipeline.getSpec().state = StreamingPipelineSpec.State.SUSPENDED;
        StreamingPipelineStatus status = map(deployment(d -> FlinkStatuses.suspended(d, "s3://flink-state/sp/savepoint-2", T0.toEpochMilli())),
                List.of(), T1);

        assertThat(status.phase).isEqualTo("Suspended");
        assertConditions(status, "False", "False", "False");
        assertThat(condition(status, Conditions.READY).getReason()).isEqualTo("Suspended");
        assertThat(status.lastSavepoint.path).isEqualTo("s3://flink-state/sp/savepoint-2");
        assertThat(status.lastSavepoint.reason).isEqualTo("suspend");
        assertThat(status.lastSavepoint.time).isEqualTo(T0.toString());
    }

    @Test
    void savepointsAreMirroredNewestFirst() {
        FlinkDeployment deployment = deployment(d -> {
            FlinkDeploymentStatus status = FlinkStatuses.running(d);
            FlinkStatuses.withSavepoint(status, "s3://sp/1", T0.toEpochMilli(), SnapshotTriggerType.PERIODIC, null);
            FlinkStatuses.withSavepoint(status, "s3://sp/2", T1.toEpochMilli(), SnapshotTriggerType.MANUAL, 42L);
            return status;
        });

        StreamingPipelineStatus status = map(deployment, List.of(), T1);

        assertThat(status.lastSavepoint.path).isEqualTo("s3://sp/2");
        assertThat(status.lastSavepoint.reason).isEqualTo("manual");
        assertThat(status.savepointHistory).extracting(s -> s.path).containsExactly("s3://sp/2", "s3://sp/1");
        assertThat(status.savepointHistory).extracting(s -> s.reason).containsExactly("manual", "periodic");
    }

    @Test
    void aSavepointSurvivesInStatusWhenTheFlinkDeploymentForgetsIt() {
        StreamingPipelineStatus previous = map(deployment(d -> FlinkStatuses.withSavepoint(FlinkStatuses.running(d), "s3://sp/1",
                T0.toEpochMilli(), SnapshotTriggerType.PERIODIC, null)), List.of(), T0);
        pipeline.setStatus(previous);

        StreamingPipelineStatus status = map(deployment(FlinkStatuses::running), List.of(), T1);

        assertThat(status.lastSavepoint.path).isEqualTo("s3://sp/1");
        assertThat(status.savepointHistory).extracting(s -> s.path).containsExactly("s3://sp/1");
    }

    @Test
    void aProblemMakesReadyFalseWithItsReasonAndTheFieldInTheMessage() {
        Problem problem = new Problem(Reasons.SECRET_NOT_FOUND,
                "spec.sink.postgres.credentialsSecretRef: Secret analytics/analytics-db does not exist");

        StreamingPipelineStatus status = map(null, List.of(problem), T0);

        assertConditions(status, "False", "False", "False");
        Condition ready = condition(status, Conditions.READY);
        assertThat(ready.getReason()).isEqualTo("SecretNotFound");
        assertThat(ready.getMessage()).contains("spec.sink.postgres.credentialsSecretRef");
        assertThat(status.message).isEqualTo(ready.getMessage());
        assertThat(status.phase).isEqualTo("Pending");
    }

    @Test
    void appliedTokensSourceEpochAndPinnedMaxParallelismAreRecorded() {
        AppliedTokens tokens = new AppliedTokens();
        tokens.savepoint = "sp-1";
        tokens.offsetReset = "reset-1";
        applied = new Applied("abc", tokens, "reset-1", 256);

        StreamingPipelineStatus status = map(deployment(FlinkStatuses::running), List.of(), T0);

        assertThat(status.appliedTokens.savepoint).isEqualTo("sp-1");
        assertThat(status.appliedTokens.offsetReset).isEqualTo("reset-1");
        assertThat(status.sourceEpoch).isEqualTo("reset-1");
        assertThat(status.maxParallelism).isEqualTo(256);
        assertThat(status.lastAppliedSpecHash).isEqualTo("abc");
    }

    @Test
    void statusDiffSeesEveryChangeAndOnlyChanges() {
        StreamingPipelineStatus running = map(deployment(FlinkStatuses::running), List.of(), T0);
        StreamingPipelineStatus same = map(deployment(FlinkStatuses::running), List.of(), T0);
        StreamingPipelineStatus restarting = map(deployment(FlinkStatuses::restarting), List.of(), T0);

        assertThat(StatusDiff.changed(running, same)).isFalse();
        assertThat(StatusDiff.changed(running, restarting)).isTrue();
        assertThat(StatusDiff.changed(null, running)).isTrue();
    }

    @Test
    void errorMessagesAreTakenFromTheFlinkOperatorsJson() {
        assertThat(StatusMapper.errorMessage("{\"type\":\"x\",\"message\":\"HA must be enabled for rollback support.\"}"))
                .isEqualTo("HA must be enabled for rollback support.");
        assertThat(StatusMapper.errorMessage("plain text")).isEqualTo("plain text");
    }
}
