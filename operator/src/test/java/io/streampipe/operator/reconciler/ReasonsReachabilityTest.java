package io.streampipe.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.streampipe.api.v1alpha1.CheckpointingSpec;
import io.streampipe.api.v1alpha1.OffsetResetSpec;
import io.streampipe.api.v1alpha1.RestoreSpec;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.UpgradeSpec;
import io.streampipe.operator.desired.DesiredState;
import io.streampipe.operator.flink.JobReport;
import io.streampipe.operator.plan.BackupPlan;
import io.streampipe.operator.plan.DeletionPlan;
import io.streampipe.operator.plan.DeploymentPlan;
import io.streampipe.operator.plan.FlinkObservation;
import io.streampipe.operator.plan.Problem;
import io.streampipe.operator.status.Reasons;
import io.streampipe.operator.status.StatusEvents;
import io.streampipe.operator.status.StatusMapper;
import io.streampipe.operator.status.StatusMapper.Applied;
import io.streampipe.operator.testing.Examples;
import io.streampipe.operator.testing.FlinkStatuses;
import io.streampipe.standin.fko.FkoStatus;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.ReconciliationState;
import org.apache.flink.kubernetes.operator.api.status.SnapshotTriggerType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every reason in {@link Reasons#all()} is one the operator can actually write: for each, a case with realistic inputs
 * (an example pipeline, FlinkDeployment statuses replayed through FKO's rules) run through the code that writes
 * reasons (Preflight and DeploymentPlan, StatusMapper, DeletionPlan, StatusEvents, the dependents' change record).
 * It fails when a constant has no case, or when a case writes a reason the list does not have.
 */
class ReasonsReachabilityTest {
    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    private static final Map<String, Set<String>> ALL_SECRETS = Map.of(
            "analytics-db", Set.of("username", "password"), "shop-db", Set.of("username", "password"),
            "kafka-orders-reader", Set.of("username", "password"), "flink-state-s3", Set.of("accessKeyId", "secretAccessKey"));

    /** Each reason and the case that should write it; a case returns every reason it wrote. */
    private static final Map<String, Supplier<Set<String>>> CASES = new LinkedHashMap<>();

    static {
        CASES.put(Reasons.DEPLOYING, () -> reconcile(Examples.load("sensor-anomalies"), FlinkStatuses::deploying));
        CASES.put(Reasons.PHASE_PENDING, () -> reconcile(Examples.load("sensor-anomalies"), null));
        CASES.put(Reasons.RUNNING, () -> reconcile(Examples.load("sensor-anomalies"), FlinkStatuses::running));
        CASES.put(Reasons.STABLE, CASES.get(Reasons.RUNNING));
        CASES.put(Reasons.HEALTHY, CASES.get(Reasons.RUNNING));
        CASES.put(Reasons.UPGRADING, ReasonsReachabilityTest::upgrade);
        CASES.put(Reasons.SUSPENDED, () -> {
            StreamingPipeline pipeline = Examples.load("sensor-anomalies");
            pipeline.getSpec().state = StreamingPipelineSpec.State.SUSPENDED;
            return reconcile(pipeline, d -> FlinkStatuses.suspended(d, "s3://flink-state/sp/savepoint-1", FlinkStatuses.START_TIME));
        });
        CASES.put(Reasons.SPEC_APPLIED, () -> reconcile(Examples.load("sensor-anomalies"), deployment -> {
            FlinkDeploymentStatus status = FlinkStatuses.running(deployment);
            deployment.getMetadata().setGeneration(2L); // our change is written; FKO has not observed it yet
            return status;
        }));
        CASES.put(Reasons.JOB_FAILED, () -> reconcile(Examples.load("sensor-anomalies"), d -> FlinkStatuses.failed(d, "boom")));
        CASES.put(Reasons.PHASE_FAILED, CASES.get(Reasons.JOB_FAILED));
        CASES.put(Reasons.JOB_RESTARTING, () -> reconcile(Examples.load("sensor-anomalies"), FlinkStatuses::restarting));
        CASES.put(Reasons.ROLLED_BACK, () -> reconcile(Examples.load("sensor-anomalies"), deployment -> {
            FlinkDeploymentStatus status = FlinkStatuses.running(deployment);
            // FKO's rollback ends with reconciliationStatus.state ROLLED_BACK, which its lifecycle reads as ROLLED_BACK
            // (FKO 1.16 AbstractFlinkResourceReconciler.rollback; ResourceLifecycleState from CommonStatus.getLifecycleState).
            status.getReconciliationStatus().setState(ReconciliationState.ROLLED_BACK);
            return status;
        }));
        CASES.put(Reasons.FLINK_DEPLOYMENT_ERROR, () -> reconcile(Examples.load("sensor-anomalies"), deployment -> {
            FlinkDeploymentStatus status = FlinkStatuses.running(deployment);
            // A refused spec change: FKO records the ValidationException while the job runs on (applyValidationErrorAndResetSpec).
            FkoStatus.error(status, List.<String[]>of(new String[]{
                    "org.apache.flink.kubernetes.operator.exception.ValidationException", "Forbidden Flink config key"}));
            return status;
        }));
        CASES.put(Reasons.INVALID_SPEC, () -> {
            StreamingPipeline pipeline = Examples.load("sensor-anomalies");
            pipeline.getSpec().transform.keyBy = List.of("no_such_field");
            return reconcile(pipeline, null);
        });
        CASES.put(Reasons.SECRET_NOT_FOUND, () -> reconcile(Examples.load("orders-upsert"), null, Map.of()));
        CASES.put(Reasons.SECRET_KEY_NOT_FOUND, () -> reconcile(Examples.load("orders-upsert"), null,
                Map.of("shop-db", Set.of("user"), "kafka-orders-reader", Set.of("username", "password"))));
        CASES.put(Reasons.STORAGE_UNFIT_FOR_UPGRADE_MODE, () -> {
            StreamingPipeline pipeline = Examples.load("orders-upsert");
            pipeline.getSpec().upgrade.mode = UpgradeSpec.Mode.LAST_STATE;
            pipeline.getSpec().checkpointing.storage = new CheckpointingSpec.Storage();
            pipeline.getSpec().checkpointing.storage.path = "file:///tmp/flink";
            return reconcile(pipeline, null);
        });
        CASES.put(Reasons.MAX_PARALLELISM_CHANGED, () -> {
            StreamingPipeline pipeline = Examples.load("sensor-anomalies");
            pipeline.setStatus(new StreamingPipelineStatus());
            pipeline.getStatus().maxParallelism = 64;
            return reconcile(pipeline, null);
        });
        CASES.put(Reasons.PARALLELISM_ABOVE_MAX_PARALLELISM, () -> {
            StreamingPipeline pipeline = Examples.load("orders-upsert");
            pipeline.getSpec().parallelism = 200;
            return reconcile(pipeline, null);
        });
        CASES.put(Reasons.INCOMPATIBLE_STATE_CHANGE, () -> {
            StreamingPipeline pipeline = Examples.load("sensor-anomalies");
            FlinkDeployment running = deployed(pipeline, FlinkStatuses::running);
            pipeline.getSpec().transform.keyBy = List.of("sensor_id", "site");
            pipeline.getSpec().sink.postgres.primaryKey = null;
            return reconcile(pipeline, running, ALL_SECRETS);
        });
        CASES.put(Reasons.APPLY_FAILED, () -> problem(Problem.applyFailed("flink-deployment", "admission webhook denied the request")));
        CASES.put(Reasons.RECONCILE_FAILED, () -> problem(Problem.reconcileFailed("connection refused")));
        CASES.put(Reasons.DELETING, () -> delete(FlinkStatuses::running, NOW.plusSeconds(1)));
        CASES.put(Reasons.FINAL_SAVEPOINT, () -> {
            StreamingPipeline pipeline = Examples.load("sensor-anomalies");
            pipeline.getSpec().state = StreamingPipelineSpec.State.SUSPENDED;
            return delete(pipeline, d -> FlinkStatuses.withSavepoint(FlinkStatuses.suspended(d, "s3://flink-state/sp/final",
                    FlinkStatuses.START_TIME), "s3://flink-state/sp/final", FlinkStatuses.START_TIME, SnapshotTriggerType.UPGRADE, null),
                    NOW.plusSeconds(10));
        });
        CASES.put(Reasons.FINAL_SAVEPOINT_TIMED_OUT, () -> delete(FlinkStatuses::running, NOW.plus(Duration.ofMinutes(6))));
        CASES.put(Reasons.CREATED, () -> dependentsRecord(Reasons.CREATED));
        CASES.put(Reasons.UPDATED, () -> dependentsRecord(Reasons.UPDATED));
        CASES.put(Reasons.SAVEPOINT_COMPLETED, () -> reconcile(Examples.load("sensor-anomalies"), d -> FlinkStatuses.withSavepoint(
                FlinkStatuses.running(d), "s3://flink-state/sp/periodic-1", FlinkStatuses.START_TIME + 1000, SnapshotTriggerType.PERIODIC, null)));
        CASES.put(Reasons.SAVEPOINT_TRIGGERED, () -> {
            StreamingPipeline pipeline = Examples.load("sensor-anomalies");
            pipeline.getSpec().savepoints.triggerToken = "before-upgrade";
            return reconcile(pipeline, FlinkStatuses::running);
        });
        CASES.put(Reasons.OFFSET_RESET_APPLIED, () -> {
            StreamingPipeline pipeline = Examples.load("sensor-anomalies");
            pipeline.getSpec().offsetReset = new OffsetResetSpec();
            pipeline.getSpec().offsetReset.token = "replay-1";
            pipeline.getSpec().offsetReset.to = OffsetResetSpec.Target.EARLIEST;
            return reconcile(pipeline, FlinkStatuses::running);
        });
        CASES.put(Reasons.RESTORE_APPLIED, () -> {
            StreamingPipeline pipeline = Examples.load("sensor-anomalies");
            pipeline.getSpec().restore = new RestoreSpec();
            pipeline.getSpec().restore.token = "restore-1";
            pipeline.getSpec().restore.savepointPath = "s3://flink-state/sp/savepoint-0";
            return reconcile(pipeline, FlinkStatuses::running);
        });
    }

    // Written by what the operator learns from the JobManager, by upgrades that time out, and by backups and resumes.
    static {
        CASES.put(Reasons.CHECKPOINT_FAILING, () -> withReport((deployment, jobId) -> new JobReport(jobId,
                Optional.of(new JobReport.Checkpoint(4, NOW.minusSeconds(60), Duration.ofSeconds(1), 1024, Optional.empty())), 4,
                Optional.of(new JobReport.FailedCheckpoint(5, false, NOW.minusSeconds(5), "Checkpoint expired before completing.")),
                0, Optional.empty())));
        CASES.put(Reasons.SAVEPOINT_FAILED, () -> withReport((deployment, jobId) -> new JobReport(jobId,
                Optional.of(new JobReport.Checkpoint(4, NOW.minusSeconds(60), Duration.ofSeconds(1), 1024, Optional.empty())), 4,
                Optional.of(new JobReport.FailedCheckpoint(5, true, NOW.minusSeconds(5), "java.io.IOException: No space left on device")),
                0, Optional.empty())));
        CASES.put(Reasons.UPGRADE_TIMED_OUT, () -> {
            StreamingPipeline pipeline = Examples.load("sensor-anomalies");
            pipeline.getSpec().upgrade.rollbackOnFailure = false;
            FlinkDeployment deployment = deployed(pipeline, FlinkStatuses::running);
            pipeline.getMetadata().setGeneration(1L);
            StreamingPipelineStatus before = new StreamingPipelineStatus();
            before.lastAppliedSpecHash = DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS).specHash();
            before.upgrade = new StreamingPipelineStatus.Upgrade();
            before.upgrade.to = before.lastAppliedSpecHash;
            before.upgrade.startTime = NOW.minus(Duration.ofMinutes(12)).toString();
            before.upgrade.deployTime = NOW.minus(Duration.ofMinutes(11)).toString();
            before.upgrade.generation = 1L;
            pipeline.setStatus(before);
            // Running, but one checkpoint of the two that make it stable after eleven minutes.
            JobReport report = new JobReport(deployment.getStatus().getJobStatus().getJobId(), Optional.of(new JobReport.Checkpoint(1,
                    NOW.minusSeconds(30), Duration.ofSeconds(1), 1024, Optional.empty())), 1, Optional.empty(), 0, Optional.empty());
            return written(before, StatusMapper.map(pipeline, Applied.from(before), FlinkObservation.of(Optional.of(deployment)),
                    Optional.of(report), Optional.empty(), Optional.empty(), List.of(), NOW));
        });
        CASES.put(Reasons.BACKING_UP, () -> backup(false));
        CASES.put(Reasons.BACKUP_SAVEPOINT_FAILED, () -> backup(true));
        CASES.put(Reasons.BACKUP_SAVEPOINT, () -> {
            StreamingPipelineStatus before = new StreamingPipelineStatus();
            before.backup = new StreamingPipelineStatus.Backup();
            before.backup.step = "Requested";
            StreamingPipelineStatus after = io.fabric8.kubernetes.client.utils.Serialization.clone(before);
            after.backup.step = "Taken";
            after.backup.savepoint = "s3://flink-state/sp/backup-1";
            after.backup.reason = "offset reset r1 without state";
            return written(before, after);
        });
        CASES.put(Reasons.RESUMED_FROM_FINAL_SAVEPOINT, () -> {
            StreamingPipelineStatus after = new StreamingPipelineStatus();
            after.resumedFrom = new StreamingPipelineStatus.ResumedFrom();
            after.resumedFrom.savepoint = "s3://flink-state/sp/final-1";
            after.resumedFrom.record = "analytics/sensor-anomalies-final-savepoint";
            return written(new StreamingPipelineStatus(), after);
        });
        CASES.put(Reasons.TRANSACTION_TIMEOUT_RISK, () -> {
            // A rescale of a pipeline with an exactly-once Kafka sink whose last upgrade was down 7 of its 10 minutes.
            StreamingPipeline pipeline = Examples.load("sensor-anomalies");
            pipeline.getSpec().sink.kafka = new io.streampipe.api.v1alpha1.KafkaSinkSpec();
            pipeline.getSpec().sink.kafka.bootstrapServers = "kafka:9092";
            pipeline.getSpec().sink.kafka.topic = "sensor-alerts";
            pipeline.getMetadata().setGeneration(1L);
            FlinkObservation flink = FlinkObservation.of(Optional.of(deployed(pipeline, FlinkStatuses::running)));
            Applied applied = new Applied(DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS).specHash(),
                    new StreamingPipelineStatus.AppliedTokens(), "0", 128);
            StreamingPipelineStatus before = StatusMapper.map(pipeline, applied, flink, List.of(), NOW);
            before.lastUpgradeDowntime = "420s";
            pipeline.setStatus(before);
            pipeline.getMetadata().setGeneration(2L);
            pipeline.getSpec().parallelism = 4;
            DeploymentPlan plan = DeploymentPlan.of(pipeline, flink, ALL_SECRETS);
            DesiredState desired = DesiredState.of(pipeline, plan.inputs(), Examples.DEFAULTS);
            StreamingPipelineStatus after = io.fabric8.kubernetes.client.utils.Serialization.clone(before);
            after.plan = io.streampipe.operator.plan.ChangePreview.of(pipeline, desired.specHash(), plan.inputs(),
                    desired.flinkDeployment().getSpec(), flink, List.of(), false, Optional.empty());
            return written(before, after);
        });
        CASES.put(Reasons.UPGRADE_FROM_CHECKPOINT, () -> {
            StreamingPipeline pipeline = Examples.load("sensor-anomalies");
            FlinkDeployment deployment = deployed(pipeline, d -> FlinkStatuses.upgrading(d, "s3://flink-state/sp/upgrade-1"));
            deployment.getStatus().getJobStatus().setUpgradeSavepointPath("s3://flink-state/cp/chk-9");
            pipeline.setStatus(new StreamingPipelineStatus());
            pipeline.getStatus().lastAppliedSpecHash = "previous-spec";
            pipeline.getStatus().maxParallelism = 128;
            return reconcile(pipeline, deployment, ALL_SECRETS);
        });
    }

    /** A running pipeline, and what its JobManager reports. */
    private static Set<String> withReport(java.util.function.BiFunction<FlinkDeployment, String, JobReport> report) {
        StreamingPipeline pipeline = Examples.load("sensor-anomalies");
        pipeline.getMetadata().setGeneration(1L);
        FlinkDeployment deployment = deployed(pipeline, FlinkStatuses::running);
        FlinkObservation flink = FlinkObservation.of(Optional.of(deployment));
        Applied applied = new Applied(DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS).specHash(),
                new StreamingPipelineStatus.AppliedTokens(), "0", 128);
        StreamingPipelineStatus before = StatusMapper.map(pipeline, applied, flink, List.of(), NOW.minusSeconds(60));
        pipeline.setStatus(before);
        String jobId = deployment.getStatus().getJobStatus().getJobId();
        return written(before, StatusMapper.map(pipeline, applied, flink, Optional.of(report.apply(deployment, jobId)), Optional.empty(),
                Optional.empty(), List.of(), NOW));
    }

    /** An offset reset without state on a running job: the backup savepoint is asked for, or FKO gave up on it. */
    private static Set<String> backup(boolean failed) {
        StreamingPipeline pipeline = Examples.load("sensor-anomalies");
        pipeline.getMetadata().setGeneration(1L);
        FlinkDeployment deployment = deployed(pipeline, FlinkStatuses::running);
        Applied applied = new Applied(DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS).specHash(),
                new StreamingPipelineStatus.AppliedTokens(), "0", 128);
        StreamingPipelineStatus before = StatusMapper.map(pipeline, applied, FlinkObservation.of(Optional.of(deployment)), List.of(), NOW.minusSeconds(60));
        pipeline.setStatus(before);
        pipeline.getSpec().offsetReset = new OffsetResetSpec();
        pipeline.getSpec().offsetReset.token = "r1";
        pipeline.getSpec().offsetReset.to = OffsetResetSpec.Target.EARLIEST;
        pipeline.getSpec().offsetReset.keepState = false;
        DeploymentPlan plan = DeploymentPlan.of(pipeline, FlinkObservation.of(Optional.of(deployment)), ALL_SECRETS);
        String hash = DesiredState.of(pipeline, plan.inputs(), Examples.DEFAULTS).specHash();
        BackupPlan backup = BackupPlan.of(pipeline, hash, plan.inputs().startWithoutState(), FlinkObservation.of(Optional.of(deployment)), NOW);
        if (failed) {
            pipeline.getStatus().backup = backup.backup().orElseThrow();
            deployment.getSpec().getJob().setSavepointTriggerNonce(backup.nonce());
            FlinkStatuses.running(deployment);
            backup = BackupPlan.of(pipeline, hash, plan.inputs().startWithoutState(), FlinkObservation.of(Optional.of(deployment)), NOW);
        }
        List<Problem> problems = backup.problem().stream().toList();
        return written(before, StatusMapper.map(pipeline, Applied.from(before), FlinkObservation.of(Optional.of(deployment)),
                Optional.empty(), Optional.empty(), backup.backup(), problems, NOW));
    }

    static List<String> reasons() {
        return Reasons.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reasons")
    void everyReasonIsWrittenByACase(String reason) {
        assertThat(CASES).as("a case that writes %s", reason).containsKey(reason);
        Set<String> written = CASES.get(reason).get();
        assertThat(written).as("what the case for %s wrote", reason).contains(reason);
        assertThat(Reasons.all()).as("the reasons the case for %s wrote are all listed", reason).containsAll(written);
    }

    @Test
    void everyCaseIsForAListedReason() {
        assertThat(Reasons.all()).containsAll(CASES.keySet());
    }

    /** One reconcile, as the reconciler runs it, from a pipeline's previous status to its new one; Secrets all there. */
    private static Set<String> reconcile(StreamingPipeline pipeline, Function<FlinkDeployment, FlinkDeploymentStatus> observed) {
        return reconcile(pipeline, observed == null ? null : deployed(pipeline, observed), ALL_SECRETS);
    }

    private static Set<String> reconcile(StreamingPipeline pipeline, FlinkDeployment deployment, Map<String, Set<String>> secrets) {
        pipeline.getMetadata().setGeneration(1L);
        FlinkObservation flink = FlinkObservation.of(Optional.ofNullable(deployment));
        if (pipeline.getStatus() == null && deployment != null) {
            // The status the reconcile that deployed it wrote, before this one: same spec, no tokens applied yet.
            StreamingPipeline before = io.fabric8.kubernetes.client.utils.Serialization.clone(pipeline);
            before.getSpec().savepoints.triggerToken = null;
            pipeline.setStatus(StatusMapper.map(before, new Applied(null, new StreamingPipelineStatus.AppliedTokens(), "0", 128),
                    FlinkObservation.of(Optional.of(stripSavepoints(deployment))), List.of(), NOW.minusSeconds(60)));
        }
        DeploymentPlan plan = DeploymentPlan.of(pipeline, flink, secrets);
        StreamingPipelineStatus status;
        if (plan.blocked()) {
            status = StatusMapper.map(pipeline, Applied.from(pipeline.getStatus()), flink, plan.problems(), NOW);
        } else {
            DesiredState desired = DesiredState.of(pipeline, plan.inputs(), Examples.DEFAULTS);
            Applied applied = new Applied(desired.specHash(), plan.tokens(), plan.inputs().sourceEpoch(), plan.inputs().maxParallelism());
            status = StatusMapper.map(pipeline, applied, flink, List.of(), NOW);
        }
        return written(pipeline.getStatus(), status);
    }

    /** A spec change Flink is applying: the status recorded the previous spec hash, and FKO is mid-upgrade. */
    private static Set<String> upgrade() {
        StreamingPipeline pipeline = Examples.load("sensor-anomalies");
        FlinkDeployment deployment = deployed(pipeline, d -> FlinkStatuses.upgrading(d, "s3://flink-state/sp/upgrade-1"));
        pipeline.setStatus(new StreamingPipelineStatus());
        pipeline.getStatus().lastAppliedSpecHash = "previous-spec";
        pipeline.getStatus().maxParallelism = 128;
        return reconcile(pipeline, deployment, ALL_SECRETS);
    }

    private static FlinkDeployment deployed(StreamingPipeline pipeline, Function<FlinkDeployment, FlinkDeploymentStatus> observed) {
        FlinkDeployment deployment = DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS).flinkDeployment();
        deployment.getMetadata().setGeneration(1L);
        deployment.setStatus(observed.apply(deployment));
        return deployment;
    }

    private static FlinkDeployment stripSavepoints(FlinkDeployment deployment) {
        FlinkDeployment copy = io.fabric8.kubernetes.client.utils.Serialization.clone(deployment);
        copy.getStatus().getJobStatus().getSavepointInfo().setLastSavepoint(null);
        return copy;
    }

    /** A failure the reconciler reports (StreamingPipelineReconciler.reconcile and updateErrorStatus) on a running pipeline. */
    private static Set<String> problem(Problem problem) {
        StreamingPipeline pipeline = Examples.load("sensor-anomalies");
        FlinkObservation flink = FlinkObservation.of(Optional.of(deployed(pipeline, FlinkStatuses::running)));
        StreamingPipelineStatus before = StatusMapper.map(pipeline, Applied.from(null), flink, List.of(), NOW.minusSeconds(60));
        pipeline.setStatus(before);
        return written(before, StatusMapper.map(pipeline, Applied.from(before), flink, List.of(problem), NOW));
    }

    private static Set<String> delete(Function<FlinkDeployment, FlinkDeploymentStatus> observed, Instant now) {
        return delete(Examples.load("sensor-anomalies"), observed, now);
    }

    /** The cleanup of a pipeline deleted at NOW: its plan, then the status it writes. */
    private static Set<String> delete(StreamingPipeline pipeline, Function<FlinkDeployment, FlinkDeploymentStatus> observed, Instant now) {
        FlinkObservation flink = FlinkObservation.of(Optional.of(deployed(pipeline, observed)));
        StreamingPipelineStatus before = StatusMapper.map(pipeline, Applied.from(null), flink, List.of(), NOW.minusSeconds(60));
        pipeline.setStatus(before);
        pipeline.getMetadata().setDeletionTimestamp(NOW.toString());
        DeletionPlan plan = DeletionPlan.of(pipeline, flink, now);
        Set<String> written = written(before, StatusMapper.deleting(pipeline, plan, now));
        written.add(plan.reason());
        return written;
    }

    /** What the dependents record when they create or update a child, told in the reconcile's Event when the status stays. */
    private static Set<String> dependentsRecord(String verb) {
        AppliedChanges changes = new AppliedChanges();
        changes.add(verb, new ConfigMapBuilder().withNewMetadata().withName("sensor-anomalies-job").withNamespace("analytics")
                .endMetadata().build());
        StreamingPipeline pipeline = Examples.load("sensor-anomalies");
        pipeline.getMetadata().setGeneration(1L);
        StreamingPipelineStatus status = StatusMapper.map(pipeline, Applied.from(null),
                FlinkObservation.of(Optional.of(deployed(pipeline, FlinkStatuses::running))), List.of(), NOW);
        Set<String> written = new TreeSet<>();
        StatusEvents.of(status, status, changes.all()).forEach(event -> written.add(event.reason()));
        return written;
    }

    /** Every reason a status transition writes: the conditions' reasons, the phase, and the Events' reasons. */
    private static Set<String> written(StreamingPipelineStatus before, StreamingPipelineStatus after) {
        Set<String> written = new TreeSet<>();
        after.conditions.stream().map(Condition::getReason).forEach(written::add);
        if (after.phase != null) {
            written.add(after.phase);
        }
        StatusEvents.between(before, after).forEach(event -> written.add(event.reason()));
        return written;
    }
}
