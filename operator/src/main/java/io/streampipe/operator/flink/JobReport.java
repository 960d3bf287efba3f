package io.streampipe.operator.flink;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the job's JobManager says about it over Flink's REST API, beyond what the Flink Kubernetes Operator copies into
 * the FlinkDeployment's status: the checkpoints it takes on its own, how often it restarted, and its latest exception.
 *
 * @param jobId               the job it describes
 * @param latestCheckpoint    the newest completed checkpoint (not savepoint), if any
 * @param completedCheckpoints checkpoints completed since this job started on its JobManager (Flink's counts.completed)
 * @param latestFailure       the newest failed checkpoint or savepoint, if any
 * @param restarts            Flink's numRestarts metric
 * @param latestException     the root cause of the newest entry of the exception history, summarised
 */
public record JobReport(String jobId, Optional<Checkpoint> latestCheckpoint, long completedCheckpoints,
                        Optional<FailedCheckpoint> latestFailure, long restarts, Optional<String> latestException) {
    private static final int EXCEPTION_LENGTH = 400;
    private static final Pattern SECRET_VALUES = Pattern.compile(
            "(?i)(password|passwd|secret|token|sasl\\.jaas\\.config)(\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s,;)]+)");

    public record Checkpoint(long id, Instant completed, Duration duration, long sizeBytes, Optional<String> path) {
    }

    public record FailedCheckpoint(long id, boolean savepoint, Instant failed, String message) {
    }

    /** Whether the newest checkpoint attempt failed: one failed after the last one completed. */
    public boolean checkpointsFailing() {
        return latestFailure.filter(failure -> !failure.savepoint())
                .filter(failure -> latestCheckpoint.map(done -> failure.failed().isAfter(done.completed())).orElse(true))
                .isPresent();
    }

    /**
     * Whether the newest failed attempt is a savepoint that failed after the newest completed savepoint we know of
     * ({@code lastSavepoint}, empty when there is none): the job runs on, but the state it would restart or upgrade
     * from is older than asked for.
     */
    public boolean savepointFailedSince(Optional<Instant> lastSavepoint) {
        return latestFailure.filter(FailedCheckpoint::savepoint)
                .filter(failure -> lastSavepoint.map(done -> failure.failed().isAfter(done)).orElse(true))
                .isPresent();
    }

    /**
     * Reads the answers of {@code GET /jobs/:jobid/checkpoints}, {@code GET /jobs/:jobid/metrics?get=numRestarts} and
     * {@code GET /jobs/:jobid/exceptions?maxExceptions=1} (Flink 1.20's REST API; field names as in its
     * {@code CheckpointingStatistics}, {@code MetricCollectionResponseBody} and {@code JobExceptionsInfoWithHistory}).
     */
    public static JobReport of(String jobId, JsonNode checkpoints, JsonNode metrics, JsonNode exceptions) {
        JsonNode latest = checkpoints.path("latest");
        Optional<Checkpoint> completed = present(latest.path("completed")).map(c -> new Checkpoint(
                c.path("id").asLong(),
                Instant.ofEpochMilli(c.path("latest_ack_timestamp").asLong()),
                Duration.ofMillis(c.path("end_to_end_duration").asLong()),
                c.path("checkpointed_size").asLong(c.path("state_size").asLong()),
                text(c.path("external_path"))));
        Optional<FailedCheckpoint> failed = present(latest.path("failed")).map(f -> new FailedCheckpoint(
                f.path("id").asLong(), f.path("is_savepoint").asBoolean(),
                Instant.ofEpochMilli(f.path("failure_timestamp").asLong()),
                summary(f.path("failure_message").asText(""))));
        long restarts = 0;
        for (JsonNode metric : metrics) {
            if ("numRestarts".equals(metric.path("id").asText())) {
                restarts = parseLong(metric.path("value").asText("0"));
            }
        }
        Optional<String> exception = Optional.empty();
        JsonNode entries = exceptions.path("exceptionHistory").path("entries");
        if (entries.isArray() && !entries.isEmpty()) {
            JsonNode newest = entries.get(0);
            exception = Optional.of(summary(newest.path("stacktrace").asText(newest.path("exceptionName").asText(""))));
        }
        return new JobReport(jobId, completed, checkpoints.path("counts").path("completed").asLong(), failed, restarts, exception);
    }

    /**
     * The root cause of a Java stack trace in one line: its deepest "Caused by:", or its first line, without values
     * that look like credentials, cut to a readable length.
     */
    static String summary(String stackTrace) {
        String cause = stackTrace.lines().findFirst().orElse("").trim();
        for (String line : stackTrace.lines().toList()) {
            if (line.startsWith("Caused by: ")) {
                cause = line.substring("Caused by: ".length()).trim();
            }
        }
        cause = SECRET_VALUES.matcher(cause).replaceAll("$1$2***");
        return cause.length() <= EXCEPTION_LENGTH ? cause : cause.substring(0, EXCEPTION_LENGTH - 1) + "…";
    }

    private static Optional<JsonNode> present(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.asText().isEmpty() ? Optional.of(node.asText()) : Optional.empty();
    }

    private static long parseLong(String value) {
        try {
            return (long) Double.parseDouble(value);
        } catch (NumberFormatException notANumber) {
            return 0;
        }
    }
}
