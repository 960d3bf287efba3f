package io.streampipe.operator.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.desired.StateSchema;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.lifecycle.ResourceLifecycleState;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.JobStatus;

import java.util.List;
import java.util.Optional;

/**
 * Null-safe reading of what the Flink Kubernetes Operator reports in a FlinkDeployment's status. The FlinkDeployment
 * may be absent (not created yet) and its status partly filled (not reconciled yet).
 */
public record FlinkObservation(FlinkDeployment deployment) {
    public static FlinkObservation of(Optional<FlinkDeployment> deployment) {
        return new FlinkObservation(deployment.orElse(null));
    }

    public boolean exists() {
        return deployment != null;
    }

    public Optional<FlinkDeploymentStatus> status() {
        return Optional.ofNullable(deployment).map(FlinkDeployment::getStatus);
    }

    public Optional<ResourceLifecycleState> lifecycleState() {
        return status().map(FlinkDeploymentStatus::getLifecycleState);
    }

    public Optional<JobStatus> jobStatus() {
        return status().map(FlinkDeploymentStatus::getJobStatus);
    }

    /** The job's state name (RUNNING, FAILED, ...), if the Flink operator has observed one. */
    public Optional<String> jobState() {
        return jobStatus().map(JobStatus::getState).map(Enum::name);
    }

    public Optional<String> error() {
        return status().map(FlinkDeploymentStatus::getError).filter(error -> !error.isBlank());
    }

    /** The spec the Flink operator last acted on, from status.reconciliationStatus.lastReconciledSpec. */
    public Optional<FlinkDeploymentSpec> lastReconciledSpec() {
        return status().map(FlinkDeploymentStatus::getReconciliationStatus)
                .filter(reconciliation -> reconciliation.getLastReconciledSpec() != null)
                .map(reconciliation -> reconciliation.deserializeLastReconciledSpec());
    }

    /**
     * Whether the Flink operator has acted on the FlinkDeployment's current spec. The upgrade mode is left out: the
     * Flink operator records the mode it actually used (a savepoint upgrade may fall back to last-state).
     */
    public boolean currentSpecReconciled() {
        return exists() && lastReconciledSpec().map(reconciled -> withoutUpgradeMode(reconciled).equals(withoutUpgradeMode(deployment.getSpec())))
                .orElse(false);
    }

    /** The state schema of the job Flink last deployed, from the last reconciled spec's pod template. */
    public Optional<StateSchema> deployedStateSchema() {
        return lastReconciledSpec().map(FlinkDeploymentSpec::getPodTemplate)
                .map(template -> template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
                .flatMap(annotations -> StateSchema.fromJson(annotations.get(PipelineResources.ANNOTATION_STATE_SCHEMA)));
    }

    /** The job arguments of the last reconciled spec (they carry the source epoch). */
    public Optional<List<String>> lastReconciledArgs() {
        return lastReconciledSpec().map(FlinkDeploymentSpec::getJob).map(job -> List.of(job.getArgs()));
    }

    private static JsonNode withoutUpgradeMode(FlinkDeploymentSpec spec) {
        JsonNode tree = Serialization.jsonMapper().valueToTree(spec);
        if (tree.path("job") instanceof ObjectNode job) {
            job.remove("upgradeMode");
        }
        return tree;
    }
}
