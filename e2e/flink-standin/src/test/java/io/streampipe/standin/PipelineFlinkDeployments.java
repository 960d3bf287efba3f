package io.streampipe.standin;

import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.ConfigObjectNode;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.JobManagerSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.spec.KubernetesDeploymentMode;
import org.apache.flink.kubernetes.operator.api.spec.Resource;
import org.apache.flink.kubernetes.operator.api.spec.TaskManagerSpec;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;

import java.util.Map;

/** The stand-in tests' FlinkDeployments, written by hand as our operator writes one: application mode, the job's jar. */
final class PipelineFlinkDeployments {
    private PipelineFlinkDeployments() {
    }

    /** A running savepoint-mode job with the given Flink configuration; a test adds pod template and job args it needs. */
    static FlinkDeployment of(String namespace, String name, int parallelism, Map<String, String> configuration) {
        FlinkDeployment deployment = new FlinkDeployment();
        deployment.getMetadata().setName(name);
        deployment.getMetadata().setNamespace(namespace);
        FlinkDeploymentSpec spec = FlinkDeploymentSpec.builder()
                .image("ghcr.io/streampipe/pipeline-job:test")
                .serviceAccount("flink")
                .flinkVersion(FlinkVersion.v1_20)
                .mode(KubernetesDeploymentMode.NATIVE)
                .flinkConfiguration(new ConfigObjectNode())
                .jobManager(new JobManagerSpec(new Resource(0.5, "1g", null), null, 1, null))
                .taskManager(new TaskManagerSpec(new Resource(1.0, "1g", null), null, null, null))
                .job(JobSpec.builder()
                        .jarURI("local:///opt/flink/usrlib/pipeline-job.jar")
                        .entryClass("io.streampipe.job.PipelineJob")
                        .parallelism(parallelism)
                        .state(JobState.RUNNING)
                        .upgradeMode(UpgradeMode.SAVEPOINT)
                        .build())
                .build();
        spec.setFlinkConfiguration(configuration);
        deployment.setSpec(spec);
        return deployment;
    }
}
