package io.streampipe.standin.flink.rest;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The body of {@code POST /jars/:jarid/run}.
 *
 * @param parallelism           the job's default parallelism; empty: the cluster's {@code parallelism.default}
 * @param savepointPath         the savepoint or retained checkpoint to start from; empty: no state
 * @param allowNonRestoredState whether state of the savepoint that no operator claims may be dropped
 * @param jobId                 the job's id, as FKO fixes it for every deploy (pipeline.fixed-job-id); empty: Flink's
 */
public record JarRun(String entryClass, List<String> programArgs, Optional<Integer> parallelism,
                     Optional<String> savepointPath, boolean allowNonRestoredState, Optional<String> jobId) {
    public JarRun {
        Objects.requireNonNull(entryClass, "entryClass");
        programArgs = List.copyOf(programArgs);
        Objects.requireNonNull(parallelism, "parallelism");
        Objects.requireNonNull(savepointPath, "savepointPath");
        Objects.requireNonNull(jobId, "jobId");
    }

    public static JarRun of(String entryClass, List<String> programArgs) {
        return new JarRun(entryClass, programArgs, Optional.empty(), Optional.empty(), false, Optional.empty());
    }

    public JarRun withParallelism(int value) {
        return new JarRun(entryClass, programArgs, Optional.of(value), savepointPath, allowNonRestoredState, jobId);
    }

    public JarRun fromSavepoint(String path, boolean allowNonRestored) {
        return new JarRun(entryClass, programArgs, parallelism, Optional.of(path), allowNonRestored, jobId);
    }

    public JarRun withJobId(String id) {
        return new JarRun(entryClass, programArgs, parallelism, savepointPath, allowNonRestoredState, Optional.of(id));
    }
}
