package io.streampipe.operator.plan;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.streampipe.api.v1alpha1.RestoreSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.operator.desired.DesiredState;
import io.streampipe.operator.desired.FinalSavepointRecord;
import io.streampipe.operator.testing.Examples;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Deleting with a final savepoint and creating the pipeline again continues where it stopped, once, when the state fits. */
class ResumePlanTest {
    private static final String SAVEPOINT = "s3://flink-state/streampipe/analytics/sensor-anomalies/savepoints/savepoint-7f3a";

    private StreamingPipeline recreated;
    private ConfigMap record;

    @BeforeEach
    void deletedWithAFinalSavepoint() {
        StreamingPipeline deleted = Examples.load("sensor-anomalies");
        deleted.getMetadata().setUid("uid-of-the-deleted-one");
        record = FinalSavepointRecord.of(deleted, SAVEPOINT, "final savepoint", null, Instant.parse("2026-12-04T10:00:00Z"));
        recreated = Examples.load("sensor-anomalies");
        recreated.getMetadata().setUid("uid-of-the-new-one");
    }

    @Test
    void aRecreatedPipelineStartsFromTheFinalSavepoint() {
        assertThat(ResumePlan.needsRecord(recreated)).isTrue();
        ResumePlan resume = ResumePlan.of(recreated, Optional.of(record));

        StreamingPipelineStatus.ResumedFrom from = resume.resume().orElseThrow();
        assertThat(from.savepoint).isEqualTo(SAVEPOINT);
        assertThat(from.record).isEqualTo("analytics/sensor-anomalies-final-savepoint");
        assertThat(from.deletedPipelineUid).isEqualTo("uid-of-the-deleted-one");
        DeploymentPlan plan = DeploymentPlan.of(recreated, FlinkObservation.of(Optional.empty()), Examples.SECRETS, resume);
        assertThat(plan.problems()).isEmpty();
        assertThat(DesiredState.of(recreated, plan.inputs(), Examples.DEFAULTS).flinkDeployment().getSpec().getJob()
                .getInitialSavepointPath()).isEqualTo(SAVEPOINT);
    }

    /**
     * The job's Kafka source state lives under a uid made of the source epoch, and the tokens in the manifest were
     * applied by the deleted pipeline: the re-created one takes both over, so that the savepoint's offsets restore and
     * an offset reset still in the manifest (as Git keeps it) is not applied a second time, dropping the state.
     */
    @Test
    void aRecreatedPipelineContinuesWithTheSourceEpochAndTokensTheDeletedOneHadApplied() {
        StreamingPipeline deleted = Examples.load("sensor-anomalies");
        deleted.getMetadata().setUid("uid-of-the-deleted-one");
        deleted.getSpec().offsetReset = reprocess();
        deleted.setStatus(new StreamingPipelineStatus());
        deleted.getStatus().sourceEpoch = "reprocess-1";
        deleted.getStatus().appliedTokens.offsetReset = "reprocess-1";
        deleted.getStatus().appliedTokens.savepoint = "sp-3";
        deleted.getStatus().maxParallelism = 128;
        ConfigMap recorded = FinalSavepointRecord.of(deleted, SAVEPOINT, "final savepoint", null, Instant.parse("2026-12-04T10:00:00Z"));
        recreated.getSpec().offsetReset = reprocess();
        recreated.getSpec().savepoints.triggerToken = "sp-3";

        ResumePlan resume = ResumePlan.of(recreated, Optional.of(recorded));
        DeploymentPlan plan = DeploymentPlan.of(recreated, FlinkObservation.of(Optional.empty()), Examples.SECRETS, resume);

        assertThat(plan.problems()).isEmpty();
        assertThat(plan.inputs().sourceEpoch()).isEqualTo("reprocess-1");
        assertThat(plan.inputs().startWithoutState()).as("the reset was applied before the deletion").isFalse();
        assertThat(plan.inputs().maxParallelism()).isEqualTo(128);
        assertThat(plan.tokens().offsetReset).isEqualTo("reprocess-1");
        assertThat(plan.tokens().savepoint).isEqualTo("sp-3");
        assertThat(DesiredState.of(recreated, plan.inputs(), Examples.DEFAULTS).flinkDeployment().getSpec().getJob()
                .getInitialSavepointPath()).isEqualTo(SAVEPOINT);
    }

    private static io.streampipe.api.v1alpha1.OffsetResetSpec reprocess() {
        var reset = new io.streampipe.api.v1alpha1.OffsetResetSpec();
        reset.token = "reprocess-1";
        reset.to = io.streampipe.api.v1alpha1.OffsetResetSpec.Target.EARLIEST;
        reset.keepState = false;
        return reset;
    }

