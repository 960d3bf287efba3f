package io.streampipe.standin.flink.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.core.execution.SavepointFormatType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A Flink cluster driven over its REST API only (the {@code /v1} API of Flink 1.20, as the Flink Kubernetes
 * Operator drives a session cluster): plain HTTP and JSON, no Flink classes, so the stand-in needs none of Flink's
 * jars. Answers are small records. Every error answer becomes a {@link FlinkRestException} carrying Flink's message;
 * a cluster that does not answer at all, an {@link UncheckedIOException}.
 */
public final class FlinkRestClient {
    /** Long enough for {@code /jars/:jarid/run}, which runs the job's main method on the JobManager. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    public FlinkRestClient(URI restUrl) {
        this(restUrl, DEFAULT_TIMEOUT);
    }

    public FlinkRestClient(URI restUrl, Duration requestTimeout) {
        this.base = URI.create(restUrl.toString().replaceAll("/+$", "") + "/");
        this.timeout = requestTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public URI restUrl() {
        return base;
    }

    /** {@code GET /overview}. */
    public ClusterOverview overview() {
        JsonNode o = get("overview");
        return new ClusterOverview(o.path("taskmanagers").asInt(), o.path("slots-total").asInt(),
                o.path("slots-available").asInt(), o.path("jobs-running").asInt(), o.path("jobs-finished").asInt(),
                o.path("jobs-cancelled").asInt(), o.path("jobs-failed").asInt(), o.path("flink-version").asText());
    }

    /** {@code GET /taskmanagers}. */
    public List<TaskManagerInfo> taskManagers() {
        List<TaskManagerInfo> taskManagers = new ArrayList<>();
        for (JsonNode tm : get("taskmanagers").path("taskmanagers")) {
            taskManagers.add(new TaskManagerInfo(tm.path("id").asText(), tm.path("slotsNumber").asInt(),
                    tm.path("freeSlots").asInt()));
        }
        return taskManagers;
    }

