package io.streampipe.standin;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.streampipe.testkit.kube.KubeApiServer;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stand-in's {@code --no-clusters} mode, which {@code e2e/bin/bench operator} drives with 1,000 FlinkDeployments,
 * reconciles a round's resources on many threads: every one of many FlinkDeployments created at once, and then
 * changed at once, ends where FKO's sequence ends (STABLE, READY, RUNNING, its generation observed), each with its own
 * job: the job's name is the FlinkDeployment's (pipeline.name), so a status written for the wrong resource shows.
 */
class NoClustersIT {
    private static final String NAMESPACE = "many";
    /** Enough to keep many of a round's threads busy at once; 60 took 116 s of CI at load 12–15, 24 take 49 s. */
    private static final int DEPLOYMENTS = 24;
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    @RegisterExtension
    static final KubeApiServer API_SERVER = new KubeApiServer();

    @TempDir
    static Path work;

    @Test
    void manyFlinkDeploymentsCreatedAndChangedAtOnceEachEndRunningWithTheirOwnJob() throws Exception {
        KubernetesClient client = API_SERVER.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
        List<String> names = IntStream.range(0, DEPLOYMENTS).mapToObj(i -> "fd-" + i).toList();
        try (FlinkOperatorStandIn standIn = FlinkOperatorStandIn.start(API_SERVER.kubeconfig(), work.resolve("standin"), null,
                java.util.Optional.empty(), Duration.ofMillis(500), true)) {
            Instant start = Instant.now();
            names.forEach(name -> client.resource(flinkDeployment(name, 1)).create());
            Map<String, FlinkDeploymentStatus> running = awaitAll(client, names, 1L);
            System.out.printf("%d FlinkDeployments created at once: all RUNNING and stable after %d ms%n", DEPLOYMENTS,
                    Duration.between(start, Instant.now()).toMillis());
            assertOwnJobs(running, 1);

            start = Instant.now();
            names.forEach(name -> client.resources(FlinkDeployment.class).inNamespace(NAMESPACE).withName(name).edit(fd -> {
                fd.getSpec().getJob().setParallelism(2);
                return fd;
            }));
            Map<String, FlinkDeploymentStatus> upgraded = awaitAll(client, names, 2L);
            System.out.printf("%d FlinkDeployments changed at once (a savepoint upgrade each): all RUNNING and stable after %d ms%n",
                    DEPLOYMENTS, Duration.between(start, Instant.now()).toMillis());
            assertOwnJobs(upgraded, 2);
            names.forEach(name -> assertThat(upgraded.get(name).getJobStatus().getJobId()).as("%s runs a new job", name)
                    .isNotEqualTo(running.get(name).getJobStatus().getJobId()));
            names.forEach(name -> assertThat(upgraded.get(name).getJobStatus().getUpgradeSavepointPath())
                    .as("%s was upgraded from a savepoint of its own", name).startsWith("s3://many-state/savepoints/" + name + "/"));
        }
    }

    private static void assertOwnJobs(Map<String, FlinkDeploymentStatus> statuses, int parallelism) {
        statuses.forEach((name, status) -> {
            assertThat(status.getJobStatus().getJobName()).as("the job of %s", name).isEqualTo(name);
            assertThat(status.getReconciliationStatus().deserializeLastReconciledSpec().getJob().getParallelism())
                    .as("the spec %s last reconciled", name).isEqualTo(parallelism);
        });
        assertThat(statuses.values().stream().map(status -> status.getJobStatus().getJobId()).collect(Collectors.toSet()))
                .as("one job per FlinkDeployment").hasSize(statuses.size());
    }

    /** Every named FlinkDeployment STABLE, READY and RUNNING with this generation observed; its status then. */
    private static Map<String, FlinkDeploymentStatus> awaitAll(KubernetesClient client, List<String> names, long generation)
            throws InterruptedException {
        Predicate<FlinkDeployment> done = fd -> fd.getStatus() != null
                && Long.valueOf(generation).equals(fd.getStatus().getObservedGeneration())
                && "STABLE".equals(String.valueOf(fd.getStatus().getLifecycleState()))
                && "READY".equals(String.valueOf(fd.getStatus().getJobManagerDeploymentStatus()))
                && fd.getStatus().getJobStatus() != null && "RUNNING".equals(String.valueOf(fd.getStatus().getJobStatus().getState()));
        Instant deadline = Instant.now().plus(PATIENCE);
        while (true) {
            Map<String, FlinkDeployment> all = client.resources(FlinkDeployment.class).inNamespace(NAMESPACE).list().getItems().stream()
                    .collect(Collectors.toMap(fd -> fd.getMetadata().getName(), fd -> fd));
            List<String> waiting = names.stream().filter(name -> !all.containsKey(name) || !done.test(all.get(name))).toList();
            if (waiting.isEmpty()) {
                return names.stream().collect(Collectors.toMap(name -> name, name -> all.get(name).getStatus()));
            }
            assertThat(Instant.now()).as("%d of %d not RUNNING and stable at generation %d, e.g. %s", waiting.size(), names.size(),
                    generation, waiting.get(0)).isBefore(deadline);
            Thread.sleep(250);
        }
    }

    private static FlinkDeployment flinkDeployment(String name, int parallelism) {
        return PipelineFlinkDeployments.of(NAMESPACE, name, parallelism, Map.of(
                "state.checkpoints.dir", "s3://many-state/checkpoints/" + name,
                "state.savepoints.dir", "s3://many-state/savepoints/" + name,
                "kubernetes.operator.snapshot.resource.enabled", "false"));
    }
}
