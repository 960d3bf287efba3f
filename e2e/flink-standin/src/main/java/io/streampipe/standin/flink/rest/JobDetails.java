package io.streampipe.standin.flink.rest;

import java.util.Map;

/**
 * {@code GET /jobs/:jobid}, the parts a controller looks at.
 *
 * @param state           as in {@link JobSummary#state()}
 * @param stateTimestamps when the job last entered each state (epoch millis), e.g. {@code RESTARTING}; 0 for states
 *                        it never entered
 * @param taskCounts      subtasks per execution state (CREATED, SCHEDULED, DEPLOYING, RUNNING, FINISHED, ...),
 *                        summed over the job's vertices
 * @param tasks           all subtasks of the job
 */
public record JobDetails(String id, String name, String state, long startTime, long endTime,
                         Map<String, Long> stateTimestamps, Map<String, Integer> taskCounts, int tasks) {
    public JobDetails {
        stateTimestamps = Map.copyOf(stateTimestamps);
        taskCounts = Map.copyOf(taskCounts);
    }

    /** The job is RUNNING and so is every one of its subtasks (the job is RUNNING as soon as it is scheduled). */
    public boolean allTasksRunning() {
        return "RUNNING".equals(state) && taskCounts.getOrDefault("RUNNING", 0) == tasks;
    }
}
