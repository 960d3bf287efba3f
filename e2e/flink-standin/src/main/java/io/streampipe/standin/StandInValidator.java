package io.streampipe.standin;

import io.streampipe.standin.fko.FkoConfig;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.JobSpec;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Optional;

/**
 * The rules of FKO 1.16's {@code validation/DefaultValidator} that concern the fields our operator writes, with its
 * messages. FKO's class itself cannot be loaded here: it is built on FKO's configuration manager, whose dependencies
 * (java-operator-sdk 5.5) are not served.
 */
final class StandInValidator {
    private static final String ROLLBACK = "kubernetes.operator.deployment.rollback.enabled";
    private static final String PERIODIC_SAVEPOINT = "kubernetes.operator.periodic.savepoint.interval";

    private StandInValidator() {
    }

    /** DefaultValidator.validateDeployment: the first error, if any. */
    static Optional<String> validate(FlinkDeployment deployment) {
        FlinkDeploymentSpec spec = deployment.getSpec();
        Map<String, String> conf = spec.getFlinkConfiguration() == null ? Map.of() : spec.getFlinkConfiguration().asFlatMap();
        return firstOf(
                flinkVersion(spec.getFlinkVersion()),
                flinkDeploymentConfig(conf),
                jobSpec(spec, conf),
                memory("JobManager", spec.getJobManager() == null || spec.getJobManager().getResource() == null
                        ? null : spec.getJobManager().getResource().getMemory()),
                memory("TaskManager", spec.getTaskManager() == null || spec.getTaskManager().getResource() == null
                        ? null : spec.getTaskManager().getResource().getMemory()),
                savepointRedeploy(deployment),
                serviceAccount(spec.getServiceAccount()));
    }

    /** DefaultValidator.validateServiceAccount (checked after the spec change, as validateDeployment orders them). */
    private static Optional<String> serviceAccount(String serviceAccount) {
        if (serviceAccount == null) {
            return Optional.of("spec.serviceAccount must be defined. If you use helm, its value should be the same with the"
                    + " name of jobServiceAccount.");
        }
        return Optional.empty();
    }

    /** DefaultValidator.validateFlinkVersion. */
    private static Optional<String> flinkVersion(FlinkVersion version) {
        if (version == null) {
            return Optional.of("Flink Version must be defined.");
        }
        if (!version.isEqualOrNewer(FlinkVersion.v1_15)) {
            return Optional.of("Flink version " + version + " is not supported by this operator version");
        }
        return Optional.empty();
    }

    /** DefaultValidator.validateFlinkDeploymentConfig: rollback needs HA. */
    private static Optional<String> flinkDeploymentConfig(Map<String, String> conf) {
        boolean rollback = Boolean.parseBoolean(conf.getOrDefault(ROLLBACK, "false"));
        if (rollback && !new FkoConfig(conf).highAvailability()) {
            return Optional.of("HA must be enabled for rollback support.");
        }
        return Optional.empty();
    }

    /** DefaultValidator.validateJobSpec and validateJarUri. */
    private static Optional<String> jobSpec(FlinkDeploymentSpec spec, Map<String, String> confMap) {
        JobSpec job = spec.getJob();
        if (job == null) {
            return Optional.empty();
        }
        Configuration conf = Configuration.fromMap(confMap);
        String checkpoints = conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY);
        if (job.getUpgradeMode() != UpgradeMode.STATELESS && (checkpoints == null || checkpoints.isBlank())) {
            return Optional.of("Checkpoint directory[%s] must be defined for last-state and savepoint upgrade modes"
                    .formatted(CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()));
        }
        String savepoints = conf.get(CheckpointingOptions.SAVEPOINT_DIRECTORY);
        if (savepoints == null || savepoints.isBlank()) {
            String key = CheckpointingOptions.SAVEPOINT_DIRECTORY.key();
            if (job.getUpgradeMode() == UpgradeMode.SAVEPOINT) {
                return Optional.of("Job could not be upgraded with savepoint while config key[%s] is not set".formatted(key));
            } else if (job.getSavepointTriggerNonce() != null) {
                return Optional.of("Savepoint could not be manually triggered for the running job while config key[%s] is not set".formatted(key));
            } else if (confMap.containsKey(PERIODIC_SAVEPOINT)) {
                return Optional.of("Periodic savepoints cannot be enabled when config key[%s] is not set".formatted(key));
            }
        }
        boolean replicasDefined = spec.getTaskManager() != null && spec.getTaskManager().getReplicas() != null;
        if (replicasDefined && spec.getTaskManager().getReplicas() < 1) {
            return Optional.of("TaskManager replicas must be larger than 0");
        } else if (!replicasDefined && job.getParallelism() < 1) {
            return Optional.of("Job parallelism must be larger than 0");
        }
        if (job.getJarURI() != null) {
            try {
                if (new URI(job.getJarURI()).getScheme() == null) {
                    return Optional.of("jarURI must include a scheme");
                }
            } catch (URISyntaxException e) {
                return Optional.of("jarURI is not a valid URI: " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** DefaultValidator.validateJmSpec / validateTmSpec: memory must be defined. */
    private static Optional<String> memory(String component, String memory) {
        if (memory == null || memory.isBlank()) {
            String field = component.equals("JobManager") ? "jobManager" : "taskManager";
            return Optional.of("%s resource memory must be defined using `spec.%s.resource.memory` or `spec.%s.resources.requests.memory`"
                    .formatted(component, field, field));
        }
        return Optional.empty();
    }

    /** DefaultValidator.validateSpecChange: a new savepointRedeployNonce needs an initialSavepointPath. */
    private static Optional<String> savepointRedeploy(FlinkDeployment deployment) {
        var status = deployment.getStatus();
        FlinkDeploymentSpec last = status == null ? null : status.getReconciliationStatus().deserializeLastReconciledSpec();
        JobSpec job = deployment.getSpec().getJob();
        if (last == null || job == null || last.getJob() == null) {
            return Optional.empty();
        }
        Long nonce = job.getSavepointRedeployNonce();
        if (nonce != null && !nonce.equals(last.getJob().getSavepointRedeployNonce())
                && (job.getInitialSavepointPath() == null || job.getInitialSavepointPath().isBlank())) {
            return Optional.of("InitialSavepointPath must not be empty for savepoint redeployment");
        }
        return Optional.empty();
    }

    @SafeVarargs
    private static Optional<String> firstOf(Optional<String>... checks) {
        for (Optional<String> check : checks) {
            if (check.isPresent()) {
                return check;
            }
        }
        return Optional.empty();
    }
}
