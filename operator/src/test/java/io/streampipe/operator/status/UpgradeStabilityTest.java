package io.streampipe.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.AppliedTokens;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.Rollback;
import io.streampipe.operator.desired.DeploymentInputs;
import io.streampipe.operator.desired.DesiredState;
import io.streampipe.operator.flink.JobReport;
import io.streampipe.operator.plan.DeploymentPlan;
import io.streampipe.operator.plan.FlinkObservation;
import io.streampipe.operator.plan.RollbackPlan;
import io.streampipe.operator.status.StatusMapper.Applied;
import io.streampipe.operator.testing.Examples;
import io.streampipe.operator.testing.FlinkStatuses;
import io.streampipe.standin.fko.FkoStatus;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.status.Checkpoint;
import org.apache.flink.kubernetes.operator.api.status.SnapshotTriggerType;
import org.apache.flink.kubernetes.operator.api.spec.JobSpec;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.SavepointFormatType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When an upgrade counts as done (stable: RUNNING, N checkpoints, no restart), what a timed-out one does (Degraded,
 * or a rollback to the last stable spec from the upgrade's savepoint), and what the JobManager's report adds.
 */
class UpgradeStabilityTest {
    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    private static final String UPGRADE_SAVEPOINT = "s3://flink-state/sp/savepoint-1";
    private static final String EARLIER_UPGRADE_SAVEPOINT = "s3://flink-state/sp/savepoint-0";
    private static final String RESTART_CAUSE = "org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed";

    private StreamingPipeline pipeline;
    private FlinkDeployment deployment;
    private Applied applied;

    @BeforeEach
    void runningStable() {
        pipeline = Examples.load("sensor-anomalies");
        pipeline.getMetadata().setGeneration(3L);
        DesiredState desired = DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS);
        applied = new Applied(desired.specHash(), new AppliedTokens(), "0", 128);
        deployment = desired.flinkDeployment();
        deployment.getMetadata().setGeneration(1L);
        deployment.setStatus(FlinkStatuses.running(deployment));
        pipeline.setStatus(map(report(5, 0), Optional.empty(), T0));
    }

    private StreamingPipelineStatus map(Optional<JobReport> report, Optional<Rollback> rollback, Instant now) {
        return StatusMapper.map(pipeline, applied, FlinkObservation.of(Optional.of(deployment)), report, rollback, Optional.empty(), List.of(), now);
    }

    private Optional<JobReport> report(long completed, long restarts) {
        String jobId = deployment.getStatus().getJobStatus().getJobId();
        Optional<JobReport.Checkpoint> latest = completed == 0 ? Optional.empty()
                : Optional.of(new JobReport.Checkpoint(completed, T0.plusSeconds(completed), Duration.ofMillis(1204), 4096, Optional.empty()));
        return Optional.of(new JobReport(jobId, latest, completed, Optional.empty(), restarts,
                restarts == 0 ? Optional.empty() : Optional.of(RESTART_CAUSE)));
    }

    /** The spec changes to parallelism 4 (generation 4); FKO stops the old job with a savepoint (loop A). */
    private void upgradeToParallelism4(Instant at) {
        changeToParallelism4(previous -> FlinkStatuses.upgrading(deployment, UPGRADE_SAVEPOINT));
        pipeline.setStatus(map(Optional.empty(), Optional.empty(), at));
    }

    /**
     * The spec changes to parallelism 4 (generation 4), and FKO has not taken it yet: it is still stopping the old job
     * with a savepoint. Its status is the old job's, with the old generation observed: FKO records the new spec (and
     * with it observedGeneration) only once the stop-with-savepoint has returned (AbstractJobReconciler
     * #reconcileSpecChange: cancelJob, then updateStatusBeforeDeploymentAttempt), and that stop may take up to
     * execution.checkpointing.timeout (AbstractFlinkService#savepointJobOrError). The old job ran after an earlier
     * upgrade, whose savepoint FKO's jobStatus still names (setUpgradeSavepointPath; nothing clears it).
     */
    private void upgradeToParallelism4NotYetTakenByFlink(Instant at) {
        FkoStatus.upgradeSavepoint(deployment, EARLIER_UPGRADE_SAVEPOINT, T0.minus(Duration.ofDays(1)), SavepointFormatType.CANONICAL);
        changeToParallelism4(previous -> previous);
        pipeline.setStatus(map(report(9, 0), Optional.empty(), at));
    }

    /** The pipeline and its FlinkDeployment (generation 2) at parallelism 4, with FKO's status from the one before. */
    private void changeToParallelism4(UnaryOperator<FlinkDeploymentStatus> flinkStatus) {
        FlinkDeploymentStatus previous = deployment.getStatus();
        pipeline.getMetadata().setGeneration(4L);
        pipeline.getSpec().parallelism = 4;
        DesiredState upgraded = DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS);
        applied = new Applied(upgraded.specHash(), new AppliedTokens(), "0", 128);
        deployment = upgraded.flinkDeployment();
        deployment.getMetadata().setGeneration(2L);
        deployment.setStatus(flinkStatus.apply(previous));
    }

    private static Condition condition(StreamingPipelineStatus status, String type) {
        return Conditions.find(status.conditions, type).orElseThrow();
    }

    @Test
    void theFirstStableDeploymentIsWhatARollbackReturnsTo() {
        assertThat(pipeline.getStatus().lastStable.generation).isEqualTo(3L);
        assertThat(pipeline.getStatus().lastStable.specHash).isEqualTo(applied.specHash());
        assertThat(pipeline.getStatus().lastStable.spec).contains("\"parallelism\":2");
    }

    /** The reconcile that applies a change first sees the FlinkDeployment as it was: the old job, running and stable. */
    @Test
    void anUpgradeStartsWhenTheChangeIsAppliedNotWhenFlinkSeesIt() {
        pipeline.getMetadata().setGeneration(4L);
        pipeline.getSpec().parallelism = 4;
        applied = new Applied(DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS).specHash(),
                new AppliedTokens(), "0", 128);

        StreamingPipelineStatus status = map(report(9, 0), Optional.empty(), T0);

        assertThat(status.upgrade).as("the old job's stability is not the new spec's").isNotNull();
        assertThat(status.upgrade.step).isEqualTo("SpecApplied");
        assertThat(status.lastStable.generation).isEqualTo(3L);
    }

    @Test
    void anUpgradeIsDoneOnlyWhenTheJobRanCheckpointsWithoutARestart() {
        upgradeToParallelism4(T0);
        assertThat(pipeline.getStatus().upgrade.step).isEqualTo("Upgrading");
        assertThat(pipeline.getStatus().upgrade.startTime).isEqualTo(T0.toString());
        assertThat(pipeline.getStatus().upgrade.generation).isEqualTo(4L);

        deployment.setStatus(FlinkStatuses.running(deployment));
        StreamingPipelineStatus oneCheckpoint = map(report(1, 0), Optional.empty(), T0.plusSeconds(30));
        assertThat(oneCheckpoint.phase).isEqualTo("Running");
        assertThat(oneCheckpoint.upgrade.step).isEqualTo("Stabilizing");
        assertThat(oneCheckpoint.upgrade.startTime).isEqualTo(T0.toString());
        assertThat(oneCheckpoint.lastStable.generation).isEqualTo(3L);

        pipeline.setStatus(oneCheckpoint);
        StreamingPipelineStatus restarted = map(report(2, 1), Optional.empty(), T0.plusSeconds(60));
        assertThat(restarted.upgrade).as("a restart since the restore").isNotNull();

        pipeline.setStatus(restarted);
        StreamingPipelineStatus stable = map(report(2, 0), Optional.empty(), T0.plusSeconds(90));
        assertThat(stable.upgrade).isNull();
        assertThat(stable.lastStable.generation).isEqualTo(4L);
        assertThat(stable.lastStable.spec).contains("\"parallelism\":4");
        assertThat(condition(stable, Conditions.READY).getStatus()).isEqualTo("True");
    }

    @Test
    void aTimedOutUpgradeWithoutRollbackIsDegradedAndSaysWhy() {
        pipeline.getSpec().upgrade.rollbackOnFailure = false;
        upgradeToParallelism4(T0);
        deployment.setStatus(FlinkStatuses.restarting(deployment));

        StreamingPipelineStatus inTime = map(report(0, 3), Optional.empty(), T0.plus(Duration.ofMinutes(9)));
        assertThat(condition(inTime, Conditions.DEGRADED).getReason()).isEqualTo(Reasons.JOB_RESTARTING);
        assertThat(condition(inTime, Conditions.DEGRADED).getMessage()).contains(RESTART_CAUSE);

        pipeline.setStatus(inTime);
        assertThat(RollbackPlan.of(pipeline, "the job is restarting", T0.plus(Duration.ofMinutes(11)))).isEmpty();
        deployment.setStatus(FlinkStatuses.running(deployment));
        StreamingPipelineStatus late = map(report(1, 0), Optional.empty(), T0.plus(Duration.ofMinutes(11)));
        Condition degraded = condition(late, Conditions.DEGRADED);
        assertThat(degraded.getStatus()).isEqualTo("True");
        assertThat(degraded.getReason()).isEqualTo(Reasons.UPGRADE_TIMED_OUT);
        assertThat(degraded.getMessage()).contains("generation 4", "spec.upgrade.timeout (10m)", "completed 1 of 2 checkpoints");
    }

    /**
     * The Flink operator could not stop the old job with a savepoint (its reconcile failed: ReconciliationUtils
     * .toErrorStatusUpdateControl records the error and leaves observedGeneration at the old generation), so the job
     * that runs and checkpoints is the previous one. A timed-out upgrade says so, and does not count that job's
     * checkpoints as the new one's. Seen in bench upgrade at 112 MB of state: "the job completed 52 of 1 checkpoints".
     */
    @Test
    void anUpgradeTheFlinkOperatorNeverAppliedSaysSoAndNamesItsError() {
        pipeline.getSpec().upgrade.rollbackOnFailure = false;
        upgradeToParallelism4(T0);
        deployment.setStatus(FlinkStatuses.running(deployment));
        deployment.getStatus().setObservedGeneration(1L);
        FkoStatus.error(deployment.getStatus(), List.<String[]>of(new String[]{"java.util.concurrent.TimeoutException",
                "stop-with-savepoint of job 3f1c2a9b did not complete within 60 s"}));

        StreamingPipelineStatus late = map(report(52, 0), Optional.empty(), T0.plus(Duration.ofMinutes(11)));
        Condition ready = condition(late, Conditions.READY);
        assertThat(ready.getReason()).isEqualTo(Reasons.UPGRADE_TIMED_OUT);
        assertThat(ready.getMessage()).doesNotContain("checkpoints")
                .contains("has not applied generation", "the previous job runs on", "stop-with-savepoint of job 3f1c2a9b did not complete");
    }

    @Test
    void aTimedOutUpgradeRollsBackToTheLastStableSpecFromTheUpgradeSavepoint() {
        upgradeToParallelism4(T0);
        deployment.setStatus(FlinkStatuses.restarting(deployment));
        pipeline.setStatus(map(report(0, 4), Optional.empty(), T0.plus(Duration.ofMinutes(5))));
        assertThat(pipeline.getStatus().upgrade.savepoint).isEqualTo(UPGRADE_SAVEPOINT);

        assertThat(RollbackPlan.of(pipeline, "the job is restarting", T0.plus(Duration.ofMinutes(9)))).as("before the timeout").isEmpty();
        Rollback rollback = RollbackPlan.of(pipeline, "the job is restarting (" + RESTART_CAUSE + ")",
                T0.plus(Duration.ofMinutes(11))).orElseThrow();
        assertThat(rollback.generation).isEqualTo(4L);
        assertThat(rollback.toGeneration).isEqualTo(3L);
        assertThat(rollback.savepoint).isEqualTo(UPGRADE_SAVEPOINT);
        assertThat(rollback.reason).contains("generation 4", "10m", RESTART_CAUSE, "generation 3", UPGRADE_SAVEPOINT);

        // What is applied: the stable spec (parallelism 2), redeployed from the upgrade's savepoint.
        StreamingPipeline target = RollbackPlan.rolledBack(pipeline, rollback);
        assertThat(target.getSpec().parallelism).isEqualTo(2);
        DeploymentPlan plan = DeploymentPlan.rollback(target, Examples.SECRETS);
        assertThat(plan.blocked()).isFalse();
        assertThat(plan.inputs()).isEqualTo(new DeploymentInputs(128, "0", false));
        JobSpec job = DesiredState.of(target, plan.inputs(), Examples.DEFAULTS).flinkDeployment().getSpec().getJob();
        assertThat(job.getParallelism()).isEqualTo(2);
        assertThat(job.getInitialSavepointPath()).isEqualTo(UPGRADE_SAVEPOINT);
        assertThat(job.getSavepointRedeployNonce()).isNotNull();

        // Once the old spec runs again: RolledBack, not Ready, Degraded with the reason.
        DesiredState rolledBack = DesiredState.of(target, plan.inputs(), Examples.DEFAULTS);
        applied = new Applied(rolledBack.specHash(), new AppliedTokens(), "0", 128);
        deployment = rolledBack.flinkDeployment();
        deployment.getMetadata().setGeneration(3L);
        deployment.setStatus(FlinkStatuses.running(deployment));
        StreamingPipelineStatus status = map(report(3, 0), Optional.of(rollback), T0.plus(Duration.ofMinutes(12)));
        assertThat(status.phase).isEqualTo(Reasons.ROLLED_BACK);
        assertThat(status.rollback.generation).isEqualTo(4L);
        assertThat(condition(status, Conditions.READY).getStatus()).isEqualTo("False");
        assertThat(condition(status, Conditions.READY).getReason()).isEqualTo(Reasons.ROLLED_BACK);
        assertThat(condition(status, Conditions.DEGRADED).getReason()).isEqualTo(Reasons.ROLLED_BACK);
        assertThat(status.lastStable.generation).as("the rolled-back spec is not a new stable one").isEqualTo(3L);

        // The same generation is not tried again; the next spec change is applied as usual.
        pipeline.setStatus(status);
        assertThat(RollbackPlan.of(pipeline, "", T0.plus(Duration.ofMinutes(30)))).contains(rollback);
        pipeline.getMetadata().setGeneration(5L);
        assertThat(RollbackPlan.of(pipeline, "", T0.plus(Duration.ofMinutes(30)))).isEmpty();
    }

    /** Savepoint mode on a job that is not running: FKO restores the latest checkpoint instead, and the status says so. */
    @Test
    void anUpgradeThatRestoresACheckpointInsteadOfASavepointSaysSo() {
        upgradeToParallelism4(T0);
        assertThat(pipeline.getStatus().upgrade.fallback).as("a real upgrade savepoint").isNull();
        StreamingPipelineStatus before = pipeline.getStatus();

        deployment.getStatus().getJobStatus().setUpgradeSavepointPath("s3://flink-state/cp/3f1c/chk-42");
        StreamingPipelineStatus status = map(Optional.empty(), Optional.empty(), T0.plusSeconds(5));

        assertThat(status.upgrade.savepoint).isEqualTo("s3://flink-state/cp/3f1c/chk-42");
        assertThat(status.upgrade.fallback).contains("no savepoint could be taken", "chk-42", "last-state fallback");
        assertThat(StatusEvents.between(before, status)).filteredOn(event -> event.reason().equals(Reasons.UPGRADE_FROM_CHECKPOINT))
                .singleElement().satisfies(event -> assertThat(event.warning()).isTrue());
    }

    @Test
    void noRollbackWithoutAnUpgradeSavepoint() {
        upgradeToParallelism4(T0);
        pipeline.getStatus().upgrade.savepoint = null;
        assertThat(RollbackPlan.of(pipeline, "", T0.plus(Duration.ofMinutes(11)))).isEmpty();
        assertThat(RollbackPlan.impossible(pipeline, pipeline.getStatus().upgrade)).contains("no savepoint", "savepoint");
    }

    @Test
    void aJobSeenRunningBetweenRestartsIsNotHealthy() {
        StreamingPipelineStatus status = map(Optional.of(new JobReport(deployment.getStatus().getJobStatus().getJobId(),
                Optional.empty(), 0, Optional.empty(), 3, Optional.of(RESTART_CAUSE))), Optional.empty(), T0);
        assertThat(condition(status, Conditions.READY).getStatus()).isEqualTo("False");
        assertThat(condition(status, Conditions.DEGRADED).getReason()).isEqualTo(Reasons.JOB_RESTARTING);
        assertThat(condition(status, Conditions.DEGRADED).getMessage()).contains("restarted 3 times", RESTART_CAUSE);
        assertThat(status.job.restarts).isEqualTo(3L);
        assertThat(status.job.lastException).isEqualTo(RESTART_CAUSE);
    }

    @Test
    void aLookTheJobManagerDoesNotAnswerKeepsItsCheckpointOverAnOlderOneTheFlinkOperatorTriggered() {
        // FKO records the checkpoints it triggers itself (kubernetes.operator.periodic.checkpoint.interval, which a
        // user can set in spec.flinkConfiguration) with their trigger time only: CheckpointInfo.updateLastCheckpoint.
        deployment.getStatus().getJobStatus().getCheckpointInfo()
                .updateLastCheckpoint(Checkpoint.of(T0.toEpochMilli(), SnapshotTriggerType.PERIODIC));

        StreamingPipelineStatus unanswered = map(Optional.empty(), Optional.empty(), T0.plusSeconds(30));

        assertThat(unanswered.lastCheckpoint.id).isEqualTo(5L);
        assertThat(unanswered.lastCheckpoint.time).isEqualTo(T0.plusSeconds(5).toString());
        assertThat(StatusDiff.changed(pipeline.getStatus(), unanswered)).as("a status patch for a JobManager that did not answer").isFalse();

        deployment.getStatus().getJobStatus().getCheckpointInfo()
                .updateLastCheckpoint(Checkpoint.of(T0.plusSeconds(60).toEpochMilli(), SnapshotTriggerType.PERIODIC));
        assertThat(map(Optional.empty(), Optional.empty(), T0.plusSeconds(90)).lastCheckpoint.time)
                .as("a newer checkpoint FKO triggered").isEqualTo(T0.plusSeconds(60).toString());
    }

    @Test
    void checkpointsTheJobTakesOnItsOwnAreInTheStatus() {
        StreamingPipelineStatus status = pipeline.getStatus();
        assertThat(status.lastCheckpoint.id).isEqualTo(5L);
        assertThat(status.lastCheckpoint.time).isEqualTo(T0.plusSeconds(5).toString());
        assertThat(status.lastCheckpoint.duration).isEqualTo("1.204s");
        assertThat(status.lastCheckpoint.sizeBytes).isEqualTo(4096L);
        assertThat(status.lastCheckpoint.completedSinceStart).isEqualTo(5L);
    }

    @Test
    void aFailingCheckpointIsDegradedWithFlinksMessage() {
        JobReport.FailedCheckpoint failure = new JobReport.FailedCheckpoint(6, false, T0.plusSeconds(60),
                "Checkpoint expired before completing.");
        StreamingPipelineStatus status = map(Optional.of(new JobReport(deployment.getStatus().getJobStatus().getJobId(),
                report(5, 0).get().latestCheckpoint(), 5, Optional.of(failure), 0, Optional.empty())), Optional.empty(), T0);
        assertThat(condition(status, Conditions.DEGRADED).getReason()).isEqualTo(Reasons.CHECKPOINT_FAILING);
        assertThat(condition(status, Conditions.DEGRADED).getMessage()).contains("Checkpoint 6", "expired");
    }

    /**
     * A savepoint that failed (an on-demand one, or the one an upgrade stops the job with) leaves the job running on
     * the older state: Degraded, with Flink's reason, until a newer savepoint completes.
     */
    @Test
    void aFailedSavepointIsDegradedUntilANewerOneCompletes() {
        JobReport.FailedCheckpoint failure = new JobReport.FailedCheckpoint(7, true, T0.plusSeconds(60),
                "java.io.IOException: No space left on device");
        Optional<JobReport> failed = Optional.of(new JobReport(deployment.getStatus().getJobStatus().getJobId(),
                report(5, 0).get().latestCheckpoint(), 5, Optional.of(failure), 0, Optional.empty()));
        StreamingPipelineStatus status = map(failed, Optional.empty(), T0.plusSeconds(61));
        assertThat(condition(status, Conditions.DEGRADED).getStatus()).isEqualTo("True");
        assertThat(condition(status, Conditions.DEGRADED).getReason()).isEqualTo(Reasons.SAVEPOINT_FAILED);
        assertThat(condition(status, Conditions.DEGRADED).getMessage()).contains("Savepoint 7", "No space left on device",
                "spec.savepoints.triggerToken");

        StreamingPipelineStatus.Savepoint newer = new StreamingPipelineStatus.Savepoint();
        newer.path = "file:///flink-data/savepoint-8";
        newer.time = T0.plusSeconds(90).toString();
        newer.reason = "manual";
        pipeline.getStatus().lastSavepoint = newer;
        StreamingPipelineStatus after = map(failed, Optional.empty(), T0.plusSeconds(91));
        assertThat(condition(after, Conditions.DEGRADED).getStatus()).as("a newer savepoint completed").isEqualTo("False");
    }

    @Test
    void aReportOnAnotherJobIsIgnored() {
        StreamingPipelineStatus status = map(Optional.of(new JobReport("another-job", Optional.empty(), 0, Optional.empty(), 7,
                Optional.of(RESTART_CAUSE))), Optional.empty(), T0);
        assertThat(condition(status, Conditions.DEGRADED).getStatus()).isEqualTo("False");
        assertThat(status.job.restarts).as("what this job's JobManager said before, not the other job's 7").isZero();
        assertThat(status.job.lastException).isNull();
    }

    /**
     * spec.upgrade.timeout counts from when the Flink operator takes the new spec, as FKO's own readiness timeout
     * (kubernetes.operator.deployment.readiness.timeout, which the pipeline sets to spec.upgrade.timeout) counts from
     * the reconciliation timestamp it stamps after the stop-with-savepoint (AbstractFlinkResourceReconciler
     * #shouldRollBack, ReconciliationUtils#updateStatusForSpecReconciliation). A savepoint of 8 minutes leaves the new
     * job its whole 10 minutes, not 2.
     */
    @Test
    void theUpgradeTimeoutCountsFromWhenFlinkTookTheSpecNotFromTheChange() {
        upgradeToParallelism4NotYetTakenByFlink(T0);
        StreamingPipelineStatus saving = map(report(9, 0), Optional.empty(), T0.plus(Duration.ofMinutes(7)));
        assertThat(saving.upgrade.step).isEqualTo("SpecApplied");
        assertThat(saving.upgrade.deployTime).as("FKO has not taken the spec").isNull();

        pipeline.setStatus(saving);
        deployment.setStatus(FlinkStatuses.upgrading(deployment, UPGRADE_SAVEPOINT));
        StreamingPipelineStatus taken = map(Optional.empty(), Optional.empty(), T0.plus(Duration.ofMinutes(8)));
        assertThat(taken.upgrade.startTime).isEqualTo(T0.toString());
        assertThat(taken.upgrade.deployTime).isEqualTo(T0.plus(Duration.ofMinutes(8)).toString());
        assertThat(taken.upgrade.savepoint).isEqualTo(UPGRADE_SAVEPOINT);

        pipeline.setStatus(taken);
        deployment.setStatus(FlinkStatuses.restarting(deployment));
        StreamingPipelineStatus inTime = map(report(0, 3), Optional.empty(), T0.plus(Duration.ofMinutes(17)));
        assertThat(condition(inTime, Conditions.DEGRADED).getReason()).as("9 minutes after FKO took it")
                .isEqualTo(Reasons.JOB_RESTARTING);
        assertThat(RollbackPlan.of(pipeline, "the job is restarting", T0.plus(Duration.ofMinutes(17)))).isEmpty();

        pipeline.setStatus(inTime);
        StreamingPipelineStatus late = map(report(0, 4), Optional.empty(), T0.plus(Duration.ofMinutes(18)).plusSeconds(1));
        assertThat(late.upgrade.deployTime).isEqualTo(T0.plus(Duration.ofMinutes(8)).toString());
        assertThat(RollbackPlan.of(pipeline, "the job is restarting", T0.plus(Duration.ofMinutes(18)).plusSeconds(1)))
                .hasValueSatisfying(rollback -> assertThat(rollback.savepoint).isEqualTo(UPGRADE_SAVEPOINT));
    }

    /**
     * Until FKO takes the spec, its stop-with-savepoint may legitimately run for spec.checkpointing.timeout; the upgrade
     * counts as failed only when FKO has not taken it after that and spec.upgrade.timeout.
     */
    @Test
    void anUpgradeWhoseStopWithSavepointStillRunsHasNotTimedOut() {
        upgradeToParallelism4NotYetTakenByFlink(T0);
        StreamingPipelineStatus saving = map(report(9, 0), Optional.empty(), T0.plus(Duration.ofMinutes(19)));
        assertThat(condition(saving, Conditions.DEGRADED).getStatus()).isEqualTo("False");
        assertThat(condition(saving, Conditions.READY).getReason()).isNotEqualTo(Reasons.UPGRADE_TIMED_OUT);

        pipeline.setStatus(saving);
        StreamingPipelineStatus late = map(report(9, 0), Optional.empty(), T0.plus(Duration.ofMinutes(20)).plusSeconds(1));
        Condition degraded = condition(late, Conditions.DEGRADED);
        assertThat(degraded.getReason()).isEqualTo(Reasons.UPGRADE_TIMED_OUT);
        assertThat(degraded.getMessage()).contains("generation 4", "spec.checkpointing.timeout (10m, the longest its stop-with-savepoint may take) and spec.upgrade.timeout (10m)",
                "has not applied generation 2");
    }

    /**
     * While FKO is still stopping the old job, its jobStatus.upgradeSavepointPath names an earlier upgrade's savepoint.
     * That is not this upgrade's: rolling back to it would cancel the job that runs and rewind it to older state.
     */
    @Test
    void anEarlierUpgradesSavepointIsNeverThisUpgradesRollbackPoint() {
        upgradeToParallelism4NotYetTakenByFlink(T0);
        assertThat(pipeline.getStatus().upgrade.savepoint).isNull();

        Instant longAfter = T0.plus(Duration.ofMinutes(25));
        StreamingPipelineStatus late = map(report(40, 0), Optional.empty(), longAfter);
        assertThat(late.upgrade.savepoint).isNull();
        pipeline.setStatus(late);
        assertThat(RollbackPlan.of(pipeline, "the Flink operator has not applied generation 2", longAfter)).isEmpty();
        assertThat(condition(late, Conditions.DEGRADED).getMessage()).contains("no rollback", "took no savepoint");
    }
}
