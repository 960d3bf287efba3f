package io.streampipe.standin.flink.rest;

/**
 * One entry of {@code GET /jobs/overview}.
 *
 * @param state     Flink's job status: INITIALIZING, CREATED, RUNNING, FAILING, FAILED, CANCELLING, CANCELED,
 *                  FINISHED, RESTARTING, SUSPENDED or RECONCILING
 * @param startTime epoch millis
 * @param endTime   epoch millis, -1 while the job has not ended
 */
public record JobSummary(String id, String name, String state, long startTime, long endTime) {
}
