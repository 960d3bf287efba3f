package io.streampipe.standin.flink.rest;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The body of {@code POST /jars/:jarid/run}.
 *
 * @param parallelism           the job's default parallelism; empty: the cluster's {@code parallelism.default}
 * @param jobId                 the job's id (32 hex digits), as the Flink operator fixes it for a deployment; empty:
 *                              Flink picks one
 * @param savepointPath         the savepoint or retained checkpoint to start from; empty: no state
 * @param allowNonRestoredState whether state of the savepoint that no operator claims may be dropped
 */
public record JarRun(String entryClass, List<String> programArgs, Optional<Integer> parallelism,
                     Optional<String> jobId, Optional<String> savepointPath, boolean allowNonRestoredState) {
    public JarRun {
        Objects.requireNonNull(entryClass, "entryClass");
        programArgs = List.copyOf(programArgs);
        Objects.requireNonNull(parallelism, "parallelism");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(savepointPath, "savepointPath");
    }

    public static JarRun of(String entryClass, List<String> programArgs) {
        return new JarRun(entryClass, programArgs, Optional.empty(), Optional.empty(), Optional.empty(), false);
    }

    public JarRun withParallelism(int value) {
        return new JarRun(entryClass, programArgs, Optional.of(value), jobId, savepointPath, allowNonRestoredState);
    }

    public JarRun withJobId(String id) {
        return new JarRun(entryClass, programArgs, parallelism, Optional.of(id), savepointPath, allowNonRestoredState);
    }

    public JarRun fromSavepoint(String path, boolean allowNonRestored) {
        return new JarRun(entryClass, programArgs, parallelism, jobId, Optional.of(path), allowNonRestored);
    }
}
