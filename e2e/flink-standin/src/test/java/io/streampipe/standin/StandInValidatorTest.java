package io.streampipe.standin;

import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.JobManagerSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobSpec;
import org.apache.flink.kubernetes.operator.api.spec.Resource;
import org.apache.flink.kubernetes.operator.api.spec.TaskManagerSpec;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rules found missing when FKO 1.16.1's own DefaultValidator ran the contract suite (e2e/fko-real): it refused the
 * suite's FlinkDeployment, which named no service account, and our stand-in ran it.
 */
class StandInValidatorTest {

    @Test
    void aFlinkDeploymentWithoutServiceAccountIsRefusedWithFkosMessage() {
        FlinkDeployment deployment = deployment(null);
        assertThat(StandInValidator.validate(deployment)).contains("spec.serviceAccount must be defined. If you use helm,"
                + " its value should be the same with the name of jobServiceAccount.");
        assertThat(StandInValidator.validate(deployment("flink"))).isEmpty();
    }

    private static FlinkDeployment deployment(String serviceAccount) {
        FlinkDeployment deployment = new FlinkDeployment();
        deployment.getMetadata().setName("orders");
        deployment.getMetadata().setNamespace("contract");
        FlinkDeploymentSpec spec = FlinkDeploymentSpec.builder()
                .image("ghcr.io/streampipe/pipeline-job:test")
                .flinkVersion(FlinkVersion.v1_20)
                .serviceAccount(serviceAccount)
                .flinkConfiguration(new org.apache.flink.kubernetes.operator.api.spec.ConfigObjectNode())
                .jobManager(new JobManagerSpec(new Resource(0.5, "1g", null), null, 1, null))
                .taskManager(new TaskManagerSpec(new Resource(1.0, "1g", null), null, null, null))
                .job(JobSpec.builder().jarURI("local:///opt/flink/usrlib/pipeline-job.jar").parallelism(1)
                        .upgradeMode(UpgradeMode.STATELESS).build())
                .build();
        spec.setFlinkConfiguration(Map.of("state.savepoints.dir", "s3://contract-state/savepoints/orders",
                "state.checkpoints.dir", "s3://contract-state/checkpoints/orders"));
        deployment.setSpec(spec);
        return deployment;
    }
}
