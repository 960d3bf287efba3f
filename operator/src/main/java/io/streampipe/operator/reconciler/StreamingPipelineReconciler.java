package io.streampipe.operator.reconciler;

import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.streampipe.api.Durations;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.Rollback;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.desired.DesiredState;
import io.streampipe.operator.desired.OperatorDefaults;
import io.streampipe.operator.flink.JobManagerClient;
import io.streampipe.operator.flink.JobReport;
import io.streampipe.operator.plan.DeletionPlan;
import io.streampipe.operator.plan.DeploymentPlan;
import io.streampipe.operator.plan.FlinkObservation;
import io.streampipe.operator.plan.Problem;
import io.streampipe.operator.plan.RollbackPlan;
import io.streampipe.operator.status.Conditions;
import io.streampipe.operator.status.Reasons;
import io.streampipe.operator.status.StatusMapper.Applied;
import io.streampipe.operator.status.StatusMapper;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Glue: observe (the pipeline, its FlinkDeployment, the Secrets it names), plan and build the desired state with pure
 * functions, record what is about to be applied in the status, apply it through the dependents, and report the
 * resulting status. Every reconcile does all of it; nothing depends on what happened earlier in this process.
 */
@Workflow(explicitInvocation = true, handleExceptionsInReconciler = true, dependents = {
        @Dependent(name = "job-config", type = JobConfigMapDependent.class),
        @Dependent(name = "state-pvc", type = StatePvcDependent.class, reconcilePrecondition = StatePvcDependent.Requested.class),
        @Dependent(name = "flink-deployment", type = FlinkDeploymentDependent.class, dependsOn = "job-config")})
@ControllerConfiguration(name = StreamingPipelineReconciler.NAME, fieldManager = PipelineResources.FIELD_MANAGER,
        finalizerName = PipelineResources.FINALIZER)
public class StreamingPipelineReconciler implements Reconciler<StreamingPipeline>, Cleaner<StreamingPipeline> {
    public static final String NAME = "streamingpipeline";
    static final Duration MIN_RETRY = Duration.ofSeconds(10);
    static final Duration MAX_RETRY = Duration.ofMinutes(5);
    private static final Set<String> JOB_STATES_WITH_REPORT = Set.of("RUNNING", "RESTARTING", "FAILING", "FAILED");
    private static final Logger LOG = LoggerFactory.getLogger(StreamingPipelineReconciler.class);

    private final OperatorDefaults defaults;
    private final EventRecorder events;
    private final StatusWriter statusWriter;
    private final FinalSavepoint finalSavepoint;
    private final Clock clock;
    private final JobManagerClient jobManagers;
    private final Duration jobPollInterval;

    public StreamingPipelineReconciler(OperatorDefaults defaults, EventRecorder events, Clock clock) {
        this(defaults, events, clock, JobManagerClient.NONE, Duration.ofSeconds(30));
    }

