package io.streampipe.operator.it;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streampipe.operator.OperatorConfig;
import io.streampipe.operator.StreampipeOperator;
import io.streampipe.operator.testing.Examples;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** The operator as main starts it, on its own client to a test API server; close() is an operator shutdown. */
final class RunningOperator implements AutoCloseable {
    /** Short, so that tests see several resyncs of an unchanged pipeline within seconds. */
    static final Duration RESYNC = Duration.ofSeconds(1);
    static final String LEASE = "streampipe-operator";
    static final String LEASE_NAMESPACE = "default";

    final Operator operator;
    final PrometheusMeterRegistry metrics;

    private RunningOperator(Operator operator, PrometheusMeterRegistry metrics) {
        this.operator = operator;
        this.metrics = metrics;
    }

    /** A single replica, without leader election. */
    static RunningOperator start(Path kubeconfig) {
        return start(kubeconfig, "operator-under-test", Optional.empty());
    }

    /**
     * One of several replicas electing a leader through a Lease, with short timings; a replica that loses the lease
     * stays alive (in production it exits).
     */
    static RunningOperator replica(Path kubeconfig, String identity) {
        return start(kubeconfig, identity, Optional.of(new LeaderElectionConfiguration(LEASE, LEASE_NAMESPACE,
                Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(500), identity, null, false)));
    }

    private static RunningOperator start(Path kubeconfig, String identity, Optional<LeaderElectionConfiguration> leaderElection) {
        OperatorConfig config = new OperatorConfig(Set.of(), Examples.DEFAULTS, leaderElection.isPresent(), LEASE, LEASE_NAMESPACE, 0,
                RESYNC, identity);
        var client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig.toFile())).build();
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        return new RunningOperator(StreampipeOperator.start(config, client, metrics, leaderElection), metrics);
    }

    /** Reconciles started so far, from java-operator-sdk's Micrometer metrics. */
    double reconciliationsStarted() {
        return metrics.find("operator.sdk.reconciliations.started").counters().stream().mapToDouble(Counter::count).sum();
    }

    @Override
    public void close() {
        operator.stop();
    }
}
