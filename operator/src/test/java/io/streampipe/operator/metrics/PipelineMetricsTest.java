package io.streampipe.operator.metrics;

import io.fabric8.kubernetes.api.model.Condition;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.operator.status.Conditions;
import io.streampipe.operator.status.Reasons;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-pipeline series as Prometheus scrapes them from the operator's registry. */
class PipelineMetricsTest {
    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PipelineMetrics metrics = new PipelineMetrics(registry, Clock.fixed(NOW, ZoneOffset.UTC));

    private static StreamingPipelineStatus status(String phase, boolean progressing, Instant progressingSince, String degradedReason) {
        StreamingPipelineStatus status = new StreamingPipelineStatus();
        status.phase = phase;
        List<Condition> none = List.of();
        status.conditions = new ArrayList<>(List.of(
                Conditions.of(Conditions.READY, "Running".equals(phase), phase, "m", 1L, none, NOW),
                Conditions.of(Conditions.PROGRESSING, progressing, progressing ? Reasons.UPGRADING : Reasons.STABLE, "m", 1L, none, progressingSince),
                Conditions.of(Conditions.DEGRADED, !Reasons.HEALTHY.equals(degradedReason), degradedReason, "m", 1L, none, NOW)));
        return status;
    }

    private static StreamingPipelineStatus running() {
        return status("Running", false, NOW, Reasons.HEALTHY);
    }

    private static StreamingPipelineStatus upgrading(Instant since) {
        StreamingPipelineStatus status = status("Upgrading", true, since, Reasons.HEALTHY);
        status.upgrade = new StreamingPipelineStatus.Upgrade();
        status.upgrade.from = "a";
        status.upgrade.to = "b";
        return status;
    }

