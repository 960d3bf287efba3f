package io.streampipe.operator.plan;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.api.v1alpha1.OffsetResetSpec;
import io.streampipe.api.v1alpha1.RestoreSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.AppliedTokens;
import io.streampipe.api.v1alpha1.UpgradeSpec;
import io.streampipe.operator.desired.DesiredState;
import io.streampipe.operator.status.Conditions;
import io.streampipe.operator.status.Reasons;
import io.streampipe.operator.status.StatusEvents;
import io.streampipe.operator.status.StatusMapper;
import io.streampipe.operator.status.StatusMapper.Applied;
import io.streampipe.operator.testing.Examples;
import io.streampipe.operator.testing.FlinkStatuses;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.status.SnapshotTriggerType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Every change that throws the running job's state away first takes a savepoint, and says so. */
class BackupPlanTest {
    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    private static final String BACKUP = "s3://flink-state/streampipe/analytics/sensor-anomalies/savepoints/savepoint-b4c1";

    private StreamingPipeline pipeline;
    private FlinkDeployment running;

    @BeforeEach
    void runningAsApplied() {
        pipeline = Examples.load("sensor-anomalies");
        pipeline.getMetadata().setGeneration(3L);
        DesiredState desired = DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS);
        running = desired.flinkDeployment();
        running.getMetadata().setGeneration(1L);
        running.setStatus(FlinkStatuses.running(running));
        pipeline.setStatus(StatusMapper.map(pipeline, new Applied(desired.specHash(), new AppliedTokens(), "0", 128),
                FlinkObservation.of(Optional.of(running)), List.of(), T0));
    }

    private DeploymentPlan plan() {
        return DeploymentPlan.of(pipeline, FlinkObservation.of(Optional.of(running)), Examples.SECRETS);
    }

    private BackupPlan backup(DeploymentPlan plan, Instant now) {
        return BackupPlan.of(pipeline, DesiredState.of(pipeline, plan.inputs(), Examples.DEFAULTS).specHash(),
                plan.inputs().startWithoutState(), FlinkObservation.of(Optional.of(running)), now);
    }

    private void resetWithoutState() {
        pipeline.getSpec().offsetReset = new OffsetResetSpec();
        pipeline.getSpec().offsetReset.token = "r1";
        pipeline.getSpec().offsetReset.to = OffsetResetSpec.Target.EARLIEST;
        pipeline.getSpec().offsetReset.keepState = false;
    }

    @Test
    void anOffsetResetWithoutStateWaitsForABackupSavepointThenGoesAhead() {
        resetWithoutState();
        DeploymentPlan plan = plan();
        BackupPlan requested = backup(plan, T0);
        assertThat(requested.hold()).isTrue();
        assertThat(requested.backup().orElseThrow().step).isEqualTo(BackupPlan.REQUESTED);
        assertThat(requested.backup().orElseThrow().reason).isEqualTo("offset reset r1 without state");

        // What is written meanwhile: the running job's FlinkDeployment, asked for a savepoint, nothing else changed.
        DesiredState next = DesiredState.of(pipeline, plan.inputs(), Examples.DEFAULTS);
        DesiredState held = DesiredState.holding(running, requested.nonce(), pipeline.getStatus().lastAppliedSpecHash, next);
        FlinkDeployment expected = Serialization.clone(running);
        expected.getSpec().getJob().setSavepointTriggerNonce(requested.nonce());
        assertThat(Serialization.asJson(held.flinkDeployment().getSpec())).isEqualTo(Serialization.asJson(expected.getSpec()));
        assertThat(held.specHash()).isEqualTo(pipeline.getStatus().lastAppliedSpecHash);
        StreamingPipelineStatus waiting = StatusMapper.map(pipeline, Applied.from(pipeline.getStatus()),
                FlinkObservation.of(Optional.of(running)), Optional.empty(), Optional.empty(), requested.backup(), List.of(), T0);
        assertThat(Conditions.find(waiting.conditions, Conditions.PROGRESSING).orElseThrow().getReason()).isEqualTo(Reasons.BACKING_UP);
        assertThat(Conditions.isTrue(waiting.conditions, Conditions.READY)).as("the job runs as before").isTrue();
        pipeline.setStatus(waiting);

        // FKO took it (a manual savepoint with the nonce): the change is applied, the savepoint is in the history.
        FlinkStatuses.withSavepoint(running.getStatus(), BACKUP, T0.plusSeconds(3).toEpochMilli(), SnapshotTriggerType.MANUAL, requested.nonce());
        BackupPlan taken = backup(plan, T0.plusSeconds(5));
        assertThat(taken.hold()).isFalse();
        assertThat(taken.backup().orElseThrow().step).isEqualTo(BackupPlan.TAKEN);
        assertThat(taken.backup().orElseThrow().savepoint).isEqualTo(BACKUP);
        StreamingPipelineStatus applied = StatusMapper.map(pipeline, Applied.from(pipeline.getStatus()),
                FlinkObservation.of(Optional.of(running)), Optional.empty(), Optional.empty(), taken.backup(), List.of(), T0.plusSeconds(5));
        assertThat(applied.lastSavepoint.path).isEqualTo(BACKUP);
        assertThat(applied.lastSavepoint.reason).isEqualTo("backup before offset reset r1 without state");
        assertThat(StatusEvents.between(waiting, applied)).filteredOn(event -> event.reason().equals(Reasons.BACKUP_SAVEPOINT))
                .singleElement().satisfies(event -> assertThat(event.message()).contains(BACKUP));
    }

    @Test
    void aJobThatIsNotRunningHasNothingToBackUp() {
        resetWithoutState();
        running.setStatus(FlinkStatuses.failed(running, "boom"));
        BackupPlan skipped = backup(plan(), T0);
        assertThat(skipped.hold()).isFalse();
        assertThat(skipped.backup().orElseThrow().step).isEqualTo(BackupPlan.SKIPPED);
    }

    @Test
    void aFailedBackupChangesNothingAndSaysWhy() {
        resetWithoutState();
        DeploymentPlan plan = plan();
        BackupPlan requested = backup(plan, T0);
        pipeline.getStatus().backup = requested.backup().orElseThrow();
        // FKO gave up on the savepoint: it records the nonce as reconciled, with no savepoint carrying it.
        running.getSpec().getJob().setSavepointTriggerNonce(requested.nonce());
        FlinkStatuses.running(running);

        BackupPlan failed = backup(plan, T0.plusSeconds(60));
        assertThat(failed.hold()).isTrue();
        assertThat(failed.backup().orElseThrow().step).isEqualTo(BackupPlan.FAILED);
        assertThat(failed.problem().orElseThrow().reason()).isEqualTo(Reasons.BACKUP_SAVEPOINT_FAILED);
        assertThat(failed.problem().orElseThrow().message()).contains("offset reset r1 without state", "nothing was changed");
    }

    @Test
    void aRestoreAndAStatelessUpgradeAreBackedUpAKeptStateResetIsNot() {
        pipeline.getSpec().restore = new RestoreSpec();
        pipeline.getSpec().restore.token = "restore-2";
        pipeline.getSpec().restore.savepointPath = "s3://flink-state/other/savepoint-1";
        assertThat(backup(plan(), T0).backup().orElseThrow().reason).isEqualTo("restore restore-2 from s3://flink-state/other/savepoint-1");

        pipeline.getSpec().restore = null;
        pipeline.getSpec().offsetReset = new OffsetResetSpec();
        pipeline.getSpec().offsetReset.token = "r2";
        pipeline.getSpec().offsetReset.to = OffsetResetSpec.Target.LATEST;
        pipeline.getSpec().offsetReset.keepState = true;
        assertThat(backup(plan(), T0).hold()).isFalse();

        pipeline.getSpec().offsetReset = null;
        pipeline.getSpec().upgrade.mode = UpgradeSpec.Mode.STATELESS;
        pipeline.getSpec().parallelism = 4;
        assertThat(backup(plan(), T0).backup().orElseThrow().reason).isEqualTo("a stateless upgrade");
    }

    @Test
    void anUnchangedPipelineNeedsNoBackup() {
        BackupPlan none = backup(plan(), T0);
        assertThat(none.hold()).isFalse();
        assertThat(none.backup()).isEmpty();
    }
}
