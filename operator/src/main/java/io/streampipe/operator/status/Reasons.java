package io.streampipe.operator.status;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

/**
 * Every reason the operator writes: the {@code reason} of the Ready, Progressing and Degraded conditions, and the
 * reason of the Events it records. One CamelCase word each. The phase names double as Event reasons when the phase
 * changes without Ready changing; they are listed here too. The troubleshooting guide has an entry for each.
 */
public final class Reasons {
    // The job's life, as Ready and Progressing show it.
    public static final String DEPLOYING = "Deploying";
    public static final String RUNNING = "Running";
    public static final String UPGRADING = "Upgrading";
    public static final String SUSPENDED = "Suspended";
    public static final String STABLE = "Stable";
    public static final String SPEC_APPLIED = "SpecApplied";
    public static final String BACKING_UP = "BackingUp";

    // What is wrong with the job, as Degraded (and Ready, when the job is not running) shows it.
    public static final String HEALTHY = "Healthy";
    public static final String JOB_FAILED = "JobFailed";
    public static final String JOB_RESTARTING = "JobRestarting";
    public static final String ROLLED_BACK = "RolledBack";
    public static final String FLINK_DEPLOYMENT_ERROR = "FlinkDeploymentError";
    public static final String CHECKPOINT_FAILING = "CheckpointFailing";
    public static final String SAVEPOINT_FAILED = "SavepointFailed";
    public static final String UPGRADE_TIMED_OUT = "UpgradeTimedOut";

    // Why the spec cannot be applied as written: Ready=False, nothing is changed on the cluster.
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String SECRET_NOT_FOUND = "SecretNotFound";
    public static final String SECRET_KEY_NOT_FOUND = "SecretKeyNotFound";
    public static final String STORAGE_UNFIT_FOR_UPGRADE_MODE = "StorageUnfitForUpgradeMode";
    public static final String MAX_PARALLELISM_CHANGED = "MaxParallelismChanged";
    public static final String PARALLELISM_ABOVE_MAX_PARALLELISM = "ParallelismAboveMaxParallelism";
    public static final String INCOMPATIBLE_STATE_CHANGE = "IncompatibleStateChange";
    public static final String APPLY_FAILED = "ApplyFailed";
    public static final String RECONCILE_FAILED = "ReconcileFailed";
    public static final String BACKUP_SAVEPOINT_FAILED = "BackupSavepointFailed";

    // Deletion.
    public static final String DELETING = "Deleting";
    public static final String FINAL_SAVEPOINT = "FinalSavepoint";
    public static final String FINAL_SAVEPOINT_TIMED_OUT = "FinalSavepointTimedOut";

    // Events only.
    public static final String CREATED = "Created";
    public static final String UPDATED = "Updated";
    public static final String SAVEPOINT_COMPLETED = "SavepointCompleted";
    public static final String SAVEPOINT_TRIGGERED = "SavepointTriggered";
    public static final String OFFSET_RESET_APPLIED = "OffsetResetApplied";
    public static final String RESTORE_APPLIED = "RestoreApplied";
    public static final String RESUMED_FROM_FINAL_SAVEPOINT = "ResumedFromFinalSavepoint";
    public static final String UPGRADE_FROM_CHECKPOINT = "UpgradeFromCheckpoint";
    public static final String BACKUP_SAVEPOINT = "BackupSavepoint";
    public static final String TRANSACTION_TIMEOUT_RISK = "TransactionTimeoutRisk";

    // Phases, which are Event reasons when the phase changes while Ready does not.
    public static final String PHASE_PENDING = "Pending";
    public static final String PHASE_FAILED = "Failed";

    /** Reasons that say something is wrong; a Ready=False with any other reason is the normal course of things. */
    public static boolean isProblem(String reason) {
        return !List.of(DEPLOYING, UPGRADING, SUSPENDED, DELETING, FINAL_SAVEPOINT).contains(reason);
    }

    /** All of the above, for the documentation check. */
    public static List<String> all() {
        return Arrays.stream(Reasons.class.getDeclaredFields())
                .filter(field -> Modifier.isStatic(field.getModifiers()) && field.getType() == String.class)
                .map(Reasons::value)
                .distinct()
                .toList();
    }

    private static String value(Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private Reasons() {
    }
}
