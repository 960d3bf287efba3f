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
    /** Every Secret the examples reference, with the keys they need. */
    static final Map<String, Set<String>> SECRETS = Map.of(
            "analytics-db", Set.of("username", "password"),
            "shop-db", Set.of("username", "password"),
            "kafka-orders-reader", Set.of("username", "password"),
            "flink-state-s3", Set.of("accessKeyId", "secretAccessKey"));

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
    void aSpecThatBreaksItsOwnRulesIsRefusedBeforeAnythingIsDerivedFromIt() {
        StreamingPipeline pipeline = Examples.load("orders-upsert");
        pipeline.getSpec().offsetReset = reset(null, true);

        DeploymentPlan plan = plan(pipeline);

        assertThat(plan.blocked()).isTrue();
        assertThat(plan.problems()).extracting(Problem::reason).containsOnly(Reasons.INVALID_SPEC);
        assertThat(plan.problems()).extracting(Problem::message).anyMatch(m -> m.startsWith("spec.offsetReset.token:"));
    }

    @Test
    void aNameTheFlinkOperatorRefusesIsRefusedHere() {
        StreamingPipeline pipeline = Examples.load("orders-upsert");
        pipeline.getMetadata().setName("orders.v2");

        assertThat(plan(pipeline).problems()).extracting(Problem::message).anyMatch(m -> m.startsWith("metadata.name:"));
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
        StreamingPipeline wider = Examples.load("sensor-anomalies");
        wider.getSpec().transform.window.size = "10m";
        wider.getSpec().parallelism = 8;
        assertThat(DeploymentPlan.of(wider, running, SECRETS).problems()).isEmpty();

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
