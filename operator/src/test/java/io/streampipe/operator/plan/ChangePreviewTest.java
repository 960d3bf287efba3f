package io.streampipe.operator.plan;

import io.streampipe.api.v1alpha1.OffsetResetSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.AppliedTokens;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.Plan;
import io.streampipe.operator.desired.DesiredState;
import io.streampipe.operator.status.StatusMapper;
import io.streampipe.operator.testing.Examples;
import io.streampipe.operator.testing.FlinkStatuses;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** status.plan says what a change will do before it is done. */
class ChangePreviewTest {
    private StreamingPipeline pipeline;
    private FlinkDeployment running;

    @BeforeEach
    void running() {
        pipeline = Examples.load("sensor-anomalies");
        deploy();
    }

    /** The pipeline's spec as it is now, running, with the status of generation 3. */
    private void deploy() {
        pipeline.getMetadata().setGeneration(3L);
        DesiredState desired = DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS);
        running = desired.flinkDeployment();
        running.getMetadata().setGeneration(1L);
        running.setStatus(FlinkStatuses.running(running));
        pipeline.setStatus(StatusMapper.map(pipeline, new StatusMapper.Applied(desired.specHash(), new AppliedTokens(), "0", 128),
                FlinkObservation.of(Optional.of(running)), List.of(), Instant.parse("2026-12-04T10:00:00Z")));
        pipeline.getStatus().lastUpgradeDowntime = "41s";
    }

    private Plan preview(Consumer<StreamingPipelineSpec> change) {
        pipeline.getMetadata().setGeneration(4L);
        change.accept(pipeline.getSpec());
        DeploymentPlan plan = DeploymentPlan.of(pipeline, FlinkObservation.of(Optional.of(running)), Examples.SECRETS);
        DesiredState desired = DesiredState.of(pipeline, plan.inputs(), Examples.DEFAULTS);
        return plan.blocked() ? ChangePreview.refused(pipeline, plan.problems())
                : ChangePreview.of(pipeline, desired.specHash(), plan.inputs(), desired.flinkDeployment().getSpec(),
                FlinkObservation.of(Optional.of(running)), List.of(), false, Optional.empty());
    }

    @Test
    void aParallelismChangeIsASavepointUpgradeThatDropsNothing() {
        Plan plan = preview(spec -> spec.parallelism = 4);
        assertThat(plan.generation).isEqualTo(4L);
        assertThat(plan.action).isEqualTo("SavepointUpgrade");
        assertThat(plan.dropsState).isEqualTo("nothing");
        assertThat(plan.expectedDowntime).isEqualTo("about 41s, as the last upgrade");
    }

    /** An exactly-once Kafka sink: the plan of a restart warns when its downtime could outlast the transactions. */
    @Test
    void aRestartThatCouldOutlastTheKafkaSinksTransactionsIsAWarning() {
        pipeline.getSpec().sink.kafka = new io.streampipe.api.v1alpha1.KafkaSinkSpec();
        pipeline.getSpec().sink.kafka.bootstrapServers = "kafka:9092";
        pipeline.getSpec().sink.kafka.topic = "sensor-alerts";
        deploy();
        pipeline.getStatus().lastUpgradeDowntime = "310s";
        assertThat(preview(spec -> spec.savepoints.retain.count = 9).warning).as("in place, no restart").isNull();

        Plan plan = preview(spec -> spec.parallelism = 5);
        assertThat(plan.action).isEqualTo("SavepointUpgrade");
        assertThat(plan.warning).startsWith("The last upgrade was down 310s, more than half of spec.sink.kafka.transactionTimeout (10m);")
                .contains("loses the results the Kafka sink had not committed yet");
        assertThat(preview(spec -> spec.sink.kafka.delivery = io.streampipe.api.v1alpha1.KafkaSinkSpec.Delivery.AT_LEAST_ONCE).warning)
                .as("at-least-once has no transactions").isNull();

        pipeline.getStatus().lastUpgradeDowntime = "41s";
        assertThat(preview(spec -> {
            spec.sink.kafka.delivery = io.streampipe.api.v1alpha1.KafkaSinkSpec.Delivery.EXACTLY_ONCE;
            spec.upgrade.timeout = "20m";
        }).warning).startsWith("spec.upgrade.timeout (20m) lets an upgrade be down longer than spec.sink.kafka.transactionTimeout (10m)");
        assertThat(preview(spec -> spec.upgrade.timeout = "10m").warning).as("41s of 10m, defaults").isNull();
    }

    @Test
    void aRetentionChangeIsAppliedInPlace() {
        Plan plan = preview(spec -> spec.savepoints.retain.count = 9);
        assertThat(plan.action).isEqualTo("InPlace");
        assertThat(plan.expectedDowntime).isEqualTo("0s");
    }

    @Test
    void anOffsetResetSaysWhatItDrops() {
        Plan keeping = preview(spec -> {
            spec.offsetReset = new OffsetResetSpec();
            spec.offsetReset.token = "r1";
            spec.offsetReset.to = OffsetResetSpec.Target.LATEST;
            spec.offsetReset.keepState = true;
        });
        assertThat(keeping.action).isEqualTo("SavepointUpgrade");
        assertThat(keeping.dropsState).contains("Kafka source's offsets", "windows are kept");

        Plan dropping = preview(spec -> spec.offsetReset.keepState = false);
        assertThat(dropping.action).isEqualTo("StatelessRedeploy");
        assertThat(dropping.dropsState).startsWith("all of it");
    }

    @Test
    void suspendAndRefusalsAreNamed() {
        assertThat(preview(spec -> spec.state = StreamingPipelineSpec.State.SUSPENDED).action).isEqualTo("Suspend");
        pipeline.getSpec().state = StreamingPipelineSpec.State.RUNNING;
        Plan refused = preview(spec -> spec.transform.window.size = "10m");
        assertThat(refused.action).isEqualTo("Refused");
        assertThat(refused.message).startsWith("spec.transform.window.size (5m to 10m)");
    }

    @Test
    void theDecisionIsKeptWhileTheChangeIsUnderWay() {
        StreamingPipelineStatus status = pipeline.getStatus();
        Plan upgrade = preview(spec -> spec.parallelism = 4);
        status.plan = upgrade;
        status.lastAppliedSpecHash = DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS).specHash();
        Plan again = ChangePreview.of(pipeline, status.lastAppliedSpecHash, Examples.firstDeploy(pipeline),
                running.getSpec(), FlinkObservation.of(Optional.of(running)), List.of(), false, Optional.empty());
        assertThat(again.action).isEqualTo("SavepointUpgrade");
    }

    /** Once Flink runs the reset, the operator writes upgradeMode back: the generation's plan stays the redeploy. */
    @Test
    void aFollowUpWriteOfTheSameGenerationKeepsItsPlan() {
        pipeline.getMetadata().setGeneration(4L);
        pipeline.getStatus().plan = new Plan();
        pipeline.getStatus().plan.generation = 4L;
        pipeline.getStatus().plan.action = "StatelessRedeploy";
        DesiredState desired = DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS);
        FlinkDeployment stateless = io.fabric8.kubernetes.client.utils.Serialization.clone(running);
        stateless.getSpec().getJob().setUpgradeMode(org.apache.flink.kubernetes.operator.api.spec.UpgradeMode.STATELESS);
        Plan plan = ChangePreview.of(pipeline, "another-hash", Examples.firstDeploy(pipeline), desired.flinkDeployment().getSpec(),
                FlinkObservation.of(Optional.of(stateless)), List.of(), false, Optional.empty());
        assertThat(plan.action).isEqualTo("StatelessRedeploy");

        pipeline.getMetadata().setGeneration(5L);
        assertThat(ChangePreview.of(pipeline, "another-hash", Examples.firstDeploy(pipeline), desired.flinkDeployment().getSpec(),
                FlinkObservation.of(Optional.of(stateless)), List.of(), false, Optional.empty()).action).isEqualTo("InPlace");
    }
}
