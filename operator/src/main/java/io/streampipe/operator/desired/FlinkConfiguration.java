package io.streampipe.operator.desired;

import io.streampipe.api.Durations;
import io.streampipe.api.v1alpha1.CheckpointingSpec;
import io.streampipe.api.v1alpha1.SavepointsSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.UpgradeSpec;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The FlinkDeployment's flinkConfiguration: checkpointing, state backend, storage directories, HA (last-state only),
 * pinned max parallelism, savepoint schedule and history, restart strategy and the Prometheus reporter. The spec's
 * own flinkConfiguration goes in first; streampipe's keys win. Sorted, so equal inputs give equal output.
 *
 * <p>Storage directories use the keys every Flink Kubernetes Operator from 1.10 to 1.16 reads (state.checkpoints.dir,
 * state.savepoints.dir); Flink 1.20 still accepts them as deprecated aliases.
 */
public final class FlinkConfiguration {
    public static final String PROMETHEUS_PORT = "9249";

    private FlinkConfiguration() {
    }

    public static Map<String, String> of(StreamingPipelineSpec spec, DeploymentInputs inputs, CheckpointStorage storage) {
        Map<String, String> conf = new TreeMap<>();
        if (spec.flinkConfiguration != null) {
            conf.putAll(spec.flinkConfiguration);
        }
        conf.put("taskmanager.numberOfTaskSlots", Integer.toString(spec.resources.taskManager.slots));
        conf.put("pipeline.max-parallelism", Integer.toString(inputs.maxParallelism()));
        checkpointing(conf, spec.checkpointing);
        conf.putAll(storage.flinkConfiguration());
        conf.put("state.checkpoints.dir", storage.checkpointsDir());
        conf.put("state.savepoints.dir", storage.savepointsDir());
        upgrades(conf, spec.upgrade, storage);
        savepoints(conf, spec.savepoints);
        restartStrategy(conf);
        conf.put("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.put("metrics.reporter.prom.port", PROMETHEUS_PORT);
        return conf;
    }

    /** Whether the pipeline runs with Kubernetes HA: only last-state upgrades need it. */
    public static boolean highAvailability(StreamingPipelineSpec spec) {
        return spec.upgrade.mode == UpgradeSpec.Mode.LAST_STATE;
    }

    private static void checkpointing(Map<String, String> conf, CheckpointingSpec checkpointing) {
        Duration interval = Durations.parse("spec.checkpointing.interval", checkpointing.interval);
        Duration minPause = checkpointing.minPause == null
                ? interval.dividedBy(2)
                : Durations.parse("spec.checkpointing.minPause", checkpointing.minPause);
        conf.put("execution.checkpointing.interval", flinkDuration(interval));
        conf.put("execution.checkpointing.mode",
                checkpointing.mode == CheckpointingSpec.Mode.AT_LEAST_ONCE ? "AT_LEAST_ONCE" : "EXACTLY_ONCE");
        conf.put("execution.checkpointing.timeout", flinkDuration(Durations.parse("spec.checkpointing.timeout", checkpointing.timeout)));
        conf.put("execution.checkpointing.min-pause", flinkDuration(minPause));
        conf.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        conf.put("state.backend.type", "rocksdb");
        conf.put("state.backend.incremental", "true");
    }

    private static void upgrades(Map<String, String> conf, UpgradeSpec upgrade, CheckpointStorage storage) {
        boolean ha = upgrade.mode == UpgradeSpec.Mode.LAST_STATE;
        if (ha) {
            conf.put("high-availability.type", "kubernetes");
            conf.put("high-availability.storageDir", storage.haDir());
        }
        // The Flink operator refuses rollbacks without HA.
        conf.put("kubernetes.operator.deployment.rollback.enabled", Boolean.toString(ha && upgrade.rollbackOnFailure));
        conf.put("kubernetes.operator.deployment.readiness.timeout",
                flinkDuration(Durations.parse("spec.upgrade.timeout", upgrade.timeout)));
    }

    private static void savepoints(Map<String, String> conf, SavepointsSpec savepoints) {
        // Savepoint results go to the FlinkDeployment's status (savepointInfo), which the pipeline's status mirrors.
        conf.put("kubernetes.operator.snapshot.resource.enabled", "false");
        if (savepoints.periodic != null) {
            conf.put("kubernetes.operator.periodic.savepoint.interval",
                    flinkDuration(Durations.parse("spec.savepoints.periodic", savepoints.periodic)));
        }
        conf.put("kubernetes.operator.savepoint.history.max.count", Integer.toString(savepoints.retain.count));
        // Always set: left out, the Flink operator disposes of savepoints after its own default of 24h.
        conf.put("kubernetes.operator.savepoint.history.max.age",
                flinkDuration(Durations.parse("spec.savepoints.retain.age", savepoints.retain.age != null ? savepoints.retain.age : "168h")));
    }

    private static void restartStrategy(Map<String, String> conf) {
        conf.put("restart-strategy.type", "exponential-delay");
        conf.put("restart-strategy.exponential-delay.initial-backoff", "1s");
        conf.put("restart-strategy.exponential-delay.max-backoff", "1min");
        conf.put("restart-strategy.exponential-delay.backoff-multiplier", "2.0");
        conf.put("restart-strategy.exponential-delay.reset-backoff-threshold", "10min");
        conf.put("restart-strategy.exponential-delay.jitter-factor", "0.1");
    }

    /** A duration in Flink's syntax, in the largest unit that keeps it whole: 1h30m becomes 90min. */
    static String flinkDuration(Duration duration) {
        long millis = duration.toMillis();
        if (millis != 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        } else if (millis != 0 && millis % 60_000 == 0) {
            return millis / 60_000 + "min";
        } else if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }
}
