package io.streampipe.operator.it;

import io.streampipe.api.JobContract;
import io.streampipe.api.v1alpha1.OffsetResetSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.testing.FlinkStatuses;
import io.streampipe.testkit.kube.KubeApiServer;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.apache.flink.kubernetes.operator.api.status.SnapshotTriggerType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** A restarted operator continues from the pipeline's status and the FlinkDeployment's status, never from memory. */
class RestartIT {
    @RegisterExtension
    static final KubeApiServer apiServer = new KubeApiServer().withCrds(Path.of("../crds/streamingpipelines.streampipe.io-v1.yml"));

    private RunningOperator operator;
    private Cluster cluster;

    @BeforeEach
    void start(TestInfo test) {
        cluster = new Cluster(apiServer.client(), test.getTestMethod().orElseThrow().getName().toLowerCase(Locale.ROOT).substring(0, 20));
        operator = RunningOperator.start(apiServer.kubeconfig());
        cluster.createAllSecrets();
        cluster.createPipeline("sensor-anomalies");
        Eventually.get(() -> cluster.flinkDeployment("sensor-anomalies"));
        cluster.writeFlinkStatus("sensor-anomalies", FlinkStatuses::running);
    }

    @AfterEach
    void stop() {
        operator.close();
    }

    private void restart() {
        operator.close();
        operator = RunningOperator.start(apiServer.kubeconfig());
    }

    private void edit(Consumer<StreamingPipeline> change) {
        cluster.edit("sensor-anomalies", change);
    }

    private static OffsetResetSpec reset(String token, boolean keepState) {
        OffsetResetSpec reset = new OffsetResetSpec();
        reset.token = token;
        reset.to = OffsetResetSpec.Target.LATEST;
        reset.keepState = keepState;
        return reset;
    }

    private static String sourceEpoch(FlinkDeployment deployment) {
        var args = List.of(deployment.getSpec().getJob().getArgs());
        return args.get(args.indexOf(JobContract.ARG_SOURCE_EPOCH) + 1);
    }

    @Test
    void anAppliedOffsetResetIsRememberedAcrossRestartsEvenAfterItLeavesTheSpec() {
        edit(p -> p.getSpec().offsetReset = reset("reset-1", true));
        Eventually.until(() -> {
            FlinkDeployment deployment = cluster.flinkDeployment("sensor-anomalies");
            assertThat(sourceEpoch(deployment)).isEqualTo("reset-1");
            assertThat(deployment.getSpec().getJob().getAllowNonRestoredState()).isTrue();
            StreamingPipeline pipeline = cluster.pipeline("sensor-anomalies").get();
            assertThat(pipeline.getStatus().appliedTokens.offsetReset).isEqualTo("reset-1");
            assertThat(pipeline.getStatus().sourceEpoch).isEqualTo("reset-1");
        });

        operator.close();
        edit(p -> p.getSpec().offsetReset = null);
        operator = RunningOperator.start(apiServer.kubeconfig());

        Eventually.until(() -> {
            StreamingPipeline pipeline = cluster.pipeline("sensor-anomalies").get();
            assertThat(pipeline.getStatus().observedGeneration).isEqualTo(pipeline.getMetadata().getGeneration());
            FlinkDeployment deployment = cluster.flinkDeployment("sensor-anomalies");
            assertThat(deployment.getSpec().getJob().getAllowNonRestoredState()).isNull();
            assertThat(sourceEpoch(deployment)).as("the epoch comes from status, not from the spec").isEqualTo("reset-1");
        });
    }

    @Test
    void aStatelessOffsetResetInterruptedByARestartStaysStatelessUntilFlinkHasAppliedIt() {
        edit(p -> p.getSpec().offsetReset = reset("reset-2", false));
        // First a backup savepoint of the running job; the reset waits for it, across a restart of the operator.
        long backupNonce = Eventually.get(() -> cluster.flinkDeployment("sensor-anomalies").getSpec().getJob().getSavepointTriggerNonce());
        assertThat(sourceEpoch(cluster.flinkDeployment("sensor-anomalies"))).as("nothing else changed yet").isEqualTo("0");
        restart();
        Eventually.sleep(RunningOperator.RESYNC.multipliedBy(2));
        assertThat(sourceEpoch(cluster.flinkDeployment("sensor-anomalies"))).as("still waiting for the backup").isEqualTo("0");
        assertThat(cluster.pipeline("sensor-anomalies").get().getStatus().backup.step).isEqualTo("Requested");
        cluster.writeFlinkStatus("sensor-anomalies", d -> FlinkStatuses.withSavepoint(FlinkStatuses.running(d),
                "s3://flink-state/backup/savepoint-1", System.currentTimeMillis(), SnapshotTriggerType.MANUAL, backupNonce));

        Eventually.until(() -> {
            FlinkDeployment deployment = cluster.flinkDeployment("sensor-anomalies");
            assertThat(sourceEpoch(deployment)).isEqualTo("reset-2");
            assertThat(deployment.getSpec().getJob().getUpgradeMode()).isEqualTo(UpgradeMode.STATELESS);
        });

        restart();
        Eventually.sleep(RunningOperator.RESYNC.multipliedBy(3));
        assertThat(cluster.flinkDeployment("sensor-anomalies").getSpec().getJob().getUpgradeMode())
                .as("Flink has not applied the reset yet").isEqualTo(UpgradeMode.STATELESS);

        cluster.writeFlinkStatus("sensor-anomalies", FlinkStatuses::running);
        Eventually.until(() -> assertThat(cluster.flinkDeployment("sensor-anomalies").getSpec().getJob().getUpgradeMode())
                .isEqualTo(UpgradeMode.SAVEPOINT));
        assertThat(sourceEpoch(cluster.flinkDeployment("sensor-anomalies"))).isEqualTo("reset-2");
        StreamingPipeline done = cluster.pipeline("sensor-anomalies").get();
        assertThat(done.getStatus().backup.savepoint).isEqualTo("s3://flink-state/backup/savepoint-1");
        assertThat(done.getStatus().lastSavepoint.reason).isEqualTo("backup before offset reset reset-2 without state");
    }

    @Test
    void aTokenRecordedByAPreviousOperatorIsNotAppliedTwice() {
        operator.close();
        edit(p -> p.getSpec().savepoints.triggerToken = "before-migration");
        operator = RunningOperator.start(apiServer.kubeconfig());
        Eventually.until(() -> assertThat(cluster.flinkDeployment("sensor-anomalies").getSpec().getJob().getSavepointTriggerNonce()).isNotNull());
        long nonce = cluster.flinkDeployment("sensor-anomalies").getSpec().getJob().getSavepointTriggerNonce();
        String version = cluster.flinkDeployment("sensor-anomalies").getMetadata().getResourceVersion();

        restart();
        Eventually.sleep(RunningOperator.RESYNC.multipliedBy(3));

        FlinkDeployment after = cluster.flinkDeployment("sensor-anomalies");
        assertThat(after.getSpec().getJob().getSavepointTriggerNonce()).isEqualTo(nonce);
        assertThat(after.getMetadata().getResourceVersion()).as("no write after the restart").isEqualTo(version);
        assertThat(cluster.pipeline("sensor-anomalies").get().getStatus().appliedTokens.savepoint).isEqualTo("before-migration");
    }
}
