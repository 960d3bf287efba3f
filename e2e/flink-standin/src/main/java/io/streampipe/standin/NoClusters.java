package io.streampipe.standin;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.SavepointFormatType;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link FlinkClusters} that runs nothing, for measuring the operator at scale ({@code e2e/bin/bench operator}): a
 * submitted application's JobManager is ready at once and its job RUNNING at once, a stop-with-savepoint finishes the
 * job at once with a savepoint path under the directory asked for. The controller, observer and reconciler around it
 * are the stand-in's own, so every status write is the one FKO 1.16 makes ({@code fko.FkoStatus}); only the time a
 * real cluster takes to start, and to take a savepoint, is left out.
 */
final class NoClusters implements FlinkClusters, AutoCloseable {

    private record Job(String id, String name, JobStatus state, long startTime) {
    }

    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Map<String, String> savepoints = new ConcurrentHashMap<>();

    @Override
    public void submitApplicationCluster(String cluster, ApplicationClusters.Prepared prepared) {
        ApplicationCluster application = prepared.application();
        jobs.put(cluster, new Job(application.jobId(), application.flinkConfiguration().getOrDefault("pipeline.name", cluster),
                JobStatus.RUNNING, System.currentTimeMillis()));
    }

    @Override
    public ClusterState clusterState(String cluster) {
        return ClusterState.of(jobs.containsKey(cluster) ? Phase.READY : Phase.MISSING);
    }

    @Override
    public Optional<JobInfo> jobStatus(String cluster, String jobId) {
        return Optional.ofNullable(jobs.get(cluster)).filter(job -> job.id().equals(jobId))
                .map(job -> new JobInfo(job.id(), job.name(), job.state(), job.startTime()));
    }

    @Override
    public List<String[]> jobFailure(String cluster, String jobId) {
        return List.of();
    }

    @Override
    public String stopWithSavepoint(String cluster, String jobId, String directory, SavepointFormatType format, boolean drain,
                                    Duration timeout) {
        finish(cluster, jobId, JobStatus.FINISHED);
        return savepoint(directory);
    }

    @Override
    public boolean cancel(String cluster, String jobId) {
        Job job = jobs.get(cluster);
        if (job == null || !job.id().equals(jobId) || job.state().isGloballyTerminalState()) {
            return false;
        }
        finish(cluster, jobId, JobStatus.CANCELED);
        return true;
    }

    @Override
    public String triggerSavepoint(String cluster, String jobId, String directory, SavepointFormatType format) {
        String trigger = UUID.randomUUID().toString();
        savepoints.put(trigger, savepoint(directory));
        return trigger;
    }

    @Override
    public SavepointResult savepointResult(String cluster, String jobId, String triggerId) {
        String location = savepoints.remove(triggerId);
        return location == null ? new SavepointResult(false, null, "unknown savepoint trigger " + triggerId)
                : new SavepointResult(false, location, null);
    }

    @Override
    public Optional<String> lastCheckpoint(String cluster, String jobId) {
        return Optional.empty();
    }

    @Override
    public void deleteCluster(String cluster) {
        jobs.remove(cluster);
    }

    @Override
    public boolean disposeSavepoint(String cluster, String location) {
        return true;
    }

    @Override
    public void close() {
        jobs.clear();
    }

    private void finish(String cluster, String jobId, JobStatus state) {
        jobs.computeIfPresent(cluster, (name, job) -> job.id().equals(jobId) ? new Job(job.id(), job.name(), state, job.startTime()) : job);
    }

    private static String savepoint(String directory) {
        return directory.replaceAll("/+$", "") + "/savepoint-" + UUID.randomUUID().toString().substring(0, 12);
    }
}
