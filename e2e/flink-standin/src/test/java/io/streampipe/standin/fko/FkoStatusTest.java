package io.streampipe.standin.fko;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.lifecycle.ResourceLifecycleState;
import org.apache.flink.kubernetes.operator.api.spec.ConfigObjectNode;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.JobSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.JobManagerDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.ReconciliationState;
import org.apache.flink.kubernetes.operator.api.status.SavepointFormatType;
import org.apache.flink.kubernetes.operator.api.status.SnapshotTriggerType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * FKO 1.16's status writes, step by step, as the stand-in replays them: the lifecycle state FKO's own status classes
 * derive after each step, and the fields FKO records. The contract suite checks the same sequences on a running cluster.
 */
class FkoStatusTest {
    private static final Instant NOW = Instant.parse("2026-12-04T08:00:00Z");
    private FlinkDeployment deployment;

    @BeforeEach
    void aFlinkDeployment() {
        deployment = new FlinkDeployment();
        deployment.getMetadata().setName("orders");
        deployment.getMetadata().setGeneration(1L);
        ConfigObjectNode configuration = new ConfigObjectNode();
        configuration.putAllFrom(Map.of("taskmanager.numberOfTaskSlots", "2"));
        deployment.setSpec(FlinkDeploymentSpec.builder().flinkVersion(FlinkVersion.v1_20).flinkConfiguration(configuration)
                .job(JobSpec.builder().jarURI("local:///opt/flink/usrlib/job.jar").parallelism(3).state(JobState.RUNNING)
                        .upgradeMode(UpgradeMode.SAVEPOINT).build())
                .build());
        deployment.setStatus(new FlinkDeploymentStatus());
    }

    private FlinkDeploymentStatus status() {
        return deployment.getStatus();
    }

    private void firstDeployRunning() {
        FlinkDeployment first = FkoStatus.withUpgradeMode(deployment, FkoStatus.firstDeploymentMode(deployment));
        FkoStatus.beforeFirstDeployment(first, NOW);
        FkoStatus.submitted(status());
        FkoStatus.deployedSpec(first, NOW);
        status().setJobManagerDeploymentStatus(JobManagerDeploymentStatus.READY);
        FkoStatus.jobObserved(status(), JobStatus.RUNNING, "orders", NOW.toEpochMilli(), NOW);
        FkoStatus.checkAndUpdateStableSpec(status());
    }

    @Test
    void aFirstDeployGoesFromUpgradingThroughDeployedToStableAndRecordsStateless() {
        assertThat(status().getLifecycleState()).isEqualTo(ResourceLifecycleState.CREATED);
        FlinkDeployment first = FkoStatus.withUpgradeMode(deployment, FkoStatus.firstDeploymentMode(deployment));

        FkoStatus.beforeFirstDeployment(first, NOW);
        assertThat(status().getLifecycleState()).isEqualTo(ResourceLifecycleState.UPGRADING);
        assertThat(status().getReconciliationStatus().deserializeLastReconciledSpec().getJob().getState()).isEqualTo(JobState.SUSPENDED);
        assertThat(status().getObservedGeneration()).isEqualTo(1L);

        FkoStatus.submitted(status());
        FkoStatus.deployedSpec(first, NOW);
        assertThat(status().getLifecycleState()).isEqualTo(ResourceLifecycleState.DEPLOYED);
        assertThat(status().getJobManagerDeploymentStatus()).isEqualTo(JobManagerDeploymentStatus.DEPLOYING);
        assertThat(status().getReconciliationStatus().deserializeLastReconciledSpec().getJob().getUpgradeMode())
                .isEqualTo(UpgradeMode.STATELESS);
        assertThat(status().getTaskManager().getReplicas()).as("3 slots wanted, 2 per TaskManager").isEqualTo(2);

        status().setJobManagerDeploymentStatus(JobManagerDeploymentStatus.READY);
        assertThat(FkoStatus.jobObserved(status(), JobStatus.RUNNING, "orders", NOW.toEpochMilli(), NOW))
                .isEqualTo("Job status changed from RECONCILING to RUNNING");
        FkoStatus.checkAndUpdateStableSpec(status());
        assertThat(status().getLifecycleState()).isEqualTo(ResourceLifecycleState.STABLE);
    }

