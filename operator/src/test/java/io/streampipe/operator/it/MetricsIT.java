package io.streampipe.operator.it;

import io.streampipe.api.v1alpha1.DeletionSpec;
import io.streampipe.operator.HealthServer;
import io.streampipe.operator.testing.FlinkStatuses;
import io.streampipe.testkit.kube.KubeApiServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-pipeline series on /metrics of a running operator, from a pipeline's first status to its deletion. */
class MetricsIT {
    @RegisterExtension
    static final KubeApiServer apiServer = new KubeApiServer().withCrds(Path.of("../crds/streamingpipelines.streampipe.io-v1.yml"));

    private RunningOperator operator;
    private HealthServer http;
    private Cluster cluster;

    @BeforeEach
    void start() throws IOException {
        cluster = new Cluster(apiServer.client(), "metrics");
        operator = RunningOperator.start(apiServer.kubeconfig());
        http = new HealthServer(0, operator.operator, operator.metrics).start();
    }

    @AfterEach
    void stop() {
        http.close();
        operator.close();
    }

    private String scrape() {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aPipelinesPhaseAndConditionsAreServedUntilItIsDeleted() {
        cluster.createAllSecrets();
        cluster.createPipeline("sensor-anomalies", p -> {
            p.getSpec().deletion.policy = DeletionSpec.Policy.CANCEL;
            return p;
        });
        String series = "name=\"sensor-anomalies\",namespace=\"metrics\"";
        Eventually.until(() -> assertThat(scrape())
                .contains("streampipe_pipeline_phase{" + series + ",phase=\"Deploying\"} 1")
                .contains("streampipe_pipeline_condition{condition=\"Progressing\"," + series + "} 1"));

        Eventually.get(() -> cluster.flinkDeployment("sensor-anomalies"));
        cluster.writeFlinkStatus("sensor-anomalies", FlinkStatuses::running);
        Eventually.until(() -> assertThat(scrape())
                .contains("streampipe_pipeline_phase{" + series + ",phase=\"Running\"} 1")
                .contains("streampipe_pipeline_phase{" + series + ",phase=\"Deploying\"} 0")
                .contains("streampipe_pipeline_condition{condition=\"Ready\"," + series + "} 1")
                .contains("streampipe_pipeline_upgrades_total{" + series + "} 0"));

        cluster.pipeline("sensor-anomalies").delete();
        Eventually.until(() -> assertThat(cluster.pipeline("sensor-anomalies").get()).isNull());
        Eventually.until(() -> assertThat(scrape()).doesNotContain("sensor-anomalies"));
    }
}
