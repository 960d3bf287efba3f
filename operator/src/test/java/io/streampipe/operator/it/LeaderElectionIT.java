package io.streampipe.operator.it;

import io.streampipe.operator.HealthServer;
import io.streampipe.testkit.kube.KubeApiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Two replicas: one leads and reconciles, the other waits; when the leader stops, the other takes over. */
class LeaderElectionIT {
    @RegisterExtension
    static final KubeApiServer apiServer = new KubeApiServer().withCrds(Path.of("../crds/streamingpipelines.streampipe.io-v1.yml"));

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> get(HealthServer server, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void oneReplicaReconcilesAtATimeAndAStandbyTakesOver() throws IOException {
        Cluster cluster = new Cluster(apiServer.client(), "two-replicas");
        cluster.createAllSecrets();
        RunningOperator first = RunningOperator.replica(apiServer.kubeconfig(), "replica-a");
        Eventually.until(() -> assertThat(apiServer.client().leases().inNamespace(RunningOperator.LEASE_NAMESPACE)
                .withName(RunningOperator.LEASE).get().getSpec().getHolderIdentity()).isEqualTo("replica-a"));
        RunningOperator second = RunningOperator.replica(apiServer.kubeconfig(), "replica-b");
        try (HealthServer leaderProbes = new HealthServer(0, first.operator, first.metrics).start();
             HealthServer standbyProbes = new HealthServer(0, second.operator, second.metrics).start()) {

            cluster.createPipeline("sensor-anomalies");
            Eventually.get(() -> cluster.flinkDeployment("sensor-anomalies"));
            Eventually.sleep(RunningOperator.RESYNC.multipliedBy(2));

            assertThat(first.reconciliationsStarted()).isPositive();
            assertThat(second.reconciliationsStarted()).as("the standby does not reconcile").isZero();
            for (HealthServer probes : new HealthServer[]{leaderProbes, standbyProbes}) {
                assertThat(get(probes, "/healthz").statusCode()).isEqualTo(200);
                assertThat(get(probes, "/readyz").statusCode()).isEqualTo(200);
            }
            assertThat(get(leaderProbes, "/metrics").body()).contains("operator_sdk_reconciliations_started");

            first.close();
            cluster.edit("sensor-anomalies", p -> p.getSpec().parallelism = 3);

            Eventually.until(Duration.ofSeconds(30), () ->
                    assertThat(cluster.flinkDeployment("sensor-anomalies").getSpec().getJob().getParallelism()).isEqualTo(3));
            assertThat(second.reconciliationsStarted()).isPositive();
        } finally {
            second.close();
        }
    }
}
