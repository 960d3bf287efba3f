package io.streampipe.operator.plan;

import io.streampipe.api.v1alpha1.OffsetResetSpec;
import io.streampipe.api.v1alpha1.RestoreSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.UpgradeSpec;
import io.streampipe.operator.desired.DesiredState;
import io.streampipe.operator.status.Reasons;
import io.streampipe.operator.testing.Examples;
import io.streampipe.operator.testing.FlinkStatuses;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DeploymentPlanTest {
    static final Map<String, Set<String>> SECRETS = Examples.SECRETS;

    private static final FlinkObservation NOTHING = FlinkObservation.of(Optional.empty());

    private static DeploymentPlan plan(StreamingPipeline pipeline) {
        return DeploymentPlan.of(pipeline, NOTHING, SECRETS);
    }

    private static OffsetResetSpec reset(String token, boolean keepState) {
        OffsetResetSpec reset = new OffsetResetSpec();
        reset.token = token;
        reset.to = OffsetResetSpec.Target.EARLIEST;
        reset.keepState = keepState;
        return reset;
    }

    @Test
    void aFirstDeployPinsTheDefaultMaxParallelismAndStartsAtEpochZero() {
        DeploymentPlan plan = plan(Examples.load("orders-upsert"));

        assertThat(plan.inputs().maxParallelism()).isEqualTo(128);
        assertThat(plan.inputs().sourceEpoch()).isEqualTo("0");
        assertThat(plan.inputs().startWithoutState()).isFalse();
        assertThat(plan.problems()).isEmpty();
    }

    @Test
    void thePinnedMaxParallelismComesFromStatus() {
        StreamingPipeline pipeline = Examples.load("orders-upsert");
        pipeline.setStatus(new StreamingPipelineStatus());
        pipeline.getStatus().maxParallelism = 64;

        assertThat(plan(pipeline).inputs().maxParallelism()).isEqualTo(64);
    }

    @Test
    void aNewOffsetResetTokenStartsANewEpochOnceAndItIsRememberedAfterwards() {
        StreamingPipeline pipeline = Examples.load("sensor-anomalies");
        pipeline.getSpec().offsetReset = reset("reset-7", true);

        DeploymentPlan first = plan(pipeline);
        assertThat(first.inputs().sourceEpoch()).isEqualTo("reset-7");
        assertThat(first.tokens().offsetReset).isEqualTo("reset-7");

        pipeline.setStatus(new StreamingPipelineStatus());
        pipeline.getStatus().appliedTokens = first.tokens();
        pipeline.getStatus().sourceEpoch = first.inputs().sourceEpoch();
        pipeline.getSpec().offsetReset = null;
        assertThat(plan(pipeline).inputs().sourceEpoch()).as("kept after the token leaves the spec").isEqualTo("reset-7");
    }

    @Test
    void anOffsetResetWithoutStateStaysStatelessUntilFlinkHasDeployedTheNewEpoch() {
        StreamingPipeline pipeline = Examples.load("sensor-anomalies");
        pipeline.getSpec().offsetReset = reset("reset-8", false);
        DeploymentPlan first = plan(pipeline);
        assertThat(first.inputs().startWithoutState()).isTrue();

        pipeline.setStatus(new StreamingPipelineStatus());
        pipeline.getStatus().appliedTokens = first.tokens();
        pipeline.getStatus().sourceEpoch = first.inputs().sourceEpoch();
        FlinkDeployment written = DesiredState.of(pipeline, first.inputs(), Examples.DEFAULTS).flinkDeployment();
        FlinkDeployment notYetReconciled = DesiredState.of(Examples.load("sensor-anomalies"),
                Examples.firstDeploy(pipeline), Examples.DEFAULTS).flinkDeployment();
        FlinkStatuses.running(notYetReconciled);
        written.setStatus(notYetReconciled.getStatus());
        assertThat(DeploymentPlan.of(pipeline, FlinkObservation.of(Optional.of(written)), SECRETS).inputs().startWithoutState())
                .as("Flink still runs epoch 0").isTrue();

        FlinkStatuses.running(written);
        assertThat(DeploymentPlan.of(pipeline, FlinkObservation.of(Optional.of(written)), SECRETS).inputs().startWithoutState())
                .as("Flink runs the new epoch").isFalse();
    }

    /**
     * allowNonRestoredState is on the FlinkDeployment only until Flink has deployed the reset: left on, the next upgrade
     * would silently drop any state the new job does not claim. FKO records the new spec in its first upgrade loop
     * (UPGRADING) and deploys it in the second; the flag must survive until then.
     */
    @Test
    void aKeptStateOffsetResetAllowsNonRestoredStateOnlyUntilFlinkHasDeployedIt() {
        StreamingPipeline pipeline = Examples.load("sensor-anomalies");
        pipeline.getSpec().offsetReset = reset("reset-9", true);
        DeploymentPlan first = plan(pipeline);
        assertThat(first.inputs().allowNonRestoredState()).isTrue();
        assertThat(DesiredState.of(pipeline, first.inputs(), Examples.DEFAULTS).flinkDeployment().getSpec().getJob()
                .getAllowNonRestoredState()).isTrue();

        pipeline.setStatus(new StreamingPipelineStatus());
        pipeline.getStatus().appliedTokens = first.tokens();
        pipeline.getStatus().sourceEpoch = first.inputs().sourceEpoch();
        FlinkDeployment written = DesiredState.of(pipeline, first.inputs(), Examples.DEFAULTS).flinkDeployment();
        written.setStatus(FlinkStatuses.upgrading(written, "s3://flink-state/sp/savepoint-2"));
        assertThat(DeploymentPlan.of(pipeline, FlinkObservation.of(Optional.of(written)), SECRETS).inputs().allowNonRestoredState())
                .as("between FKO's two upgrade loops").isTrue();

        FlinkStatuses.running(written);
        DeploymentPlan after = DeploymentPlan.of(pipeline, FlinkObservation.of(Optional.of(written)), SECRETS);
        assertThat(after.inputs().allowNonRestoredState()).as("Flink runs the new epoch").isFalse();
        assertThat(DesiredState.of(pipeline, after.inputs(), Examples.DEFAULTS).flinkDeployment().getSpec().getJob()
                .getAllowNonRestoredState()).as("while offsetReset stays in the spec").isNull();
    }

    @Test
    void tokensCountAsAppliedWithTheSpecThatCarriesThem() {
        StreamingPipeline pipeline = Examples.load("sensor-anomalies");
        pipeline.getSpec().savepoints.triggerToken = "sp-1";
        pipeline.getSpec().restore = new RestoreSpec();
        pipeline.getSpec().restore.token = "restore-1";
        pipeline.getSpec().restore.savepointPath = "s3://b/sp";

        DeploymentPlan plan = plan(pipeline);

        assertThat(plan.tokens().savepoint).isEqualTo("sp-1");
        assertThat(plan.tokens().restore).isEqualTo("restore-1");
        assertThat(plan.tokens().offsetReset).isNull();
    }

    @Test
    void aMissingSecretOrKeyIsAProblemNamingTheField() {
        StreamingPipeline pipeline = Examples.load("orders-upsert");
        List<Problem> problems = DeploymentPlan.of(pipeline, NOTHING,
                Map.of("shop-db", Set.of("username"))).problems();

        assertThat(problems).containsExactly(
                new Problem(Reasons.SECRET_KEY_NOT_FOUND, "spec.sink.postgres.credentialsSecretRef: Secret analytics/shop-db has no key 'password'"),
                new Problem(Reasons.SECRET_NOT_FOUND, "spec.source.kafka.credentialsSecretRef: Secret analytics/kafka-orders-reader does not exist"));
    }

    @Test
    void aChangedMaxParallelismIsRefused() {
        StreamingPipeline pipeline = Examples.load("sensor-anomalies");
        pipeline.setStatus(new StreamingPipelineStatus());
        pipeline.getStatus().maxParallelism = 128;
        pipeline.getSpec().maxParallelism = 256;

        assertThat(plan(pipeline).problems()).singleElement().satisfies(problem -> {
            assertThat(problem.reason()).isEqualTo("MaxParallelismChanged");
            assertThat(problem.message()).startsWith("spec.maxParallelism:");
        });
    }

    @Test
    void parallelismAboveThePinnedMaximumIsRefused() {
        StreamingPipeline pipeline = Examples.load("orders-upsert");
        pipeline.getSpec().parallelism = 200;

        assertThat(plan(pipeline).problems()).extracting(Problem::reason).containsExactly("ParallelismAboveMaxParallelism");
    }

    @Test
    void lastStateOnLocalStorageIsRefused() {
        StreamingPipeline pipeline = Examples.load("orders-upsert");
        pipeline.getSpec().checkpointing.storage.pvc = null;
        pipeline.getSpec().checkpointing.storage.path = "file:///flink-data/checkpoints";
        pipeline.getSpec().upgrade.mode = UpgradeSpec.Mode.LAST_STATE;

        assertThat(plan(pipeline).problems()).singleElement().satisfies(problem -> {
            assertThat(problem.reason()).isEqualTo("StorageUnfitForUpgradeMode");
            assertThat(problem.message()).startsWith("spec.checkpointing.storage.path:");
        });
    }

    private static FlinkObservation runningAsDeployed(StreamingPipeline pipeline) {
        FlinkDeployment deployment = DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS).flinkDeployment();
        FlinkStatuses.running(deployment);
        return FlinkObservation.of(Optional.of(deployment));
    }

    @Test
    void aChangeThatBreaksTheRunningJobsStateIsRefusedNamingTheField() {
        FlinkObservation running = runningAsDeployed(Examples.load("sensor-anomalies"));
        StreamingPipeline changed = Examples.load("sensor-anomalies");
        changed.getSpec().transform.aggregates.remove(1);

        assertThat(DeploymentPlan.of(changed, running, SECRETS).problems()).singleElement().satisfies(problem -> {
            assertThat(problem.reason()).isEqualTo("IncompatibleStateChange");
            assertThat(problem.message()).startsWith("spec.transform.aggregates").contains("allowIncompatibleState");
        });
    }

    /** Size and slide shape the sliced window state and its timers: restored into another geometry, windows misfire. */
    @Test
    void aWindowGeometryChangeIsRefused() {
        FlinkObservation running = runningAsDeployed(Examples.load("sensor-anomalies"));
        StreamingPipeline wider = Examples.load("sensor-anomalies");
        wider.getSpec().transform.window.size = "10m";
        assertThat(DeploymentPlan.of(wider, running, SECRETS).problems()).singleElement().satisfies(problem -> {
            assertThat(problem.reason()).isEqualTo("IncompatibleStateChange");
            assertThat(problem.message()).startsWith("spec.transform.window.size (5m to 10m):");
        });
        StreamingPipeline slower = Examples.load("sensor-anomalies");
        slower.getSpec().transform.window.slide = "30s";
        assertThat(DeploymentPlan.of(slower, running, SECRETS).problems()).singleElement()
                .satisfies(problem -> assertThat(problem.message()).startsWith("spec.transform.window.slide (10s to 30s):"));
        // The job's window state records its cleanup times too (WindowLayout): a lateness change is refused the same way.
        StreamingPipeline later = Examples.load("sensor-anomalies");
        later.getSpec().transform.window.allowedLateness = "5m";
        assertThat(DeploymentPlan.of(later, running, SECRETS).problems()).singleElement()
                .satisfies(problem -> assertThat(problem.message()).startsWith("spec.transform.window.allowedLateness (2m to 5m):"));
    }

    @Test
    void aKeyFieldTypeChangeIsRefused() {
        FlinkObservation running = runningAsDeployed(Examples.load("sensor-anomalies"));
        StreamingPipeline retyped = Examples.load("sensor-anomalies");
        retyped.getSpec().source.schema.stream().filter(field -> field.name.equals("sensor_id")).findFirst().orElseThrow().type =
                io.streampipe.api.v1alpha1.SourceSpec.FieldType.LONG;
        assertThat(DeploymentPlan.of(retyped, running, SECRETS).problems()).singleElement()
                .satisfies(problem -> assertThat(problem.message()).startsWith("spec.source.schema types of the key fields [sensor_id]"));
    }

    @Test
    void anOptedInIncompatibleChangeStartsWithoutStateUntilFlinkRunsIt() {
        StreamingPipeline changed = Examples.load("sensor-anomalies");
        changed.getSpec().transform.aggregates.remove(1);
        changed.getSpec().upgrade.allowIncompatibleState = true;

        DeploymentPlan pending = DeploymentPlan.of(changed, runningAsDeployed(Examples.load("sensor-anomalies")), SECRETS);
        assertThat(pending.problems()).isEmpty();
        assertThat(pending.inputs().startWithoutState()).isTrue();

        DeploymentPlan deployed = DeploymentPlan.of(changed, runningAsDeployed(changed), SECRETS);
        assertThat(deployed.inputs().startWithoutState()).isFalse();
    }

    @Test
    void compatibleChangesAndStatelessPipelinesAreNotChecked() {
        FlinkObservation running = runningAsDeployed(Examples.load("sensor-anomalies"));
        StreamingPipeline rescaled = Examples.load("sensor-anomalies");
        rescaled.getSpec().parallelism = 8;
        rescaled.getSpec().transform.window.size = "300s";
        rescaled.getSpec().transform.window.allowedLateness = "120s";
        assertThat(DeploymentPlan.of(rescaled, running, SECRETS).problems()).as("the same geometry, written otherwise").isEmpty();

        StreamingPipeline stateless = Examples.load("sensor-anomalies");
        stateless.getSpec().transform.aggregates.remove(1);
        stateless.getSpec().upgrade.mode = UpgradeSpec.Mode.STATELESS;
        assertThat(DeploymentPlan.of(stateless, running, SECRETS).problems()).isEmpty();
    }

    @Test
    void anInvalidSpecIsAProblemBeforeAnythingElse() {
        StreamingPipeline pipeline = Examples.load("sensor-anomalies");
        pipeline.getSpec().transform.keyBy = List.of("no_such_field");

        assertThat(DeploymentPlan.of(pipeline, NOTHING, Map.of()).problems()).isNotEmpty()
                .allSatisfy(problem -> assertThat(problem.reason()).isEqualTo("InvalidSpec"))
                .anySatisfy(problem -> assertThat(problem.message()).startsWith("spec.transform.keyBy"));
    }
}
