package io.streampipe.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KubeApiServerTest {

    @RegisterExtension
    static final KubeApiServer apiServer = new KubeApiServer()
            .withRequestBodiesAudited(new AuditLog.Resource("", "configmaps"));

    private final KubernetesClient client = apiServer.client();

    @Test
    void reportsTheKubernetesVersionOfThePom() {
        String expected = "v" + System.getProperty("kubernetes.version", "1.31.4");

        assertThat(client.getKubernetesVersion().getGitVersion()).isEqualTo(expected);
    }

    @Test
    void storesAndReadsAConfigMap() {
        client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("pipeline-config").endMetadata()
                .addToData("pipeline.json", "{\"parallelism\": 4}")
                .build()).create();

        ConfigMap read = client.configMaps().inNamespace("default").withName("pipeline-config").get();

        assertThat(read.getData()).containsEntry("pipeline.json", "{\"parallelism\": 4}");
    }

    @Test
    void auditsWritesWithTheirUser() {
        client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("audited").endMetadata()
                .build()).create();

        assertThat(apiServer.auditLog().writes())
                .filteredOn(event -> "configmaps".equals(event.resource()) && "audited".equals(event.name()))
                .singleElement()
                .satisfies(event -> {
                    assertThat(event.verb()).isEqualTo("create");
                    assertThat(event.user()).isEqualTo("streampipe-admin");
                    assertThat(event.namespace()).isEqualTo("default");
                    assertThat(event.responseCode()).isEqualTo(201);
                });
    }

    @Test
    void auditsTheBodiesOfWritesToTheResourcesNamedAndNoOthers() {
        client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("with-body").endMetadata()
                .addToData("pipeline.json", "{\"parallelism\": 2}")
                .build()).create();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("without-body").endMetadata().build()).create();

        assertThat(apiServer.auditLog().writes())
                .filteredOn(event -> "with-body".equals(event.name()))
                .singleElement()
                .satisfies(event -> assertThat(event.requestObject().path("data").path("pipeline.json").asText())
                        .isEqualTo("{\"parallelism\": 2}"));
        assertThat(apiServer.auditLog().writes())
                .filteredOn(event -> "without-body".equals(event.name()))
                .singleElement()
                .satisfies(event -> assertThat(event.requestObject()).isNull());
    }

    @Test
    void refusesAResourceThatIsNoGroupAndPlural() {
        assertThatThrownBy(() -> new AuditLog.Resource("streampipe.io", "StreamingPipelines"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("StreamingPipelines");
    }

    @Test
    void createsNamespaces() {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("analytics").endMetadata().build()).create();

        assertThat(client.namespaces().withName("analytics").get().getStatus().getPhase()).isEqualTo("Active");
    }

    @Test
    void hasTheFlinkOperatorCrdsInstalled() {
        assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems())
                .extracting(crd -> crd.getMetadata().getName())
                .contains("flinkdeployments.flink.apache.org", "flinksessionjobs.flink.apache.org");
    }

    @Test
    void handsOutAKubeconfigForOtherClients() {
        try (KubernetesClient other = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(apiServer.kubeconfig().toFile())).build()) {
            assertThat(other.namespaces().withName("default").get()).isNotNull();
        }
    }
}
