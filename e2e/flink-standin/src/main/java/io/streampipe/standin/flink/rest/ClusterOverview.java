package io.streampipe.standin.flink.rest;

/** {@code GET /overview}: the TaskManagers and slots the JobManager knows, and its jobs by state. */
public record ClusterOverview(int taskManagers, int slotsTotal, int slotsAvailable, int jobsRunning,
                              int jobsFinished, int jobsCancelled, int jobsFailed, String flinkVersion) {
}
