package io.streampipe.operator.plan;

import io.streampipe.api.v1alpha1.DeletionSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.operator.desired.DesiredState;
import io.streampipe.operator.plan.DeletionPlan.Step;
import io.streampipe.operator.testing.Examples;
import io.streampipe.operator.testing.FlinkStatuses;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DeletionPlanTest {
    private static final Instant DELETED_AT = Instant.parse("2026-11-20T10:00:00Z");
    private static final String SAVEPOINT = "s3://flink-state/sp/savepoint-9";

    private StreamingPipeline pipeline;
    private FlinkDeployment deployment;

    @BeforeEach
    void runningPipelineBeingDeleted() {
        pipeline = Examples.load("sensor-anomalies");
        pipeline.getMetadata().setDeletionTimestamp(DELETED_AT.toString());
        deployment = DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS).flinkDeployment();
        FlinkStatuses.running(deployment);
    }

    private DeletionPlan plan(Instant now) {
        return DeletionPlan.of(pipeline, FlinkObservation.of(Optional.ofNullable(deployment)), now);
    }

    @Test
    void cancelReleasesAtOnce() {
        pipeline.getSpec().deletion.policy = DeletionSpec.Policy.CANCEL;

        DeletionPlan plan = plan(DELETED_AT);

        assertThat(plan.step()).isEqualTo(Step.RELEASE);
        assertThat(plan.savepointPath()).isNull();
    }

    @Test
    void aMalformedTimeoutWaitsTheDefaultFiveMinutesInsteadOfFailingEveryCleanup() {
        pipeline.getSpec().deletion.timeout = "5 m";

        assertThat(plan(DELETED_AT.plus(Duration.ofMinutes(4))).step()).isEqualTo(Step.SUSPEND_WITH_SAVEPOINT);
        assertThat(plan(DELETED_AT.plus(Duration.ofMinutes(5))).step()).isEqualTo(Step.RELEASE_AFTER_TIMEOUT);
    }

    @Test
    void aRunningJobIsFirstSuspendedWithASavepointThenAwaited() {
        assertThat(plan(DELETED_AT.plusSeconds(1)).step()).isEqualTo(Step.SUSPEND_WITH_SAVEPOINT);

        deployment.getSpec().getJob().setState(JobState.SUSPENDED);
        deployment.getSpec().getJob().setUpgradeMode(UpgradeMode.SAVEPOINT);
        DeletionPlan waiting = plan(DELETED_AT.plusSeconds(2));
        assertThat(waiting.step()).isEqualTo(Step.WAIT);
        assertThat(waiting.recheckAfter()).isEqualTo(DeletionPlan.RECHECK);
        assertThat(waiting.reason()).isEqualTo("Deleting");
    }

    @Test
    void theSuspensionsSavepointIsRecordedAndTheResourcesReleased() {
        deployment.getSpec().getJob().setState(JobState.SUSPENDED);
        FlinkStatuses.suspended(deployment, SAVEPOINT, DELETED_AT.toEpochMilli());

        DeletionPlan plan = plan(DELETED_AT.plusSeconds(30));

        assertThat(plan.step()).isEqualTo(Step.RELEASE);
        assertThat(plan.savepointPath()).isEqualTo(SAVEPOINT);
        assertThat(plan.reason()).isEqualTo("FinalSavepoint");
        assertThat(plan.message()).contains(SAVEPOINT, "analytics/sensor-anomalies-final-savepoint");
    }

    @Test
    void afterTheTimeoutTheResourcesAreReleasedWithTheLastKnownSavepoint() {
        pipeline.setStatus(new StreamingPipelineStatus());
        pipeline.getStatus().lastSavepoint = new StreamingPipelineStatus.Savepoint();
        pipeline.getStatus().lastSavepoint.path = "s3://flink-state/sp/periodic-3";

        DeletionPlan plan = plan(DELETED_AT.plus(Duration.ofMinutes(5)));

        assertThat(plan.step()).isEqualTo(Step.RELEASE_AFTER_TIMEOUT);
        assertThat(plan.reason()).isEqualTo("FinalSavepointTimedOut");
        assertThat(plan.savepointPath()).isEqualTo("s3://flink-state/sp/periodic-3");
        assertThat(plan.message()).contains("spec.deletion.timeout (5m)");
    }

    @Test
    void theRecheckNeverOverrunsTheDeadline() {
        assertThat(plan(DELETED_AT.plus(Duration.ofMinutes(5)).minusSeconds(2)).recheckAfter()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void withoutAFlinkDeploymentOrAStartedJobThereIsNothingToSave() {
        FlinkStatuses.deploying(deployment);
        assertThat(plan(DELETED_AT).step()).as("job never started").isEqualTo(Step.RELEASE);

        deployment = null;
        assertThat(plan(DELETED_AT).step()).isEqualTo(Step.RELEASE);
    }

    @Test
    void aFailedJobCannotTakeASavepoint() {
        FlinkStatuses.failed(deployment, "boom");

        DeletionPlan plan = plan(DELETED_AT);

        assertThat(plan.step()).isEqualTo(Step.RELEASE);
        assertThat(plan.message()).contains("failed");
    }
}
