package io.streampipe.standin;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.SavepointFormatType;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stand-in's FlinkService: what FKO 1.16's {@code service/AbstractFlinkService} does to a cluster, done to local
 * Flink clusters through Flink's REST API. One cluster per FlinkDeployment, named by namespace and name.
 */
interface FlinkClusters {

    /**
     * ApplicationReconciler.deploy → submitApplicationCluster: returns at once; the cluster starts and the job is
     * submitted in the background, as a JobManager pod would start and run the application.
     */
    void submitApplicationCluster(String cluster, ApplicationClusters.Prepared application);

    /** What a look at the JobManager "deployment" shows. */
    ClusterState clusterState(String cluster);

    /** AbstractFlinkService.getJobStatus; empty when the cluster has no such job. */
    Optional<JobInfo> jobStatus(String cluster, String jobId) throws Exception;

    /** The failure of a FAILED job as (type, message) pairs, the throwable first, then its causes. */
    List<String[]> jobFailure(String cluster, String jobId) throws Exception;

    /**
     * AbstractFlinkService.savepointJobOrError: stop-with-savepoint in {@code format}, blocking up to {@code timeout};
     * the location.
     */
    String stopWithSavepoint(String cluster, String jobId, String directory, SavepointFormatType format, boolean drain,
                             Duration timeout) throws Exception;

    /** AbstractFlinkService.cancelJobOrError: cancels; returns false if the job was already gone or terminal. */
    boolean cancel(String cluster, String jobId) throws Exception;

    /** AbstractFlinkService.triggerSavepoint, in {@code format}: the trigger id. */
    String triggerSavepoint(String cluster, String jobId, String directory, SavepointFormatType format) throws Exception;

    /** AbstractFlinkService.fetchSavepointInfo. */
    SavepointResult savepointResult(String cluster, String jobId, String triggerId);

    /** AbstractFlinkService.getLastCheckpoint: the location of the job's latest completed checkpoint or savepoint. */
    Optional<String> lastCheckpoint(String cluster, String jobId) throws Exception;

    /** AbstractFlinkService.deleteClusterDeployment: stops the cluster's JVMs. */
    void deleteCluster(String cluster);

    /** AbstractFlinkService.disposeSavepoint: deletes the savepoint's files; false if it could not. */
    boolean disposeSavepoint(String cluster, String location);

    /**
     * What to run: the Flink configuration (already mapped to local paths), the environment of the Flink JVMs (the
     * pod's, secrets resolved), the jar, its entry class and arguments, and how to start it.
     */
    record ApplicationCluster(Map<String, String> flinkConfiguration, Map<String, String> environment, String jar,
                              String entryClass, List<String> args, int parallelism, int taskManagers, int slotsPerTaskManager,
                              String jobId, String savepointPath, boolean allowNonRestoredState) {
    }

    enum Phase { MISSING, STARTING, READY, FAILED }

    /** @param failure why the JobManager could not start or run the application (a crash-looping pod) */
    record ClusterState(Phase phase, String failure) {
        static ClusterState of(Phase phase) {
            return new ClusterState(phase, null);
        }
    }

    record JobInfo(String id, String name, JobStatus state, long startTime) {
    }

    /** @param location the savepoint, when completed; {@code error} when it failed; neither while pending */
    record SavepointResult(boolean pending, String location, String error) {
    }
}