    /**
     * @param jobManagers      asks a running job's JobManager for checkpoints, restarts and exceptions
     * @param jobPollInterval how often a running pipeline is looked at again, for what only its JobManager tells
     */
    public StreamingPipelineReconciler(OperatorDefaults defaults, EventRecorder events, Clock clock,
                                       JobManagerClient jobManagers, Duration jobPollInterval) {
        this.jobManagers = jobManagers;
        this.jobPollInterval = jobPollInterval;
        this.defaults = defaults;
        this.events = events;
        this.statusWriter = new StatusWriter(events);
        this.finalSavepoint = new FinalSavepoint();
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, StreamingPipeline>> prepareEventSources(EventSourceContext<StreamingPipeline> context) {
        return List.of(SecretKeys.eventSource(context));
    }

    @Override
    public UpdateControl<StreamingPipeline> reconcile(StreamingPipeline pipeline, Context<StreamingPipeline> context) {
        Instant now = clock.instant();
        FlinkObservation flink = FlinkObservation.of(context.getSecondaryResource(FlinkDeployment.class));
        Optional<JobReport> report = report(pipeline, flink);
        Optional<Rollback> rollback = RollbackPlan.of(pipeline, StatusMapper.stabilityShortfall(pipeline, flink, report), now);
        StreamingPipeline target = rollback.isPresent() ? RollbackPlan.rolledBack(pipeline, rollback.get()) : pipeline;
        DeploymentPlan plan = rollback.isPresent() ? DeploymentPlan.rollback(target, SecretKeys.of(context))
                : DeploymentPlan.of(pipeline, flink, SecretKeys.of(context));
        if (plan.blocked()) {
            return blocked(pipeline, Applied.from(pipeline.getStatus()), flink, plan.problems(), context, now);
        }
        if (rollback.isPresent() && pipeline.getStatus().rollback != rollback.get()) {
            LOG.warn("Rolling back StreamingPipeline {}: {}", PipelineResources.qualifiedName(pipeline), rollback.get().reason);
        }

        DesiredState desired = DesiredState.of(target, plan.inputs(), defaults);
        Applied applied = new Applied(desired.specHash(), plan.tokens(), plan.inputs().sourceEpoch(), plan.inputs().maxParallelism());
        // Remember what is about to be applied before applying it: a restarted operator resumes from this.
        pipeline = statusWriter.write(pipeline, StatusMapper.map(pipeline, applied, flink, report, rollback, List.of(), now), context);

        PipelineDependent.putDesiredState(context, desired);
        var result = context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
        for (AppliedChanges.Change change : PipelineDependent.changes(context).all()) {
            LOG.info("{} for StreamingPipeline {}", change.describe(), PipelineResources.qualifiedName(pipeline));
            events.emit(pipeline, false, change.verb(), change.describe());
        }
        if (result.erroredDependentsExist()) {
            List<Problem> failures = result.getErroredDependents().entrySet().stream()
                    .map(failed -> new Problem(Reasons.APPLY_FAILED, "Could not apply " + failed.getKey().name() + ": "
                            + failed.getValue().getMessage()))
                    .toList();
            return blocked(pipeline, applied, flink, failures, context, now);
        }
        FlinkObservation applyResult = FlinkObservation.of(context.getSecondaryResource(FlinkDeployment.class));
        StreamingPipelineStatus status = StatusMapper.map(pipeline, applied, applyResult, report, rollback, List.of(), now);
        statusWriter.write(pipeline, status, context);
        return nextLook(pipeline, status, now, jobPollInterval).map(UpdateControl.<StreamingPipeline>noUpdate()::rescheduleAfter)
                .orElseGet(UpdateControl::noUpdate);
    }

    /** The JobManager's report on the running job, when there is one and it answers. */
    private Optional<JobReport> report(StreamingPipeline pipeline, FlinkObservation flink) {
        return flink.jobStatus()
                .filter(job -> job.getJobId() != null && job.getState() != null && JOB_STATES_WITH_REPORT.contains(job.getState().name()))
                .flatMap(job -> jobManagers.report(PipelineResources.namespace(pipeline), PipelineResources.flinkDeploymentName(pipeline),
                        job.getJobId()));
    }

    /**
     * A running job changes without the FlinkDeployment changing (checkpoints, restarts), and an upgrade can time out
     * without any event: look again after the poll interval, or when the upgrade times out if that comes first. A job
     * FKO has given an id but no state yet (just deployed) is not watched: its FlinkDeployment changes when it has one.
     */
    static Optional<Duration> nextLook(StreamingPipeline pipeline, StreamingPipelineStatus status, Instant now, Duration jobPollInterval) {
        Optional<Duration> timeout = Optional.ofNullable(status.upgrade).filter(upgrade -> upgrade.startTime != null)
                .map(upgrade -> Duration.between(now, Instant.parse(upgrade.startTime)
                        .plus(Durations.parse("spec.upgrade.timeout", pipeline.getSpec().upgrade.timeout))).plusSeconds(1))
                .filter(left -> !left.isNegative());
        boolean watching = status.upgrade != null
                || status.job != null && status.job.state != null && JOB_STATES_WITH_REPORT.contains(status.job.state);
        if (!watching) {
            return Optional.empty();
        }
        return Optional.of(timeout.filter(left -> left.compareTo(jobPollInterval) < 0).orElse(jobPollInterval));
    }

    /**
     * An unexpected failure (the API server refused or was unreachable): Ready=False says so, and java-operator-sdk
     * retries with its backoff. Reconciles triggered later start from scratch, so nothing is left half done.
     */
    @Override
    public ErrorStatusUpdateControl<StreamingPipeline> updateErrorStatus(StreamingPipeline pipeline, Context<StreamingPipeline> context,
                                                                         Exception e) {
        LOG.warn("Reconciling StreamingPipeline {} failed: {}", PipelineResources.qualifiedName(pipeline), e.getMessage());
        if (pipeline.getMetadata().getDeletionTimestamp() == null) {
            try {
                FlinkObservation flink = FlinkObservation.of(context.getSecondaryResource(FlinkDeployment.class));
                Problem failure = new Problem(Reasons.RECONCILE_FAILED, "Reconciling failed and will be retried: " + e.getMessage());
                statusWriter.write(pipeline, StatusMapper.map(pipeline, Applied.from(pipeline.getStatus()), flink, List.of(failure),
                        clock.instant()), context);
            } catch (RuntimeException statusFailure) {
                LOG.warn("Could not report the failure in the status of StreamingPipeline {}: {}",
                        PipelineResources.qualifiedName(pipeline), statusFailure.getMessage());
            }
        }
        return ErrorStatusUpdateControl.defaultErrorProcessing();
    }

    /** Nothing is applied; Ready=False says why, and the pipeline is looked at again with a growing delay. */
    private UpdateControl<StreamingPipeline> blocked(StreamingPipeline pipeline, Applied applied, FlinkObservation flink,
                                                     List<Problem> problems, Context<StreamingPipeline> context, Instant now) {
        StreamingPipelineStatus status = StatusMapper.map(pipeline, applied, flink, problems, now);
        statusWriter.write(pipeline, status, context);
        return UpdateControl.<StreamingPipeline>noUpdate().rescheduleAfter(retryDelay(status, now));
    }

    /** Backoff from the status alone: as long again as the problem has lasted, between 10 seconds and 5 minutes. */
    static Duration retryDelay(StreamingPipelineStatus status, Instant now) {
        Duration lasted = Conditions.find(status.conditions, Conditions.READY)
                .map(ready -> Duration.between(Instant.parse(ready.getLastTransitionTime()), now))
                .orElse(Duration.ZERO);
        return lasted.compareTo(MIN_RETRY) < 0 ? MIN_RETRY : lasted.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : lasted;
    }

    @Override
    public DeleteControl cleanup(StreamingPipeline pipeline, Context<StreamingPipeline> context) {
        Instant now = clock.instant();
        FlinkObservation flink = FlinkObservation.of(context.getSecondaryResource(FlinkDeployment.class));
        DeletionPlan plan = DeletionPlan.of(pipeline, flink, now);
        statusWriter.write(pipeline, StatusMapper.deleting(pipeline, plan, now), context);
        switch (plan.step()) {
            case SUSPEND_WITH_SAVEPOINT -> finalSavepoint.suspend(pipeline, flink.deployment(), context.getClient());
            case RELEASE, RELEASE_AFTER_TIMEOUT -> {
                finalSavepoint.release(pipeline, plan, context.getClient(), now);
                return DeleteControl.defaultDelete();
            }
            case WAIT -> LOG.debug("Waiting for the final savepoint of StreamingPipeline {}", PipelineResources.qualifiedName(pipeline));
        }
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(plan.recheckAfter());
    }
}
