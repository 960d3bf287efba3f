package io.streampipe.standin.flink.rest;

import java.util.List;
import java.util.Optional;

/**
 * {@code GET /jobs/:jobid/exceptions}: the failures that made the job restart or fail, newest first.
 *
 * @param truncated whether Flink kept only the newest ones
 */
public record JobExceptions(List<Failure> history, boolean truncated) {
    public JobExceptions {
        history = List.copyOf(history);
    }

    /** The newest root exception, if the job ever failed. */
    public Optional<Failure> latest() {
        return history.stream().findFirst();
    }

    /**
     * @param summary   the first line of the stack trace: the exception and its message
     * @param rootCause the last "Caused by:" line, if there is one
     * @param taskName  the failed subtask, if a task failed (not for a lost TaskManager seen by the JobManager)
     * @param location  where it failed (a TaskManager's address), if known
     */
    public record Failure(String exceptionName, String summary, Optional<String> rootCause, long timestamp,
                          Optional<String> taskName, Optional<String> location) {
    }
}
