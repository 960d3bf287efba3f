package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;

/** Observed state. Conditions are the contract; phase is a one-word summary for humans. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StreamingPipelineStatus {
    @JsonPropertyDescription("The metadata.generation this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription("Ready, Progressing and Degraded conditions.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("Pending, Deploying, Running, Upgrading, RolledBack, Suspended, Failed or Deleting.")
    public String phase;

    @JsonPropertyDescription("Name of the FlinkDeployment that runs the job.")
    public String flinkDeployment;

    @JsonPropertyDescription("Maximum parallelism pinned at first deploy.")
    public Integer maxParallelism;

    @JsonPropertyDescription("Hash of the last spec applied to the FlinkDeployment; the operator diffs against it to choose the action.")
    public String lastAppliedSpecHash;

    @JsonPropertyDescription("The running job.")
    public Job job;

    @JsonPropertyDescription("Last completed checkpoint.")
    public Checkpoint lastCheckpoint;

    @JsonPropertyDescription("Last completed savepoint.")
    public Savepoint lastSavepoint;

    @JsonPropertyDescription("Savepoints taken, newest first: those the Flink operator keeps (spec.savepoints.retain). One it could not dispose of stays beyond the retained count (Flink Kubernetes Operator 1.15 and later) until its files are gone.")
    public List<Savepoint> savepointHistory = new ArrayList<>();

    @JsonPropertyDescription("Tokens of one-shot actions already applied.")
    public AppliedTokens appliedTokens = new AppliedTokens();

    @JsonPropertyDescription("Kafka source epoch: bumped by offset resets that keep state (it is part of the source's uid).")
    public String sourceEpoch;

    @JsonPropertyDescription("The upgrade in progress, if any: from the spec change until the new job is stable (RUNNING, spec.upgrade.stableCheckpoints checkpoints completed, no restart).")
    public Upgrade upgrade;

    @JsonPropertyDescription("What the operator does (or did) with the current generation, decided before acting: a pure function of the spec, this status and the FlinkDeployment.")
    public Plan plan;

    @JsonPropertyDescription("How long the last upgrade's job was down: from the spec change until its new job ran, e.g. 41s.")
    public String lastUpgradeDowntime;

    @JsonPropertyDescription("The last spec that ran stable, which a rollback returns to.")
    public StableSpec lastStable;

    @JsonPropertyDescription("The backup savepoint taken before the last change that discards the job's state (a restore, an offset reset without state, a stateless or state-incompatible upgrade).")
    public Backup backup;

    @JsonPropertyDescription("The final savepoint of a deleted pipeline of the same name this one started from, if any.")
    public ResumedFrom resumedFrom;

    @JsonPropertyDescription("The last rollback: the generation whose upgrade failed is not applied again until the spec changes.")
    public Rollback rollback;

    @JsonPropertyDescription("Human-readable summary of the current state.")
    public String message;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Job {
        @JsonPropertyDescription("Flink job id.")
        public String id;
        @JsonPropertyDescription("Flink job state (RUNNING, FAILING, FINISHED, ...).")
        public String state;
        @JsonPropertyDescription("Parallelism the job runs with.")
        public Integer parallelism;
        @JsonPropertyDescription("When the job started.")
        public String startTime;
        @JsonPropertyDescription("How often Flink restarted the job since it started (Flink's numRestarts), when its REST API answers.")
        public Long restarts;
        @JsonPropertyDescription("The job's latest exception, summarised (its root cause), when its REST API answers.")
        public String lastException;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Checkpoint {
        @JsonPropertyDescription("Flink's checkpoint id.")
        public Long id;
        @JsonPropertyDescription("When the checkpoint completed.")
        public String time;
        @JsonPropertyDescription("Checkpoint location, when known.")
        public String path;
        @JsonPropertyDescription("How long it took from trigger to the last acknowledgement, e.g. 1.204s.")
        public String duration;
        @JsonPropertyDescription("Bytes the checkpoint wrote (Flink's checkpointed size; the whole state unless incremental).")
        public Long sizeBytes;
        @JsonPropertyDescription("Checkpoints completed since the job started, restored or restarted from its last savepoint.")
        public Long completedSinceStart;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Savepoint {
        @JsonPropertyDescription("Savepoint location.")
        public String path;
        @JsonPropertyDescription("When it completed.")
        public String time;
        @JsonPropertyDescription("Why it was taken: upgrade, periodic, manual, suspend or deletion.")
        public String reason;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class AppliedTokens {
        @JsonPropertyDescription("Last savepoints.triggerToken applied.")
        public String savepoint;
        @JsonPropertyDescription("Last offsetReset.token applied.")
        public String offsetReset;
        @JsonPropertyDescription("Last restore.token applied.")
        public String restore;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Upgrade {
        @JsonPropertyDescription("Spec hash upgraded from.")
        public String from;
        @JsonPropertyDescription("Spec hash upgraded to.")
        public String to;
        @JsonPropertyDescription("Savepoint the new job restores from.")
        public String savepoint;
        @JsonPropertyDescription("Current step: SpecApplied, Upgrading, Deploying or Stabilizing.")
        public String step;
        @JsonPropertyDescription("When the spec change was applied; status.lastUpgradeDowntime counts from here.")
        public String startTime;
        @JsonPropertyDescription("When the Flink operator took the new spec: the old job had stopped (with the upgrade's savepoint, in savepoint mode) and the new one was being deployed. spec.upgrade.timeout counts from here.")
        public String deployTime;
        @JsonPropertyDescription("The generation being upgraded to.")
        public Long generation;
        @JsonPropertyDescription("When the new job was first seen RUNNING.")
        public String runningTime;
        @JsonPropertyDescription("Set when the new job restores a checkpoint instead of a savepoint: the Flink operator's last-state fallback, taken when the job was not running at the upgrade, so no savepoint could be taken. Says which checkpoint.")
        public String fallback;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Plan {
        @JsonPropertyDescription("The generation it is for.")
        public Long generation;
        @JsonPropertyDescription("None, FirstDeployment, InPlace (no restart), Suspend, Resume, SavepointUpgrade, LastStateUpgrade, StatelessRedeploy, RedeployFromSavepoint, Rollback or Refused.")
        public String action;
        @JsonPropertyDescription("What state the action drops: nothing, or what.")
        public String dropsState;
        @JsonPropertyDescription("The backup savepoint taken first, when state is dropped.")
        public String backup;
        @JsonPropertyDescription("Expected downtime, from the last upgrade's measured one, else the last checkpoint's duration.")
        public String expectedDowntime;
        @JsonPropertyDescription("Why, in a sentence.")
        public String message;
        @JsonPropertyDescription("A risk the operator sees in the action, also reported as a Warning event, e.g. a downtime that could outlast the Kafka sink's transactions (spec.sink.kafka.transactionTimeout).")
        public String warning;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class StableSpec {
        @JsonPropertyDescription("The generation that ran stable.")
        public Long generation;
        @JsonPropertyDescription("Hash of what was applied for it (as lastAppliedSpecHash).")
        public String specHash;
        @JsonPropertyDescription("Kafka source epoch it ran with.")
        public String sourceEpoch;
        @JsonPropertyDescription("Its spec, as JSON.")
        public String spec;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Backup {
        @JsonPropertyDescription("What discards the state.")
        public String reason;
        @JsonPropertyDescription("Hash of the desired state that discards it (as lastAppliedSpecHash once applied).")
        public String forSpecHash;
        @JsonPropertyDescription("The savepointTriggerNonce the backup was asked for with.")
        public Long nonce;
        @JsonPropertyDescription("Requested, Taken, Skipped (the job was not running: no state to keep) or Failed.")
        public String step;
        @JsonPropertyDescription("The backup savepoint, once taken; it is also in savepointHistory.")
        public String savepoint;
        @JsonPropertyDescription("When it was requested.")
        public String time;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ResumedFrom {
        @JsonPropertyDescription("The savepoint.")
        public String savepoint;
        @JsonPropertyDescription("The ConfigMap that recorded it.")
        public String record;
        @JsonPropertyDescription("The uid of the deleted pipeline that took it.")
        public String deletedPipelineUid;
        @JsonPropertyDescription("Whether the record is marked as used, so that no later pipeline starts from it again.")
        public Boolean consumed;
        @JsonPropertyDescription("The deleted pipeline's Kafka source epoch, part of the uid its offsets are saved under; the new pipeline continues with it.")
        public String sourceEpoch;
        @JsonPropertyDescription("The deleted pipeline's max parallelism, which its savepoint's key groups need.")
        public Integer maxParallelism;
        @JsonPropertyDescription("The tokens the deleted pipeline had applied: the same tokens in the new pipeline's spec are not applied again.")
        public AppliedTokens appliedTokens;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Rollback {
        @JsonPropertyDescription("The generation whose upgrade failed and was rolled back.")
        public Long generation;
        @JsonPropertyDescription("The generation rolled back to.")
        public Long toGeneration;
        @JsonPropertyDescription("The savepoint the rolled-back job restores from.")
        public String savepoint;
        @JsonPropertyDescription("When the rollback was decided.")
        public String time;
        @JsonPropertyDescription("Why.")
        public String reason;
    }
}
