package io.streampipe.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streampipe.operator.flink.HttpJobManagerClient;
import io.streampipe.operator.metrics.PipelineMetrics;
import io.streampipe.operator.metrics.RemoveOnDeletion;
import io.streampipe.operator.reconciler.KubernetesEventRecorder;
import io.streampipe.operator.reconciler.StreamingPipelineReconciler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** The operator process: configuration from the environment, the reconciler, leader election, probes and metrics. */
public final class StreampipeOperator {
    private static final Logger LOG = LoggerFactory.getLogger(StreampipeOperator.class);

    private StreampipeOperator() {
    }

    public static void main(String[] args) throws IOException {
        OperatorConfig config = OperatorConfig.fromEnvironment(System.getenv());
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmGcMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);
        new UptimeMetrics().bindTo(metrics);
        Operator operator = start(config, new KubernetesClientBuilder().build(), metrics);
        HealthServer health = new HealthServer(config.httpPort(), operator, metrics).start();
        LOG.info("Serving /healthz, /readyz and /metrics on port {}", health.port());
        operator.installShutdownHook(Duration.ofSeconds(30));
    }

    /** Builds, registers and starts the operator on the given client; returns at once (the operator runs on its threads). */
    public static Operator start(OperatorConfig config, KubernetesClient client, MeterRegistry metrics) {
        // A replica that loses its lease exits, so that two replicas never reconcile at the same time.
        return start(config, client, metrics, config.leaderElection()
                ? Optional.of(new LeaderElectionConfiguration(config.leaseName(), config.leaseNamespace(), config.instance()))
                : Optional.empty());
    }

    /** As {@link #start(OperatorConfig, KubernetesClient, MeterRegistry)}, with the given leader election (tests use short leases). */
    public static Operator start(OperatorConfig config, KubernetesClient client, MeterRegistry metrics,
                                 Optional<LeaderElectionConfiguration> leaderElection) {
        Clock clock = Clock.systemUTC();
        PipelineMetrics pipelineMetrics = new PipelineMetrics(metrics, clock);
        Operator operator = new Operator(overrider -> {
            overrider.withKubernetesClient(client)
                    .withMetrics(new RemoveOnDeletion(MicrometerMetrics.withoutPerResourceMetrics(metrics), pipelineMetrics))
                    .withConcurrentReconciliationThreads(config.reconcileThreads())
                    .withConcurrentWorkflowExecutorThreads(config.reconcileThreads());
            leaderElection.ifPresent(overrider::withLeaderElectionConfiguration);
        });
        var reconciler = new StreamingPipelineReconciler(config.defaults(),
                new KubernetesEventRecorder(client, config.instance(), clock), pipelineMetrics, clock,
                new HttpJobManagerClient(config.flinkRestUrl(), Duration.ofSeconds(3)), config.jobPollInterval());
        operator.register(reconciler, overrider -> {
            if (config.watchAllNamespaces()) {
                overrider.watchingAllNamespaces();
            } else {
                overrider.settingNamespaces(config.watchNamespaces());
            }
            overrider.withReconciliationMaxInterval(config.resyncInterval());
        });
        operator.start();
        LOG.info("Started streampipe operator {} watching {} (leader election {}, default image {})", config.instance(),
                config.watchAllNamespaces() ? "all namespaces" : "namespaces " + config.watchNamespaces(),
                leaderElection.isPresent() ? "on" : "off", config.defaults().image());
        return operator;
    }
}
