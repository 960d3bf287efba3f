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
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.Rollback;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.desired.DesiredState;
import io.streampipe.operator.desired.OperatorDefaults;
import io.streampipe.operator.flink.JobManagerClient;
import io.streampipe.operator.flink.JobReport;
import io.streampipe.operator.metrics.PipelineMetrics;
import io.streampipe.operator.plan.BackupPlan;
import io.streampipe.operator.plan.ChangePreview;
import io.streampipe.operator.plan.DeletionPlan;
import io.streampipe.operator.plan.DeploymentPlan;
import io.streampipe.operator.plan.FlinkObservation;
import io.streampipe.operator.plan.Problem;
import io.streampipe.operator.plan.ResumePlan;
import io.streampipe.operator.plan.RollbackPlan;
import io.streampipe.operator.status.Conditions;
import io.streampipe.operator.status.Reasons;
import io.streampipe.operator.status.StatusMapper.Applied;
import io.streampipe.operator.status.StatusMapper;
import io.streampipe.operator.status.StatusEvents;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

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
    private static final Logger LOG = LoggerFactory.getLogger(StreamingPipelineReconciler.class);

    private final OperatorDefaults defaults;
    private final StatusWriter statusWriter;
    private final FinalSavepoint finalSavepoint;
    private final PipelineMetrics metrics;
    private final Clock clock;
    private final JobWatch jobWatch;

    public StreamingPipelineReconciler(OperatorDefaults defaults, EventRecorder events, PipelineMetrics metrics, Clock clock) {
        this(defaults, events, metrics, clock, JobManagerClient.NONE, Duration.ofSeconds(30));
    }

    /**
     * @param jobManagers      asks a running job's JobManager for checkpoints, restarts and exceptions
     * @param jobPollInterval how often a running pipeline is looked at again, for what only its JobManager tells
     */
    public StreamingPipelineReconciler(OperatorDefaults defaults, EventRecorder events, PipelineMetrics metrics, Clock clock,
                                       JobManagerClient jobManagers, Duration jobPollInterval) {
        this.jobWatch = new JobWatch(jobManagers, jobPollInterval);
        this.defaults = defaults;
        this.metrics = metrics;
        this.statusWriter = new StatusWriter(events, metrics);
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
        Optional<JobReport> report = jobWatch.report(pipeline, flink);
        Optional<Rollback> rollback = RollbackPlan.of(pipeline, StatusMapper.stabilityShortfall(pipeline, flink, report), now);
        StreamingPipeline target = rollback.isPresent() ? RollbackPlan.rolledBack(pipeline, rollback.get()) : pipeline;
        // A FlinkDeployment may still be there: the deleted pipeline's, until garbage collection takes it.
        ResumePlan resume = ResumePlan.of(pipeline, ResumePlan.needsRecord(pipeline) ? FinalSavepoint.record(pipeline, context.getClient()) : Optional.empty());
        DeploymentPlan plan = rollback.isPresent() ? DeploymentPlan.rollback(target, SecretKeys.of(context))
                : DeploymentPlan.of(pipeline, flink, SecretKeys.of(context), resume);
        if (plan.blocked()) {
            return blocked(pipeline, Applied.from(pipeline.getStatus()), flink, plan.problems(), context, now);
        }
        if (rollback.isPresent() && pipeline.getStatus().rollback != rollback.get()) {
            LOG.warn("Rolling back StreamingPipeline {}: {}", PipelineResources.qualifiedName(pipeline), rollback.get().reason);
        }

        DesiredState desired = DesiredState.of(target, plan.inputs(), defaults);
        Applied applied = new Applied(desired.specHash(), plan.tokens(), plan.inputs().sourceEpoch(), plan.inputs().maxParallelism(),
                resume.resume().orElse(null));
        BackupPlan backup = rollback.isPresent() ? BackupPlan.none(pipeline)
                : BackupPlan.of(pipeline, desired.specHash(), plan.inputs().startWithoutState(), flink, now);
        if (backup.problem().isPresent()) {
            return blocked(pipeline, Applied.from(pipeline.getStatus()), flink, backup.backup(), List.of(backup.problem().get()), context, now);
        }
        StreamingPipelineStatus.Plan preview = ChangePreview.of(pipeline, desired.specHash(), plan.inputs(),
                desired.flinkDeployment().getSpec(), flink, List.of(), rollback.isPresent(), backup.backup());
        if (backup.hold()) {
            // Nothing of the change yet: the job as it runs, asked for a savepoint; the change waits for it.
            applied = Applied.from(pipeline.getStatus());
            desired = DesiredState.holding(flink.deployment(), backup.nonce(), applied.specHash(), desired);
        }
        // Remember what is about to be applied before applying it: a restarted operator resumes from this.
        StreamingPipelineStatus started = pipeline.getStatus();
        pipeline = statusWriter.writeBeforeApply(pipeline, withPlan(StatusMapper.map(pipeline, applied, flink, report, rollback, backup.backup(),
                List.of(), now), preview), context);
        context.managedWorkflowAndDependentResourceContext().put(StoredBeforeApply.class, new StoredBeforeApply(pipeline));

        PipelineDependent.putDesiredState(context, desired);
        var result = context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
        List<StatusEvents.Change> changes = PipelineDependent.changes(context).all();
        for (StatusEvents.Change change : changes) {
            LOG.info("{} for StreamingPipeline {}", change.describe(), PipelineResources.qualifiedName(pipeline));
        }
        if (result.erroredDependentsExist()) {
            List<Problem> failures = result.getErroredDependents().entrySet().stream()
                    .map(failed -> Problem.applyFailed(failed.getKey().name(), failed.getValue().getMessage()))
                    .toList();
            metrics.reconcileFailed(PipelineResources.namespace(pipeline), PipelineResources.name(pipeline), Reasons.APPLY_FAILED);
            return blocked(pipeline, applied, flink, Optional.empty(), failures, context, now, started, changes);
        }
        if (applied.resumedFrom() != null && !Boolean.TRUE.equals(applied.resumedFrom().consumed)) {
            applied = FinalSavepoint.consume(pipeline, applied, context.getClient(), now);
        }
        FlinkObservation applyResult = FlinkObservation.of(context.getSecondaryResource(FlinkDeployment.class));
        JobConfigMapDependent.removeUnusedVersions(pipeline, desired, applyResult, context);
        StreamingPipelineStatus status = withPlan(StatusMapper.map(pipeline, applied, applyResult, report, rollback, backup.backup(),
                List.of(), now), preview);
        statusWriter.write(pipeline, status, context, started, changes);
        return jobWatch.nextLook(pipeline, status, now).map(UpdateControl.<StreamingPipeline>noUpdate()::rescheduleAfter)
                .orElseGet(UpdateControl::noUpdate);
    }

    /** The pipeline as the status written before the apply left it stored, for a failure after that write. */
    private record StoredBeforeApply(StreamingPipeline pipeline) {
    }

    private static StreamingPipelineStatus withPlan(StreamingPipelineStatus status, StreamingPipelineStatus.Plan plan) {
        status.plan = plan;
        return status;
    }


    /**
     * An unexpected failure (the API server refused or was unreachable): Ready=False says so, and java-operator-sdk
     * retries with its backoff. Reconciles triggered later start from scratch, so nothing is left half done.
     */
    @Override
    public ErrorStatusUpdateControl<StreamingPipeline> updateErrorStatus(StreamingPipeline pipeline, Context<StreamingPipeline> context,
                                                                         Exception e) {
        LOG.warn("Reconciling StreamingPipeline {} failed: {}", PipelineResources.qualifiedName(pipeline), e.getMessage());
        metrics.reconcileFailed(PipelineResources.namespace(pipeline), PipelineResources.name(pipeline), Reasons.RECONCILE_FAILED);
        if (pipeline.getMetadata().getDeletionTimestamp() == null) {
            try {
                FlinkObservation flink = FlinkObservation.of(context.getSecondaryResource(FlinkDeployment.class));
                Problem failure = Problem.reconcileFailed(e.getMessage());
                // What the reconcile applied before it failed is told with the failure, as its outcome would have told it.
                List<StatusEvents.Change> changes = context.managedWorkflowAndDependentResourceContext()
                        .get(AppliedChanges.class, AppliedChanges.class).map(AppliedChanges::all).orElse(List.of());
                // The failure goes on top of what the reconcile stored before its apply, which records what the
                // FlinkDeployment may now run; java-operator-sdk hands back the pipeline as the reconcile started (its
                // ReconciliationDispatcher passes the resourceForExecution it gave reconcile to handleErrorStatusHandler).
                StreamingPipeline stored = context.managedWorkflowAndDependentResourceContext()
                        .get(StoredBeforeApply.class, StoredBeforeApply.class).map(StoredBeforeApply::pipeline).orElse(pipeline);
                statusWriter.write(stored, StatusMapper.map(stored, Applied.from(stored.getStatus()), flink, List.of(failure),
                        clock.instant()), context, pipeline.getStatus(), changes);
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
        return blocked(pipeline, applied, flink, Optional.empty(), problems, context, now);
    }

    private UpdateControl<StreamingPipeline> blocked(StreamingPipeline pipeline, Applied applied, FlinkObservation flink,
                                                     Optional<StreamingPipelineStatus.Backup> backup, List<Problem> problems,
                                                     Context<StreamingPipeline> context, Instant now) {
        return blocked(pipeline, applied, flink, backup, problems, context, now, pipeline.getStatus(), List.of());
    }

    /** @param started the status the reconcile started from; {@code changes} what it applied before it failed */
    private UpdateControl<StreamingPipeline> blocked(StreamingPipeline pipeline, Applied applied, FlinkObservation flink,
                                                     Optional<StreamingPipelineStatus.Backup> backup, List<Problem> problems,
                                                     Context<StreamingPipeline> context, Instant now,
                                                     StreamingPipelineStatus started, List<StatusEvents.Change> changes) {
        StreamingPipelineStatus status = withPlan(StatusMapper.map(pipeline, applied, flink, Optional.empty(), Optional.empty(), backup,
                problems, now), ChangePreview.refused(pipeline, problems));
        statusWriter.write(pipeline, status, context, started, changes);
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
