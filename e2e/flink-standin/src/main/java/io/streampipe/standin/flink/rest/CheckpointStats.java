package io.streampipe.standin.flink.rest;

import java.util.Optional;

/**
 * {@code GET /jobs/:jobid/checkpoints}: counts since the job started, and the latest checkpoint of each outcome.
 *
 * @param latestCompleted the newest completed checkpoint or savepoint
 * @param latestSavepoint the newest completed savepoint
 * @param latestRestored  what the job (re)started from, if anything: a savepoint at submission, a checkpoint after
 *                        a failover
 */
public record CheckpointStats(long total, long completed, long failed, long inProgress, long restored,
                              Optional<Completed> latestCompleted, Optional<Completed> latestSavepoint,
                              Optional<Failed> latestFailed, Optional<Restored> latestRestored) {

    /**
     * @param externalPath     where it lies (file:/..., s3://...)
     * @param durationMillis   trigger to the last acknowledgement
     * @param stateSize        the full state size in bytes
     * @param checkpointedSize bytes written by this checkpoint (less than the state when incremental)
     */
    public record Completed(long id, boolean savepoint, String externalPath, long triggerTimestamp,
                            long latestAckTimestamp, long durationMillis, long stateSize, long checkpointedSize) {
    }

    public record Failed(long id, boolean savepoint, long triggerTimestamp, long failureTimestamp,
                         String failureMessage) {
    }

    public record Restored(long id, boolean savepoint, long restoreTimestamp, String externalPath) {
    }
}
