package io.streampipe.operator.it;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.streampipe.api.v1alpha1.DeletionSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.status.Conditions;
import io.streampipe.operator.testing.FlinkStatuses;
import io.streampipe.testkit.kube.KubeApiServer;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deleting a pipeline with both policies. The test plays the Flink Kubernetes Operator by writing the FlinkDeployment
 * status. The test control plane has no garbage collector, so children stay behind; their owner references are what
 * lets a real cluster remove them.
 */
class DeletionIT {
    @RegisterExtension
    static final KubeApiServer apiServer = new KubeApiServer().withCrds(Path.of("../crds/streamingpipelines.streampipe.io-v1.yml"));

    private static final String SAVEPOINT = "s3://flink-state/streampipe/ns/sensor-anomalies/savepoints/savepoint-5f2a-9c1e";

    private RunningOperator operator;
    private Cluster cluster;

    @BeforeEach
    void start(TestInfo test) {
        cluster = new Cluster(apiServer.client(), test.getTestMethod().orElseThrow().getName().toLowerCase(Locale.ROOT).substring(0, 20));
        operator = RunningOperator.start(apiServer.kubeconfig());
    }

    @AfterEach
    void stop() {
        operator.close();
    }

    private FlinkDeployment runningPipeline(DeletionSpec.Policy policy, String timeout) {
        cluster.createAllSecrets();
        cluster.createPipeline("sensor-anomalies", p -> {
            p.getSpec().deletion.policy = policy;
            p.getSpec().deletion.timeout = timeout;
            return p;
        });
        Eventually.get(() -> cluster.flinkDeployment("sensor-anomalies"));
        cluster.writeFlinkStatus("sensor-anomalies", FlinkStatuses::running);
        Eventually.until(() -> assertThat(Conditions.isTrue(cluster.pipeline("sensor-anomalies").get().getStatus().conditions,
                Conditions.READY)).isTrue());
        return cluster.flinkDeployment("sensor-anomalies");
    }

    private void awaitGone() {
        Eventually.until(() -> assertThat(cluster.pipeline("sensor-anomalies").get()).isNull());
    }

    @Test
    void cancelLetsTheResourcesGoAtOnce() {
        FlinkDeployment deployment = runningPipeline(DeletionSpec.Policy.CANCEL, "5m");

        cluster.pipeline("sensor-anomalies").delete();

        awaitGone();
        FlinkDeployment left = cluster.flinkDeployment("sensor-anomalies");
        assertThat(left.getSpec().getJob().getState()).as("not suspended: cancelled by garbage collection").isEqualTo(JobState.RUNNING);
        assertThat(left.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(deployment.getMetadata().getOwnerReferences().get(0).getUid()));
        assertThat(cluster.configMap("sensor-anomalies-final-savepoint")).isNull();
    }

    @Test
    void savepointSuspendsTheJobRecordsTheSavepointAndThenLetsGo() {
        runningPipeline(DeletionSpec.Policy.SAVEPOINT, "5m");

        cluster.pipeline("sensor-anomalies").delete();

        Eventually.until(() -> {
            FlinkDeployment deployment = cluster.flinkDeployment("sensor-anomalies");
            assertThat(deployment.getSpec().getJob().getState()).isEqualTo(JobState.SUSPENDED);
            assertThat(deployment.getSpec().getJob().getUpgradeMode()).isEqualTo(UpgradeMode.SAVEPOINT);
        });
        StreamingPipeline deleting = cluster.pipeline("sensor-anomalies").get();
        assertThat(deleting.getStatus().phase).isEqualTo("Deleting");
        assertThat(Conditions.find(deleting.getStatus().conditions, Conditions.PROGRESSING).orElseThrow().getReason())
                .isEqualTo("FinalSavepoint");
        Eventually.sleep(Duration.ofSeconds(2));
        assertThat(cluster.pipeline("sensor-anomalies").get()).as("waits for the savepoint").isNotNull();

        cluster.writeFlinkStatus("sensor-anomalies", d -> FlinkStatuses.suspended(d, SAVEPOINT, Instant.now().toEpochMilli()));

        awaitGone();
        ConfigMap record = cluster.configMap("sensor-anomalies-final-savepoint");
        assertThat(record.getData()).containsEntry("savepointPath", SAVEPOINT)
                .containsEntry("pipeline", cluster.namespace + "/sensor-anomalies");
        assertThat(record.getData().get("restore.yaml")).contains("savepointPath: " + SAVEPOINT);
        assertThat(record.getMetadata().getOwnerReferences()).as("outlives the pipeline").isNullOrEmpty();
        assertThat(cluster.events("sensor-anomalies")).filteredOn(e -> "FinalSavepoint".equals(e.getReason()))
                .singleElement().satisfies(e -> assertThat(e.getMessage()).contains(SAVEPOINT, "sensor-anomalies-final-savepoint"));

        // Created again: it starts from the final savepoint by itself, and the record is used up.
        StreamingPipeline recreated = cluster.createPipeline("sensor-anomalies", p -> p);
        Eventually.until(() -> {
            FlinkDeployment deployment = cluster.flinkDeployment("sensor-anomalies");
            assertThat(deployment.getSpec().getJob().getInitialSavepointPath()).isEqualTo(SAVEPOINT);
            assertThat(deployment.getSpec().getJob().getState()).isEqualTo(JobState.RUNNING);
            assertThat(cluster.configMap("sensor-anomalies-final-savepoint").getData())
                    .containsEntry("consumedBy", recreated.getMetadata().getUid());
            StreamingPipeline now = cluster.pipeline("sensor-anomalies").get();
            assertThat(now.getStatus().resumedFrom.savepoint).isEqualTo(SAVEPOINT);
            assertThat(now.getStatus().resumedFrom.consumed).isTrue();
        });
        assertThat(cluster.events("sensor-anomalies")).filteredOn(e -> "ResumedFromFinalSavepoint".equals(e.getReason()))
                .singleElement().satisfies(e -> assertThat(e.getMessage()).contains(SAVEPOINT));
    }

    @Test
    void theFinalSavepointTimesOutInsteadOfBlockingForever() {
        runningPipeline(DeletionSpec.Policy.SAVEPOINT, "3s");

        cluster.pipeline("sensor-anomalies").delete();

        Eventually.until(() -> assertThat(cluster.flinkDeployment("sensor-anomalies").getSpec().getJob().getState())
                .isEqualTo(JobState.SUSPENDED));
        awaitGone();
        assertThat(cluster.events("sensor-anomalies")).filteredOn(e -> "FinalSavepointTimedOut".equals(e.getReason()))
                .singleElement().satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getMessage()).contains("spec.deletion.timeout");
                });
        assertThat(cluster.configMap("sensor-anomalies-final-savepoint")).as("no savepoint known").isNull();
    }

    @Test
    void aRestartedOperatorFinishesADeletionFromStatusAlone() {
        runningPipeline(DeletionSpec.Policy.SAVEPOINT, "5m");
        cluster.pipeline("sensor-anomalies").delete();
        Eventually.until(() -> assertThat(cluster.flinkDeployment("sensor-anomalies").getSpec().getJob().getState())
                .isEqualTo(JobState.SUSPENDED));

        operator.close();
        cluster.writeFlinkStatus("sensor-anomalies", d -> FlinkStatuses.suspended(d, SAVEPOINT, Instant.now().toEpochMilli()));
        operator = RunningOperator.start(apiServer.kubeconfig());

        awaitGone();
        assertThat(cluster.configMap("sensor-anomalies-final-savepoint").getData()).containsEntry("savepointPath", SAVEPOINT);
    }
}
