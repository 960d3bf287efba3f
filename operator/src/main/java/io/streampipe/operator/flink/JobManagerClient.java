package io.streampipe.operator.flink;

import java.util.Optional;

/** Reads a running job's report from its JobManager; empty when the JobManager cannot be reached or asked. */
public interface JobManagerClient {
    JobManagerClient NONE = (namespace, flinkDeployment, jobId) -> Optional.empty();

    Optional<JobReport> report(String namespace, String flinkDeployment, String jobId);
}
