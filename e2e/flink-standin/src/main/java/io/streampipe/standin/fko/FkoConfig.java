package io.streampipe.standin.fko;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.util.TimeUtils;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The per-resource ("dynamic") Flink operator options the stand-in honours, read from a FlinkDeployment's
 * flinkConfiguration with the defaults of FKO 1.16's {@code config/KubernetesOperatorConfigOptions.java}.
 */
public record FkoConfig(Map<String, String> flinkConfiguration) {
    static final String PREFIX = "kubernetes.operator.";
    /**
     * Operator-wide, not per resource: {@code kubernetes.operator.reconcile.parallelism}, the reconcile threads FKO
     * gives java-operator-sdk (KubernetesOperatorConfigOptions.OPERATOR_RECONCILE_PARALLELISM, applied in
     * FlinkOperator.overrideOperatorConfigs); its default is java-operator-sdk's DEFAULT_RECONCILIATION_THREADS_NUMBER,
     * 50 in java-operator-sdk 5.x.
     */
    public static final int DEFAULT_RECONCILE_PARALLELISM = 50;

    public static FkoConfig of(FlinkDeployment deployment) {
        return new FkoConfig(deployment.getSpec().getFlinkConfiguration() == null ? Map.of()
                : deployment.getSpec().getFlinkConfiguration().asFlatMap());
    }

    /** PERIODIC_SAVEPOINT_INTERVAL: default "" (off). */
    public Optional<Duration> periodicSavepointInterval() {
        return duration("periodic.savepoint.interval").filter(interval -> !interval.isZero());
    }

    /** OPERATOR_SAVEPOINT_HISTORY_MAX_COUNT: default 10. */
    public int savepointHistoryMaxCount() {
        return Integer.parseInt(flinkConfiguration.getOrDefault(PREFIX + "savepoint.history.max.count", "10"));
    }

    /** OPERATOR_SAVEPOINT_HISTORY_MAX_AGE: default 24 h. */
    public Duration savepointHistoryMaxAge() {
        return duration("savepoint.history.max.age").orElse(Duration.ofHours(24));
    }

    /** OPERATOR_SAVEPOINT_CLEANUP_ENABLED: default true (disposal deletes the savepoint's files). */
    public boolean savepointCleanupEnabled() {
        return bool("savepoint.cleanup.enabled", true);
    }

    /** OPERATOR_JOB_UPGRADE_LAST_STATE_FALLBACK_ENABLED: default true. */
    public boolean lastStateFallback() {
        return bool("job.upgrade.last-state-fallback.enabled", true);
    }

    /** OPERATOR_JOB_RESTART_FAILED: default false. */
    public boolean restartFailedJobs() {
        return bool("job.restart.failed", false);
    }

    /** SAVEPOINT_ON_DELETION: default false. */
    public boolean savepointOnDeletion() {
        return bool("job.savepoint-on-deletion", false);
    }

    /** DRAIN_ON_SAVEPOINT_DELETION: default false. */
    public boolean drainOnSavepoint() {
        return bool("job.drain-on-savepoint-deletion", false);
    }

    /** OPERATOR_SAVEPOINT_TRIGGER_GRACE_PERIOD: default 1 min. */
    public Duration savepointTriggerGracePeriod() {
        return duration("savepoint.trigger.grace-period").orElse(Duration.ofMinutes(1));
    }

    /** JOB_UPGRADE_IGNORE_PENDING_SAVEPOINT: default false (a spec change waits for a savepoint in progress). */
    public boolean ignorePendingSavepoint() {
        return bool("job.upgrade.ignore-pending-savepoint", false);
    }

    /**
     * Flink's execution.checkpointing.timeout (default 10 min), which FKO also waits for a stop-with-savepoint
     * (AbstractFlinkService.savepointJobOrError).
     */
    public Duration checkpointTimeout() {
        String timeout = flinkConfiguration.get("execution.checkpointing.timeout");
        return timeout == null || timeout.isBlank() ? Duration.ofMinutes(10) : TimeUtils.parseDuration(timeout.trim());
    }

    /**
     * OPERATOR_SAVEPOINT_FORMAT_TYPE ({@code kubernetes.operator.savepoint.format.type}): default
     * SavepointFormatType.DEFAULT, CANONICAL. AbstractFlinkService passes it to every stop-with-savepoint
     * (savepointJobOrError) and triggered savepoint (triggerSavepoint).
     */
    public SavepointFormatType savepointFormatType() {
        String value = flinkConfiguration.get(PREFIX + "savepoint.format.type");
        return value == null || value.isBlank() ? SavepointFormatType.DEFAULT : SavepointFormatType.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
    }

    /** Whether Flink HA is configured (high-availability.type, Flink 1.20's key and its old alias). */
    public boolean highAvailability() {
        String type = flinkConfiguration.getOrDefault("high-availability.type", flinkConfiguration.get("high-availability"));
        return type != null && !type.isBlank() && !type.equalsIgnoreCase("none");
    }

    /** CheckpointingOptions.SAVEPOINT_DIRECTORY and its deprecated key, as FKO reads them through Flink 1.20. */
    public Optional<String> savepointDirectory() {
        Configuration configuration = Configuration.fromMap(flinkConfiguration);
        return Optional.ofNullable(configuration.get(org.apache.flink.configuration.CheckpointingOptions.SAVEPOINT_DIRECTORY));
    }

    private boolean bool(String key, boolean defaultValue) {
        String value = flinkConfiguration.get(PREFIX + key);
        return value == null ? defaultValue : Boolean.parseBoolean(value.trim());
    }

    private Optional<Duration> duration(String key) {
        String value = flinkConfiguration.get(PREFIX + key);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(TimeUtils.parseDuration(value.trim()));
    }
}