    /** {@code POST /jars/upload} (multipart, field {@code jarfile}); returns the jar id for {@link #runJar}. */
    public String uploadJar(Path jar) {
        String boundary = "streampipe-" + UUID.randomUUID();
        String head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName() + "\"\r\n"
                + "Content-Type: application/x-java-archive\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest.BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.concat(
                    HttpRequest.BodyPublishers.ofString(head, StandardCharsets.UTF_8),
                    HttpRequest.BodyPublishers.ofFile(jar),
                    HttpRequest.BodyPublishers.ofString(tail, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + jar, e);
        }
        JsonNode answer = send(request("jars/upload")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(body), "POST /jars/upload");
        String stored = answer.path("filename").asText();
        return Path.of(stored).getFileName().toString();
    }

    /** {@code POST /jars/:jarid/run}: runs the jar's main method on the JobManager; returns the job id. */
    public String runJar(String jarId, JarRun run) {
        ObjectNode body = JSON.createObjectNode();
        body.put("entryClass", run.entryClass());
        body.putPOJO("programArgsList", run.programArgs());
        run.parallelism().ifPresent(parallelism -> body.put("parallelism", parallelism));
        run.jobId().ifPresent(jobId -> body.put("jobId", jobId));
        run.savepointPath().ifPresent(path -> body.put("savepointPath", path));
        body.put("allowNonRestoredState", run.allowNonRestoredState());
        run.jobId().ifPresent(id -> body.put("jobId", id));
        return post("jars/" + jarId + "/run", body).path("jobid").asText();
    }

    /** {@code GET /jobs/overview}: every job the cluster knows, running or ended. */
    public List<JobSummary> listJobs() {
        List<JobSummary> jobs = new ArrayList<>();
        for (JsonNode job : get("jobs/overview").path("jobs")) {
            jobs.add(new JobSummary(job.path("jid").asText(), job.path("name").asText(), job.path("state").asText(),
                    job.path("start-time").asLong(), job.path("end-time").asLong()));
        }
        return jobs;
    }

    /** {@code GET /jobs/:jobid}. */
    public JobDetails job(String jobId) {
        JsonNode job = get("jobs/" + jobId);
        Map<String, Long> timestamps = new TreeMap<>();
        job.path("timestamps").properties().forEach(e -> timestamps.put(e.getKey(), e.getValue().asLong()));
        Map<String, Integer> taskCounts = new TreeMap<>();
        int tasks = 0;
        for (JsonNode vertex : job.path("vertices")) {
            tasks += vertex.path("parallelism").asInt();
            vertex.path("tasks").properties().forEach(
                    e -> taskCounts.merge(e.getKey(), e.getValue().asInt(), Integer::sum));
        }
        return new JobDetails(job.path("jid").asText(), job.path("name").asText(), job.path("state").asText(),
                job.path("start-time").asLong(), job.path("end-time").asLong(), timestamps, taskCounts, tasks);
    }

    /**
     * {@code POST /jobs/:jobid/stop} with {@code drain=false}: a savepoint in {@code format} into
     * {@code targetDirectory}, then the job finishes. Returns the trigger id for {@link #savepointStatus}.
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, SavepointFormatType format) {
        ObjectNode body = JSON.createObjectNode();
        body.put("targetDirectory", targetDirectory);
        body.put("drain", false);
        body.put("formatType", format.name());
        return post("jobs/" + jobId + "/stop", body).path("request-id").asText();
    }

    /**
     * {@code POST /jobs/:jobid/savepoints} with {@code cancel-job=false}: a savepoint in {@code format} into
     * {@code targetDirectory}, the job runs on. Returns the trigger id for {@link #savepointStatus}.
     */
    public String triggerSavepoint(String jobId, String targetDirectory, SavepointFormatType format) {
        ObjectNode body = JSON.createObjectNode();
        body.put("target-directory", targetDirectory);
        body.put("cancel-job", false);
        body.put("formatType", format.name());
        return post("jobs/" + jobId + "/savepoints", body).path("request-id").asText();
    }

    /** {@code GET /jobs/:jobid/savepoints/:triggerid}. */
    public SavepointStatus savepointStatus(String jobId, String triggerId) {
        JsonNode answer = get("jobs/" + jobId + "/savepoints/" + triggerId);
        if (!"COMPLETED".equals(answer.path("status").path("id").asText())) {
            return new SavepointStatus(false, Optional.empty(), Optional.empty());
        }
        JsonNode operation = answer.path("operation");
        JsonNode failure = operation.path("failure-cause");
        if (!failure.isMissingNode() && !failure.isNull()) {
            String trace = failure.path("stack-trace").asText(failure.path("class").asText("unknown failure"));
            return new SavepointStatus(true, Optional.empty(), Optional.of(FlinkRestException.withoutFrames(trace)));
        }
        return new SavepointStatus(true, text(operation, "location"), Optional.empty());
    }

    /**
     * Polls {@link #savepointStatus} until the savepoint is done.
     *
     * @return its location
     * @throws IllegalStateException if it failed (with Flink's cause) or is not done within {@code timeout}
     */
    public String awaitSavepoint(String jobId, String triggerId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SavepointStatus status = savepointStatus(jobId, triggerId);
            if (status.failed()) {
                throw new IllegalStateException("Savepoint " + triggerId + " of job " + jobId + " failed: "
                        + status.failureCause().orElseThrow());
            }
            if (status.completed()) {
                return status.location().orElseThrow(() -> new IllegalStateException(
                        "Savepoint " + triggerId + " of job " + jobId + " completed without a location"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Savepoint " + triggerId + " of job " + jobId + " was not done within "
                        + timeout.toSeconds() + " s");
            }
            sleep(POLL_INTERVAL);
        }
    }

    /** {@code PATCH /jobs/:jobid?mode=cancel}: asks for the cancellation; the job is CANCELED shortly after. */
    public void cancel(String jobId) {
        send(request("jobs/" + jobId + "?mode=cancel")
                .method("PATCH", HttpRequest.BodyPublishers.noBody()), "PATCH /jobs/" + jobId + "?mode=cancel");
    }

    /** {@code GET /jobs/:jobid/checkpoints}. */
    public CheckpointStats checkpoints(String jobId) {
        JsonNode stats = get("jobs/" + jobId + "/checkpoints");
        JsonNode counts = stats.path("counts");
        JsonNode latest = stats.path("latest");
        return new CheckpointStats(counts.path("total").asLong(), counts.path("completed").asLong(),
                counts.path("failed").asLong(), counts.path("in_progress").asLong(), counts.path("restored").asLong(),
                present(latest.path("completed")).map(FlinkRestClient::completed),
                present(latest.path("savepoint")).map(FlinkRestClient::completed),
                present(latest.path("failed")).map(f -> new CheckpointStats.Failed(f.path("id").asLong(),
                        f.path("is_savepoint").asBoolean(), f.path("trigger_timestamp").asLong(),
                        f.path("failure_timestamp").asLong(), f.path("failure_message").asText(""))),
                present(latest.path("restored")).map(r -> new CheckpointStats.Restored(r.path("id").asLong(),
                        r.path("is_savepoint").asBoolean(), r.path("restore_timestamp").asLong(),
                        r.path("external_path").asText(""))));
    }

    /** {@code GET /jobs/:jobid/exceptions}. */
    public JobExceptions exceptions(String jobId) {
        JsonNode answer = get("jobs/" + jobId + "/exceptions");
        JsonNode history = answer.path("exceptionHistory");
        List<JobExceptions.Failure> failures = new ArrayList<>();
        for (JsonNode entry : history.path("entries")) {
            String trace = entry.path("stacktrace").asText("");
            List<String> causes = trace.lines().filter(line -> line.startsWith("Caused by: ")).toList();
            failures.add(new JobExceptions.Failure(entry.path("exceptionName").asText(),
                    trace.lines().findFirst().orElse(entry.path("exceptionName").asText()),
                    causes.isEmpty() ? Optional.empty() : Optional.of(causes.get(causes.size() - 1)),
                    entry.path("timestamp").asLong(), text(entry, "taskName"),
                    text(entry, "endpoint").or(() -> text(entry, "location"))));
        }
        return new JobExceptions(failures, history.path("truncated").asBoolean());
    }

    private static CheckpointStats.Completed completed(JsonNode c) {
        return new CheckpointStats.Completed(c.path("id").asLong(), c.path("is_savepoint").asBoolean(),
                c.path("external_path").asText(""), c.path("trigger_timestamp").asLong(),
                c.path("latest_ack_timestamp").asLong(), c.path("end_to_end_duration").asLong(),
                c.path("state_size").asLong(), c.path("checkpointed_size").asLong());
    }

    private static Optional<JsonNode> present(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    private static Optional<String> text(JsonNode node, String field) {
        return present(node.path(field)).map(JsonNode::asText);
    }

    private JsonNode get(String path) {
        return send(request(path).GET(), "GET /" + path);
    }

    private JsonNode post(String path, JsonNode body) {
        return send(request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)), "POST /" + path);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
    }

    private JsonNode send(HttpRequest.Builder request, String description) {
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(description + " to " + base + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(description + " was interrupted", e);
        }
        JsonNode body = parse(response.body());
        if (response.statusCode() / 100 != 2) {
            List<String> errors = new ArrayList<>();
            body.path("errors").forEach(error -> errors.add(error.asText()));
            if (errors.isEmpty() && !response.body().isBlank()) {
                errors.add(response.body());
            }
            throw new FlinkRestException(description, response.statusCode(), errors);
        }
        return body;
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException notJson) {
            return JSON.createObjectNode();
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting", e);
        }
    }
}
