package io.streampipe.operator.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Asks a job's JobManager over Flink's REST API, at the address the URL template gives for the FlinkDeployment. The
 * default is the REST Service Flink's native Kubernetes integration creates for every cluster the Flink Kubernetes
 * Operator deploys: {@code <cluster-id>-rest} on {@code rest.port} 8081 (Flink's {@code ExternalServiceDecorator}).
 * Three short GETs per running job and reconcile; a JobManager that does not answer within the timeout gives no
 * report, and the status then says only what the FlinkDeployment says.
 */
public final class HttpJobManagerClient implements JobManagerClient {
    public static final String DEFAULT_URL_TEMPLATE = "http://{name}-rest.{namespace}:8081";
    private static final Logger LOG = LoggerFactory.getLogger(HttpJobManagerClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String urlTemplate;
    private final Duration timeout;
    private final HttpClient http;

    public HttpJobManagerClient(String urlTemplate, Duration timeout) {
        this.urlTemplate = urlTemplate;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** The REST address of the FlinkDeployment's JobManager. */
    URI restUrl(String namespace, String flinkDeployment) {
        return URI.create(urlTemplate.replace("{name}", flinkDeployment).replace("{namespace}", namespace).replaceAll("/+$", ""));
    }

    @Override
    public Optional<JobReport> report(String namespace, String flinkDeployment, String jobId) {
        URI base = restUrl(namespace, flinkDeployment);
        try {
            JsonNode checkpoints = get(base, "/jobs/" + jobId + "/checkpoints");
            JsonNode metrics = get(base, "/jobs/" + jobId + "/metrics?get=numRestarts");
            JsonNode exceptions = get(base, "/jobs/" + jobId + "/exceptions?maxExceptions=1");
            return Optional.of(JobReport.of(jobId, checkpoints, metrics, exceptions));
        } catch (IOException | RuntimeException e) {
            LOG.debug("No report from the JobManager of {}/{} at {}: {}", namespace, flinkDeployment, base, e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private JsonNode get(URI base, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + " for " + path);
        }
        return JSON.readTree(response.body());
    }
}
