package io.streampipe.charts;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.streampipe.testkit.kube.KubeApiServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The Helm chart lints, and everything it renders is accepted by a real kube-apiserver (server-side dry run). */
class HelmChartTest {
    static final Path CHART = Path.of("streampipe");

    @RegisterExtension
    static final KubeApiServer apiServer = new KubeApiServer().withCrds(CHART.resolve("crds/streamingpipelines.streampipe.io-v1.yml"));

    @BeforeAll
    static void namespaces() {
        for (String name : List.of("streampipe-system", "team-a", "team-b")) {
            apiServer.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        }
    }

    @Test
    void lints() throws Exception {
        assertThat(helm("lint", CHART.toString(), "--strict")).contains("0 chart(s) failed");
    }

    @Test
    void defaultInstallWatchesAllNamespacesWithAClusterRole() throws Exception {
        List<HasMetadata> objects = renderAndDryRunApply();
        assertThat(objects).extracting(HasMetadata::getKind)
                .contains("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment", "Service");
        ClusterRole role = (ClusterRole) objects.stream().filter(o -> o instanceof ClusterRole).findFirst().orElseThrow();
        assertThat(grants(role.getRules(), "flink.apache.org", "flinkdeployments", "create")).isTrue();
        assertThat(grants(role.getRules(), "streampipe.io", "streamingpipelines/status", "patch")).isTrue();
        assertThat(grants(role.getRules(), "", "secrets", "create")).as("the operator never writes Secrets").isFalse();

        Deployment deployment = (Deployment) objects.stream().filter(o -> o instanceof Deployment).findFirst().orElseThrow();
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        var env = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        assertThat(env).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("STREAMPIPE_LEADER_ELECTION");
            assertThat(e.getValue()).isEqualTo("true");
        });
    }

    @Test
    void namespacedInstallGetsRolesOnlyInTheWatchedNamespaces() throws Exception {
        List<HasMetadata> objects = renderAndDryRunApply("--set", "watchNamespaces={team-a,team-b}");
        assertThat(objects).noneMatch(o -> o instanceof ClusterRole);
        assertThat(objects).filteredOn(o -> o instanceof Role && !o.getMetadata().getName().endsWith("leader-election"))
                .extracting(o -> o.getMetadata().getNamespace()).containsExactlyInAnyOrder("team-a", "team-b");
    }

    private static boolean grants(List<PolicyRule> rules, String group, String resource, String verb) {
        return rules.stream().anyMatch(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource) && r.getVerbs().contains(verb));
    }

    /** The chart rendered as release "sp" in namespace streampipe-system, for the API server the client talks to. */
    static String render(KubernetesClient client, String... extraArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("template", "sp", CHART.toString(), "--namespace", "streampipe-system",
                "--kube-version", client.getKubernetesVersion().getGitVersion()));
        args.addAll(List.of(extraArgs));
        return helm(args.toArray(String[]::new));
    }

    /** helm template, then each object server-side applied with dryRun=All: the API server validates it fully. */
    private static List<HasMetadata> renderAndDryRunApply(String... extraArgs) throws Exception {
        KubernetesClient client = apiServer.client();
        String rendered = render(client, extraArgs);
        List<HasMetadata> objects = client.load(new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8))).items();
        for (HasMetadata object : objects) {
            client.resource(object).dryRun().fieldManager("helm-chart-test").forceConflicts().serverSideApply();
        }
        return objects;
    }

    static String helm(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(helmBinary().toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as("helm %s:%n%s", String.join(" ", args), output).isZero();
        return output;
    }

    /** Built by e2e/bin/install-binaries next to kube-apiserver. */
    private static Path helmBinary() throws IOException, InterruptedException {
        Path script = Path.of("../e2e/bin/install-binaries");
        Process process = new ProcessBuilder(script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as("install-binaries").isZero();
        Path helm = output.lines().filter(l -> l.startsWith("HELM_BIN_DIR=")).findFirst()
                .map(l -> Path.of(l.substring("HELM_BIN_DIR=".length()), "helm"))
                .orElseThrow(() -> new IllegalStateException("install-binaries printed no HELM_BIN_DIR"));
        assertThat(Files.isExecutable(helm)).as(helm.toString()).isTrue();
        return helm;
    }
}