    @Test
    void aChangeOfOnlyIgnoredKindsMovesObservedGenerationButNotTheLastReconciledSpec() {
        firstDeployRunning();
        String reconciled = status().getReconciliationStatus().getLastReconciledSpec();
        deployment.getSpec().getJob().setSavepointTriggerNonce(5L);
        deployment.getMetadata().setGeneration(2L);

        FkoStatus.metadataOnly(deployment);

        assertThat(status().getObservedGeneration()).isEqualTo(2L);
        assertThat(status().getReconciliationStatus().getLastReconciledSpec()).isEqualTo(reconciled);
        assertThat(status().getLifecycleState()).isEqualTo(ResourceLifecycleState.STABLE);
    }

    @Test
    void aManualSavepointsNonceReachesTheLastReconciledSpecOnlyWhenItCompletes() {
        firstDeployRunning();
        deployment.getSpec().getJob().setSavepointTriggerNonce(7L);
        FkoStatus.metadataOnly(deployment);
        assertThat(status().getReconciliationStatus().deserializeLastReconciledSpec().getJob().getSavepointTriggerNonce()).isNull();

        FkoStatus.savepointNonceReconciled(deployment, SnapshotTriggerType.PERIODIC, NOW);
        assertThat(status().getReconciliationStatus().deserializeLastReconciledSpec().getJob().getSavepointTriggerNonce())
                .as("only manual triggers are recorded").isNull();
        FkoStatus.savepointNonceReconciled(deployment, SnapshotTriggerType.MANUAL, NOW);
        assertThat(status().getReconciliationStatus().deserializeLastReconciledSpec().getJob().getSavepointTriggerNonce()).isEqualTo(7L);
    }

    @Test
    void loopAOfASavepointUpgradeRecordsTheTargetSpecSuspendedWhileUpgrading() {
        firstDeployRunning();
        deployment.getSpec().getJob().setParallelism(4);
        deployment.getMetadata().setGeneration(2L);

        FkoStatus.upgradeSavepoint(deployment, "s3://b/sp/savepoint-1", NOW, SavepointFormatType.NATIVE);
        FkoStatus.jobCancelled(status());
        FkoStatus.beforeDeploymentAttempt(FkoStatus.withUpgradeMode(deployment, UpgradeMode.SAVEPOINT), NOW);

        assertThat(status().getLifecycleState()).isEqualTo(ResourceLifecycleState.UPGRADING);
        assertThat(status().getReconciliationStatus().getState()).isEqualTo(ReconciliationState.UPGRADING);
        var recorded = status().getReconciliationStatus().deserializeLastReconciledSpec().getJob();
        assertThat(recorded.getParallelism()).isEqualTo(4);
        assertThat(recorded.getState()).isEqualTo(JobState.SUSPENDED);
        assertThat(status().getJobStatus().getState()).isEqualTo(JobStatus.FINISHED);
        assertThat(status().getJobStatus().getUpgradeSavepointPath()).isEqualTo("s3://b/sp/savepoint-1");
        assertThat(status().getJobStatus().getSavepointInfo().getLastSavepoint().getTriggerType()).isEqualTo(SnapshotTriggerType.UPGRADE);
        assertThat(status().getJobStatus().getSavepointInfo().getLastSavepoint().getFormatType()).isEqualTo(SavepointFormatType.NATIVE);
        assertThat(status().getReconciliationStatus().isLastReconciledSpecStable()).isFalse();
    }

    @Test
    void aSuspendByTheUserIsStableAtOnceAndAJobFailureIsRecordedAsJson() {
        firstDeployRunning();
        deployment.getSpec().getJob().setState(JobState.SUSPENDED);
        FkoStatus.deployedSpec(FkoStatus.withUpgradeMode(deployment, UpgradeMode.SAVEPOINT), NOW);
        assertThat(status().getLifecycleState()).isEqualTo(ResourceLifecycleState.SUSPENDED);
        assertThat(status().getReconciliationStatus().isLastReconciledSpecStable()).isTrue();

        FkoStatus.error(status(), java.util.List.<String[]>of(new String[]{"org.apache.flink.util.SerializedThrowable", "boom"},
                new String[]{"java.io.IOException", "disk"}));
        assertThat(status().getError()).isEqualTo("{\"type\":\"org.apache.flink.util.SerializedThrowable\",\"message\":\"boom\","
                + "\"additionalMetadata\":{},\"throwableList\":[{\"type\":\"java.io.IOException\",\"message\":\"disk\",\"additionalMetadata\":{}}]}");
    }
}
