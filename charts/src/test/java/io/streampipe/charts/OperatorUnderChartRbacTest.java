package io.streampipe.charts;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.OperatorConfig;
import io.streampipe.operator.StreampipeOperator;
import io.streampipe.testkit.kube.KubeApiServer;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Installs what the chart renders (for real, not a dry run), then runs the real operator with the configuration the
 * chart's Deployment gives it and with exactly the chart's RBAC: its client impersonates the chart's ServiceAccount.
 * A missing permission shows up as a pipeline that is never reconciled.
 */
class OperatorUnderChartRbacTest {
    static final String RELEASE_NAMESPACE = "streampipe-system";
    static final String PIPELINES = "analytics";
    /** Short, so that the standby's takeover comes within the test's patience. */
    static final Duration LEASE_DURATION = Duration.ofSeconds(10);

    @RegisterExtension
    static final KubeApiServer apiServer = new KubeApiServer()
            .withCrds(HelmChartTest.CHART.resolve("crds/streamingpipelines.streampipe.io-v1.yml"));

    @Test
    void theOperatorReconcilesWithNothingButTheChartsPermissions() throws Exception {
        KubernetesClient admin = apiServer.client();
        for (String namespace : List.of(RELEASE_NAMESPACE, PIPELINES)) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
        }
        List<HasMetadata> chart = admin.load(new ByteArrayInputStream(HelmChartTest.render(admin).getBytes(StandardCharsets.UTF_8))).items();
        chart.forEach(object -> admin.resource(object).create());

        Deployment deployment = only(chart, Deployment.class);
        OperatorConfig config = OperatorConfig.fromEnvironment(environment(deployment, "sp-operator-7d9f-abcde"));
        assertThat(config.leaderElection()).isTrue();
        assertThat(config.leaseNamespace()).isEqualTo(RELEASE_NAMESPACE);
        assertThat(config.watchAllNamespaces()).isTrue();
        assertThat(config.httpPort()).isEqualTo(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
                .filter(p -> "http".equals(p.getName())).findFirst().orElseThrow().getContainerPort());

        String serviceAccount = only(chart, ServiceAccount.class).getMetadata().getName();
        try (KubernetesClient asOperator = impersonating(serviceAccount)) {
            assertThatThrownBy(() -> asOperator.secrets().inNamespace(PIPELINES).resource(secret("probe", Map.of())).create())
                    .as("impersonation is in effect: the chart grants no write on Secrets")
                    .isInstanceOf(KubernetesClientException.class)
                    .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));

            admin.secrets().inNamespace(PIPELINES).resource(secret("shop-db", Map.of("username", "shop", "password", "s3cret"))).create();
            admin.secrets().inNamespace(PIPELINES).resource(secret("kafka-orders-reader", Map.of("username", "reader", "password", "s3cret"))).create();

            Operator operator = startReplica(config, serviceAccount);
            try {
                StreamingPipeline pipeline = Serialization.unmarshal(Files.readString(Path.of("../examples/orders-upsert.yaml")), StreamingPipeline.class);
                pipeline.getMetadata().setNamespace(PIPELINES);
                admin.resource(pipeline).create();

                var pipelines = admin.resources(StreamingPipeline.class).inNamespace(PIPELINES).withName("orders-upsert");
                awaitTrue("the FlinkDeployment is created",
                        () -> admin.resources(FlinkDeployment.class).inNamespace(PIPELINES).withName("orders-upsert").get() != null);
                awaitTrue("the pipeline's status is written",
                        () -> pipelines.get().getStatus() != null && Long.valueOf(1).equals(pipelines.get().getStatus().observedGeneration));
                assertThat(pipelines.get().getMetadata().getFinalizers()).isNotEmpty();
                awaitTrue("an Event is recorded", () -> !admin.v1().events().inNamespace(PIPELINES).list().getItems().isEmpty());
                Lease lease = admin.resources(Lease.class).inNamespace(RELEASE_NAMESPACE).withName(config.leaseName()).get();
                assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("sp-operator-7d9f-abcde");
            } finally {
                operator.stop();
            }
            // A standby replica takes the lease over. fabric8's lease lock writes with PATCH, for renewals and for
            // taking over an existing lease alike: without patch on leases a standby never takes over and a leader
            // loses its lease at the first renewal. (The takeover comes when the stopped leader's lease expires.)
            OperatorConfig standbyConfig = OperatorConfig.fromEnvironment(environment(deployment, "sp-operator-7d9f-fghij"));
            Operator standby = startReplica(standbyConfig, serviceAccount);
            try {
                awaitTrue("the standby holds the lease", () -> "sp-operator-7d9f-fghij".equals(admin.resources(Lease.class)
                        .inNamespace(RELEASE_NAMESPACE).withName(config.leaseName()).get().getSpec().getHolderIdentity()));
            } finally {
                standby.stop();
            }
        }
    }

    /**
     * A replica, on its own client as the chart's ServiceAccount, with the chart's leader election; only losing the
     * lease at the end must not exit the test JVM (in production it does).
     */
    private static Operator startReplica(OperatorConfig config, String serviceAccount) throws Exception {
        KubernetesClient client = impersonating(serviceAccount); // closed by the operator when it stops
        var leaderElection = new LeaderElectionConfiguration(config.leaseName(), config.leaseNamespace(),
                LEASE_DURATION, Duration.ofSeconds(8), Duration.ofSeconds(1), config.instance(), null, false);
        return StreampipeOperator.start(config, client, new SimpleMeterRegistry(), Optional.of(leaderElection));
    }

    /** The container's env as the kubelet would resolve it for a pod of the chart's Deployment. */
    private static Map<String, String> environment(Deployment deployment, String podName) {
        Map<String, String> env = new HashMap<>();
        for (EnvVar variable : deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
            if (variable.getValueFrom() == null) {
                env.put(variable.getName(), variable.getValue());
            } else {
                String field = variable.getValueFrom().getFieldRef().getFieldPath();
                env.put(variable.getName(), switch (field) {
                    case "metadata.namespace" -> RELEASE_NAMESPACE;
                    case "metadata.name" -> podName;
                    default -> throw new IllegalStateException("unexpected fieldRef " + field);
                });
            }
        }
        return env;
    }

    private static KubernetesClient impersonating(String serviceAccount) throws Exception {
        Config config = Config.fromKubeconfig(Files.readString(apiServer.kubeconfig()));
        config.setImpersonateUsername("system:serviceaccount:" + RELEASE_NAMESPACE + ":" + serviceAccount);
        config.setImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + RELEASE_NAMESPACE, "system:authenticated");
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static io.fabric8.kubernetes.api.model.Secret secret(String name, Map<String, String> data) {
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(PIPELINES).endMetadata().withStringData(data).build();
    }

    private static <T> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> matching = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(matching).hasSize(1);
        return matching.get(0);
    }

    private static void awaitTrue(String what, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Boolean.TRUE.equals(condition.get())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Not within 60 s: " + what + " (a permission missing from the chart's RBAC?)");
            }
            Thread.sleep(200);
        }
    }
}
