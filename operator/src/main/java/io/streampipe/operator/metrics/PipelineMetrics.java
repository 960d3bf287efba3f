package io.streampipe.operator.metrics;

import io.fabric8.kubernetes.api.model.Condition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.operator.status.Conditions;
import io.streampipe.operator.status.Reasons;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Per-pipeline metrics, tagged {@code namespace} and {@code name}, derived from the statuses the operator writes (so an
 * operator that restarts reports the same values from the first reconcile on). docs/metrics.md lists them as
 * Prometheus renders them:
 * <ul>
 *   <li>{@code streampipe_pipeline_phase{phase}}: 1 for the current phase, 0 for the others</li>
 *   <li>{@code streampipe_pipeline_condition{condition}}: 1 when Ready, Progressing or Degraded is True, else 0</li>
 *   <li>{@code streampipe_pipeline_last_savepoint_age_seconds}, {@code streampipe_pipeline_last_checkpoint_age_seconds}:
 *       time since {@code status.lastSavepoint.time} and {@code status.lastCheckpoint.time}, NaN while there is none</li>
 *   <li>{@code streampipe_pipeline_upgrades_total} and {@code streampipe_pipeline_upgrade_duration_seconds}: spec changes
 *       Flink finished applying, timed from Progressing=True to Progressing=False</li>
 *   <li>{@code streampipe_pipeline_rollbacks_total}: times Degraded turned to RolledBack</li>
 *   <li>{@code streampipe_pipeline_reconcile_errors_total{reason}}: reconciles that failed (ReconcileFailed) or could not
 *       apply a child (ApplyFailed)</li>
 * </ul>
 * A deleted pipeline's series are removed ({@link #remove}), so a thousand pipelines come and gone leave none behind.
 */
public final class PipelineMetrics {
    public static final List<String> PHASES = List.of("Pending", "Deploying", "Running", "Upgrading", "RolledBack", "Suspended", "Failed", "Deleting");
    static final List<String> CONDITIONS = List.of(Conditions.READY, Conditions.PROGRESSING, Conditions.DEGRADED);

    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, Series> pipelines = new ConcurrentHashMap<>();

    public PipelineMetrics(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    /** The status the operator computed for a pipeline (written or unchanged), and the one it had before. */
    public void observe(String namespace, String name, StreamingPipelineStatus before, StreamingPipelineStatus after) {
        Series series = series(namespace, name);
        series.status = after;
        if (before == null) {
            return;
        }
        if (before.upgrade != null && after.upgrade == null) {
            series.upgrades.increment();
            upgradeDuration(before, after).ifPresent(series.upgradeDuration::record);
        }
        if (!Reasons.ROLLED_BACK.equals(degradedReason(before)) && Reasons.ROLLED_BACK.equals(degradedReason(after))) {
            series.rollbacks.increment();
        }
    }

    /** A reconcile that failed, with the reason it was reported under. */
    public void reconcileFailed(String namespace, String name, String reason) {
        Series series = series(namespace, name);
        Counter errors = Counter.builder("streampipe.pipeline.reconcile.errors")
                .description("Reconciles of the pipeline that failed (ReconcileFailed) or could not apply a child resource (ApplyFailed)")
                .tags(series.tags.and("reason", reason)).register(registry);
        if (!series.meters.contains(errors)) {
            series.meters.add(errors);
        }
        errors.increment();
    }

    /** The pipeline is gone: its series go too. */
    public void remove(String namespace, String name) {
        Series series = pipelines.remove(key(namespace, name));
        if (series != null) {
            series.meters.forEach(registry::remove);
        }
    }

    /** Pipelines with series, for tests of the cleanup. */
    int pipelineCount() {
        return pipelines.size();
    }

    private Series series(String namespace, String name) {
        return pipelines.computeIfAbsent(key(namespace, name), key -> new Series(namespace, name));
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    /** From the transition of Progressing to True (before) to its transition back to False (after). */
    private static Optional<Duration> upgradeDuration(StreamingPipelineStatus before, StreamingPipelineStatus after) {
        Optional<Instant> started = Conditions.find(before.conditions, Conditions.PROGRESSING).filter(c -> "True".equals(c.getStatus()))
                .map(Condition::getLastTransitionTime).flatMap(PipelineMetrics::instant);
        Optional<Instant> ended = Conditions.find(after.conditions, Conditions.PROGRESSING).filter(c -> "False".equals(c.getStatus()))
                .map(Condition::getLastTransitionTime).flatMap(PipelineMetrics::instant);
        return started.flatMap(start -> ended.filter(end -> !end.isBefore(start)).map(end -> Duration.between(start, end)));
    }

    private static String degradedReason(StreamingPipelineStatus status) {
        return Conditions.find(status.conditions, Conditions.DEGRADED).filter(c -> "True".equals(c.getStatus()))
                .map(Condition::getReason).orElse(null);
    }

    private static Optional<Instant> instant(String time) {
        try {
            return Optional.ofNullable(time).map(Instant::parse);
        } catch (DateTimeParseException notATime) {
            return Optional.empty();
        }
    }

    /** The meters of one pipeline; gauges read the last status observed. */
    private final class Series {
        final Tags tags;
        final List<Meter> meters = new CopyOnWriteArrayList<>();
        final Counter upgrades;
        final Timer upgradeDuration;
        final Counter rollbacks;
        volatile StreamingPipelineStatus status = new StreamingPipelineStatus();

        Series(String namespace, String name) {
            tags = Tags.of("namespace", namespace, "name", name);
            for (String phase : PHASES) {
                meters.add(Gauge.builder("streampipe.pipeline.phase", this, s -> phase.equals(s.status.phase) ? 1 : 0)
                        .description("1 for the pipeline's current phase (status.phase), 0 for the others")
                        .tags(tags.and("phase", phase)).register(registry));
            }
            for (String condition : CONDITIONS) {
                meters.add(Gauge.builder("streampipe.pipeline.condition", this, s -> Conditions.isTrue(s.status.conditions, condition) ? 1 : 0)
                        .description("1 while the condition is True, else 0")
                        .tags(tags.and("condition", condition)).register(registry));
            }
            meters.add(Gauge.builder("streampipe.pipeline.last.savepoint.age", this,
                            s -> age(s.status.lastSavepoint == null ? null : s.status.lastSavepoint.time))
                    .description("Time since status.lastSavepoint completed; NaN while there is none")
                    .baseUnit("seconds").tags(tags).register(registry));
            meters.add(Gauge.builder("streampipe.pipeline.last.checkpoint.age", this,
                            s -> age(s.status.lastCheckpoint == null ? null : s.status.lastCheckpoint.time))
                    .description("Time since status.lastCheckpoint completed; NaN while there is none")
                    .baseUnit("seconds").tags(tags).register(registry));
            upgrades = Counter.builder("streampipe.pipeline.upgrades")
                    .description("Spec changes the Flink Kubernetes Operator finished applying (status.upgrade cleared)")
                    .tags(tags).register(registry);
            upgradeDuration = Timer.builder("streampipe.pipeline.upgrade.duration")
                    .description("From Progressing=True to Progressing=False of each finished upgrade")
                    .tags(tags).register(registry);
            rollbacks = Counter.builder("streampipe.pipeline.rollbacks")
                    .description("Times the Flink Kubernetes Operator rolled the job back (Degraded turned RolledBack)")
                    .tags(tags).register(registry);
            meters.addAll(List.of(upgrades, upgradeDuration, rollbacks));
        }

        private double age(String time) {
            return instant(time).map(at -> Duration.between(at, clock.instant()).toMillis() / 1000.0).orElse(Double.NaN);
        }
    }
}