    /** Every sample of the scrape: series (name and labels, as Prometheus writes them) to value. */
    private Map<String, Double> scrape() {
        Map<String, Double> samples = new TreeMap<>();
        for (String line : registry.scrape().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }

    private double sample(String name, String labels) {
        Double value = scrape().get(name + "{" + labels + "}");
        assertThat(value).as("%s{%s} in%n%s", name, labels, registry.scrape()).isNotNull();
        return value;
    }

    @Test
    void thePhaseIsOneForTheCurrentPhaseAndZeroForTheOthers() {
        metrics.observe("shop", "orders", null, status("Deploying", true, NOW, Reasons.HEALTHY));
        metrics.observe("shop", "orders", status("Deploying", true, NOW, Reasons.HEALTHY), running());

        for (String phase : PipelineMetrics.PHASES) {
            assertThat(sample("streampipe_pipeline_phase", "name=\"orders\",namespace=\"shop\",phase=\"" + phase + "\""))
                    .as(phase).isEqualTo(phase.equals("Running") ? 1 : 0);
        }
        assertThat(sample("streampipe_pipeline_condition", "condition=\"Ready\",name=\"orders\",namespace=\"shop\"")).isEqualTo(1);
        assertThat(sample("streampipe_pipeline_condition", "condition=\"Progressing\",name=\"orders\",namespace=\"shop\"")).isEqualTo(0);
        assertThat(sample("streampipe_pipeline_condition", "condition=\"Degraded\",name=\"orders\",namespace=\"shop\"")).isEqualTo(0);
    }

    @Test
    void savepointAndCheckpointAgesAreCountedFromTheStatusTimesAndNaNWithoutOne() {
        StreamingPipelineStatus status = running();
        status.lastSavepoint = new StreamingPipelineStatus.Savepoint();
        status.lastSavepoint.time = NOW.minusSeconds(90).toString();
        metrics.observe("shop", "orders", null, status);

        assertThat(sample("streampipe_pipeline_last_savepoint_age_seconds", "name=\"orders\",namespace=\"shop\"")).isEqualTo(90);
        assertThat(sample("streampipe_pipeline_last_checkpoint_age_seconds", "name=\"orders\",namespace=\"shop\"")).isNaN();

        status.lastCheckpoint = new StreamingPipelineStatus.Checkpoint();
        status.lastCheckpoint.time = NOW.minusMillis(2_500).toString();
        metrics.observe("shop", "orders", status, status);
        assertThat(sample("streampipe_pipeline_last_checkpoint_age_seconds", "name=\"orders\",namespace=\"shop\"")).isEqualTo(2.5);
    }

    @Test
    void anUpgradeIsCountedAndTimedWhenFlinkHasAppliedIt() {
        Instant started = NOW.minusSeconds(42);
        metrics.observe("shop", "orders", running(), upgrading(started));
        metrics.observe("shop", "orders", upgrading(started), upgrading(started));
        assertThat(sample("streampipe_pipeline_upgrades_total", "name=\"orders\",namespace=\"shop\"")).isZero();

        metrics.observe("shop", "orders", upgrading(started), running());

        assertThat(sample("streampipe_pipeline_upgrades_total", "name=\"orders\",namespace=\"shop\"")).isEqualTo(1);
        assertThat(sample("streampipe_pipeline_upgrade_duration_seconds_count", "name=\"orders\",namespace=\"shop\"")).isEqualTo(1);
        assertThat(sample("streampipe_pipeline_upgrade_duration_seconds_sum", "name=\"orders\",namespace=\"shop\"")).isEqualTo(42);
        assertThat(sample("streampipe_pipeline_upgrade_duration_seconds_max", "name=\"orders\",namespace=\"shop\"")).isEqualTo(42);
    }

    @Test
    void aRollbackIsCountedOnceWhenDegradedTurnsRolledBack() {
        StreamingPipelineStatus rolledBack = status("Running", false, NOW, Reasons.ROLLED_BACK);
        metrics.observe("shop", "orders", running(), rolledBack);
        metrics.observe("shop", "orders", rolledBack, rolledBack);
        assertThat(sample("streampipe_pipeline_rollbacks_total", "name=\"orders\",namespace=\"shop\"")).isEqualTo(1);
        assertThat(sample("streampipe_pipeline_condition", "condition=\"Degraded\",name=\"orders\",namespace=\"shop\"")).isEqualTo(1);
    }

    @Test
    void reconcileErrorsAreCountedByReason() {
        metrics.reconcileFailed("shop", "orders", Reasons.RECONCILE_FAILED);
        metrics.reconcileFailed("shop", "orders", Reasons.RECONCILE_FAILED);
        metrics.reconcileFailed("shop", "orders", Reasons.APPLY_FAILED);
        assertThat(sample("streampipe_pipeline_reconcile_errors_total", "name=\"orders\",namespace=\"shop\",reason=\"ReconcileFailed\"")).isEqualTo(2);
        assertThat(sample("streampipe_pipeline_reconcile_errors_total", "name=\"orders\",namespace=\"shop\",reason=\"ApplyFailed\"")).isEqualTo(1);
    }

    /** A thousand pipelines created, failed once, upgraded and deleted leave no series and no meter behind. */
    @Test
    void deletedPipelinesLeaveNoSeriesBehind() {
        int before = registry.getMeters().size();
        for (int i = 0; i < 1_000; i++) {
            metrics.observe("team-" + i % 10, "p-" + i, null, upgrading(NOW));
            metrics.observe("team-" + i % 10, "p-" + i, upgrading(NOW), running());
            metrics.reconcileFailed("team-" + i % 10, "p-" + i, Reasons.APPLY_FAILED);
        }
        long series = scrape().keySet().stream().filter(s -> s.startsWith("streampipe_pipeline_")).count();
        // 8 phases, 3 conditions, 2 ages, upgrades, 3 of the upgrade timer, rollbacks, reconcile errors.
        assertThat(series).isEqualTo(1_000L * 19);

        for (int i = 0; i < 1_000; i++) {
            metrics.remove("team-" + i % 10, "p-" + i);
        }
        assertThat(metrics.pipelineCount()).isZero();
        assertThat(registry.getMeters()).hasSize(before);
        assertThat(registry.scrape()).doesNotContain("streampipe_pipeline_");
    }
}