    @Test
    void theDecisionIsKeptAndTheRecordNotReadAgainOnceDeployed() {
        StreamingPipelineStatus status = new StreamingPipelineStatus();
        status.resumedFrom = ResumePlan.of(recreated, Optional.of(record)).resume().orElseThrow();
        status.lastAppliedSpecHash = "abc";
        recreated.setStatus(status);
        assertThat(ResumePlan.needsRecord(recreated)).isFalse();
        assertThat(ResumePlan.of(recreated, Optional.empty()).resume()).contains(status.resumedFrom);

        StreamingPipeline deployedWithout = Examples.load("sensor-anomalies");
        deployedWithout.setStatus(new StreamingPipelineStatus());
        deployedWithout.getStatus().lastAppliedSpecHash = "abc";
        assertThat(ResumePlan.of(deployedWithout, Optional.of(record)).resume()).as("only before the first deployment").isEmpty();
    }

    @Test
    void aConsumedRecordAnOptOutOrAnExplicitRestoreStartsWithoutIt() {
        ConfigMap consumed = new io.fabric8.kubernetes.api.model.ConfigMapBuilder(record)
                .addToData(FinalSavepointRecord.CONSUMED_BY, "uid-of-an-earlier-one").build();
        assertThat(ResumePlan.of(recreated, Optional.of(consumed)).resume()).isEmpty();

        recreated.getSpec().deletion.resumeFromFinalSavepoint = false;
        assertThat(ResumePlan.of(recreated, Optional.of(record)).resume()).isEmpty();

        recreated.getSpec().deletion.resumeFromFinalSavepoint = true;
        recreated.getSpec().restore = new RestoreSpec();
        recreated.getSpec().restore.token = "r1";
        recreated.getSpec().restore.savepointPath = "s3://elsewhere/savepoint-1";
        assertThat(ResumePlan.of(recreated, Optional.of(record)).resume()).isEmpty();
        assertThat(ResumePlan.of(recreated, Optional.empty()).resume()).isEmpty();
    }

    /**
     * Git keeps a restore in the manifest after it ran. A pipeline deleted and created again from the same manifest
     * names that restore, but the deleted pipeline had applied it before its final savepoint: the final savepoint is
     * the newer state, and the restore counts as applied. A restore with another token is a new request and wins.
     */
    @Test
    void aRestoreTheDeletedPipelineHadAppliedDoesNotHideItsFinalSavepoint() {
        StreamingPipeline deleted = Examples.load("sensor-anomalies");
        deleted.getMetadata().setUid("uid-of-the-deleted-one");
        deleted.setStatus(new StreamingPipelineStatus());
        deleted.getStatus().appliedTokens.restore = "r1";
        ConfigMap recorded = FinalSavepointRecord.of(deleted, SAVEPOINT, "final savepoint", null, Instant.parse("2026-12-04T10:00:00Z"));
        recreated.getSpec().restore = new RestoreSpec();
        recreated.getSpec().restore.token = "r1";
        recreated.getSpec().restore.savepointPath = "s3://elsewhere/savepoint-1";

        assertThat(ResumePlan.needsRecord(recreated)).as("the record decides whether the restore was applied").isTrue();
        ResumePlan resume = ResumePlan.of(recreated, Optional.of(recorded));
        assertThat(resume.resume()).isPresent();
        DeploymentPlan plan = DeploymentPlan.of(recreated, FlinkObservation.of(Optional.empty()), Examples.SECRETS, resume);
        assertThat(plan.problems()).isEmpty();
        assertThat(plan.tokens().restore).isEqualTo("r1");
        assertThat(DesiredState.of(recreated, plan.inputs(), Examples.DEFAULTS).flinkDeployment().getSpec().getJob()
                .getInitialSavepointPath()).as("the final savepoint, not the restore's").isEqualTo(SAVEPOINT);

        recreated.getSpec().restore.token = "r2";
        assertThat(ResumePlan.of(recreated, Optional.of(recorded)).resume()).as("a new restore token is a new request").isEmpty();
    }

    @Test
    void aSavepointOfAnotherStateSchemaIsRefusedNamingTheFields() {
        recreated.getSpec().transform.window.size = "10m";
        ResumePlan resume = ResumePlan.of(recreated, Optional.of(record));
        assertThat(resume.resume()).isEmpty();
        Problem problem = resume.problem().orElseThrow();
        assertThat(problem.reason()).isEqualTo("IncompatibleStateChange");
        assertThat(problem.message()).startsWith("spec.transform.window.size (5m to 10m)").contains(SAVEPOINT,
                "spec.deletion.resumeFromFinalSavepoint: false");
        assertThat(DeploymentPlan.of(recreated, FlinkObservation.of(Optional.empty()), Examples.SECRETS, resume).blocked()).isTrue();

        recreated.getSpec().upgrade.allowIncompatibleState = true;
        ResumePlan fresh = ResumePlan.of(recreated, Optional.of(record));
        assertThat(fresh.resume()).isEmpty();
        assertThat(fresh.problem()).isEmpty();
    }
}
