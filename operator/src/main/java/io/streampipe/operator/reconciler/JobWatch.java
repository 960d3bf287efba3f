package io.streampipe.operator.reconciler;

import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.flink.JobManagerClient;
import io.streampipe.operator.flink.JobReport;
import io.streampipe.operator.plan.FlinkObservation;
import io.streampipe.operator.plan.RollbackPlan;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * What only a running job's JobManager tells (checkpoints, restarts, exceptions), asked on each reconcile, and when to
 * reconcile again to ask anew.
 */
final class JobWatch {
    private static final Set<String> JOB_STATES_WITH_REPORT = Set.of("RUNNING", "RESTARTING", "FAILING", "FAILED");

    private final JobManagerClient jobManagers;
    private final Duration pollInterval;

    JobWatch(JobManagerClient jobManagers, Duration pollInterval) {
        this.jobManagers = jobManagers;
        this.pollInterval = pollInterval;
    }

    /** The JobManager's report on the running job, when there is one and it answers. */
    Optional<JobReport> report(StreamingPipeline pipeline, FlinkObservation flink) {
        return flink.jobStatus()
                .filter(job -> job.getJobId() != null && job.getState() != null && JOB_STATES_WITH_REPORT.contains(job.getState().name()))
                .flatMap(job -> jobManagers.report(PipelineResources.namespace(pipeline), PipelineResources.flinkDeploymentName(pipeline),
                        job.getJobId()));
    }

    Optional<Duration> nextLook(StreamingPipeline pipeline, StreamingPipelineStatus status, Instant now) {
        return nextLook(pipeline, status, now, pollInterval);
    }

    /**
     * A running job changes without the FlinkDeployment changing (checkpoints, restarts), and an upgrade can time out
     * without any event: look again after the poll interval, or when the upgrade times out if that comes first. A job
     * FKO has given an id but no state yet (just deployed) is not watched: its FlinkDeployment changes when it has one.
     */
    static Optional<Duration> nextLook(StreamingPipeline pipeline, StreamingPipelineStatus status, Instant now, Duration pollInterval) {
        Optional<Duration> timeout = Optional.ofNullable(status.upgrade).flatMap(upgrade -> RollbackPlan.deadline(pipeline, upgrade))
                .map(deadline -> Duration.between(now, deadline).plusSeconds(1))
                .filter(left -> !left.isNegative());
        boolean watching = status.upgrade != null
                || status.job != null && status.job.state != null && JOB_STATES_WITH_REPORT.contains(status.job.state);
        if (!watching) {
            return Optional.empty();
        }
        return Optional.of(timeout.filter(left -> left.compareTo(pollInterval) < 0).orElse(pollInterval));
    }
}
