package io.streampipe.sandbox.demo;

import io.fabric8.kubernetes.api.model.Condition;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.sandbox.RowFormat;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A pipeline's status as one line, what {@code kubectl get spipe} shows and a little more:
 * <pre>
 * spipe/sensor-anomalies Running · Ready=True Running · Progressing=False Stable · Degraded=False Healthy · job 5dd03eb0 RUNNING ×3 · savepoint 07:28:05 upgrade · "Job 5dd0… is running"
 * </pre>
 * The last checkpoint changes every checkpoint interval; {@link #changeKey} leaves it out, so that a line is printed
 * when something else changes.
 */
final class StatusLine {
    static final int SHORT_JOB_ID = 8;
    /** Messages can be a Flink exception with its causes; the line keeps their start. */
    static final int MAX_MESSAGE = 160;
    private static final List<String> CONDITION_ORDER = List.of("Ready", "Progressing", "Degraded");

    private StatusLine() {
    }

    static String of(StreamingPipeline pipeline) {
        return format(pipeline, true);
    }

    /** The line without the last checkpoint: two statuses with the same key need not both be shown. */
    static String changeKey(StreamingPipeline pipeline) {
        return format(pipeline, false);
    }

    /** The job as {@code 5dd03eb0 RUNNING ×3}, or {@code no job}. */
    static String job(StreamingPipelineStatus.Job job) {
        if (job == null) {
            return "no job";
        }
        List<String> parts = new ArrayList<>();
        if (job.id != null) {
            parts.add(job.id.length() > SHORT_JOB_ID ? job.id.substring(0, SHORT_JOB_ID) : job.id);
        }
        parts.add(job.state == null ? "state unknown" : job.state);
        if (job.parallelism != null) {
            parts.add("×" + job.parallelism);
        }
        return String.join(" ", parts);
    }

    /** An RFC 3339 time of the status as {@code 07:28:05} (UTC; with the date when it is not today). */
    static String time(String rfc3339) {
        try {
            return RowFormat.time(Instant.parse(rfc3339).truncatedTo(ChronoUnit.SECONDS));
        } catch (DateTimeParseException e) {
            return rfc3339;
        }
    }

    private static String format(StreamingPipeline pipeline, boolean withCheckpoint) {
        String name = "spipe/" + pipeline.getMetadata().getName();
        StreamingPipelineStatus status = pipeline.getStatus();
        if (status == null || status.phase == null) {
            return name + " no status yet (the operator has not reconciled it)";
        }
        List<String> parts = new ArrayList<>();
        parts.add(name + " " + status.phase + generationLag(pipeline.getMetadata().getGeneration(), status.observedGeneration));
        conditions(status.conditions).forEach(parts::add);
        parts.add("job " + job(status.job));
        if (status.upgrade != null && status.upgrade.step != null) {
            parts.add("upgrade " + status.upgrade.step);
        }
        if (status.lastSavepoint != null && status.lastSavepoint.time != null) {
            parts.add("savepoint " + time(status.lastSavepoint.time)
                    + (status.lastSavepoint.reason == null ? "" : " " + status.lastSavepoint.reason));
        }
        if (withCheckpoint && status.lastCheckpoint != null && status.lastCheckpoint.time != null) {
            parts.add("checkpoint " + time(status.lastCheckpoint.time));
        }
        if (status.message != null) {
            parts.add('"' + oneLine(status.message) + '"');
        }
        degradedMessage(status).ifPresent(message -> parts.add("degraded: \"" + oneLine(message) + '"'));
        return String.join(" · ", parts);
    }

    private static String oneLine(String message) {
        return RowFormat.text(message.replaceAll("\\s+", " ").strip(), MAX_MESSAGE);
    }

    /** Empty while the status describes the spec as it is; else which generation it describes. */
    private static String generationLag(Long generation, Long observed) {
        if (generation == null || Objects.equals(generation, observed)) {
            return "";
        }
        return " (status of generation " + (observed == null ? "none" : observed) + ", spec at " + generation + ")";
    }

    /** {@code Ready=True Running}: Ready, Progressing and Degraded first, any other type after them. */
    private static List<String> conditions(List<Condition> conditions) {
        List<Condition> ordered = new ArrayList<>(conditions == null ? List.of() : conditions);
        ordered.sort((a, b) -> Integer.compare(rank(a.getType()), rank(b.getType())));
        return ordered.stream()
                .map(condition -> condition.getType() + "=" + condition.getStatus()
                        + (condition.getReason() == null ? "" : " " + condition.getReason()))
                .toList();
    }

    private static int rank(String type) {
        int index = CONDITION_ORDER.indexOf(type);
        return index < 0 ? CONDITION_ORDER.size() : index;
    }

    /** Degraded's message when it is True and says more than status.message. */
    private static Optional<String> degradedMessage(StreamingPipelineStatus status) {
        return status.conditions == null ? Optional.empty() : status.conditions.stream()
                .filter(condition -> "Degraded".equals(condition.getType()) && "True".equals(condition.getStatus()))
                .map(Condition::getMessage)
                .filter(message -> message != null && !message.equals(status.message))
                .findFirst();
    }
}
