package io.streampipe.sandbox;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.JobOptions;
import io.streampipe.job.PipelineJob;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Flink MiniCluster in this JVM, configured like the operator configures a deployment (RocksDB, incremental
 * checkpoints, checkpoint and savepoint directories, under Flink 1.20's names for them), with its temporary files in
 * the run's directory, running one pipeline.
 */
final class LocalFlink implements AutoCloseable {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private final MiniCluster cluster;
    private JobID job;

    private LocalFlink(MiniCluster cluster) {
        this.cluster = cluster;
    }

    /** @param slots as many as the job's parallelism */
    static LocalFlink start(Path workDirectory, int slots) throws Exception {
        Configuration configuration = new Configuration();
        configuration.set(CoreOptions.TMP_DIRS, workDirectory.resolve("tmp").toString());
        configuration.set(RestOptions.ADDRESS, "127.0.0.1");
        configuration.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        configuration.set(RestOptions.BIND_PORT, "0");
        configuration.setString("state.backend.type", "rocksdb");
        configuration.setString("execution.checkpointing.incremental", "true");
        configuration.setString("execution.checkpointing.dir", workDirectory.resolve("checkpoints").toUri().toString());
        configuration.setString("execution.checkpointing.savepoint-dir", workDirectory.resolve("savepoints").toUri().toString());
        configuration.setString("metrics.reporter." + JobMetrics.REPORTER_NAME + ".factory.class", JobMetrics.class.getName());
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(configuration)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .build());
        cluster.start();
        return new LocalFlink(cluster);
    }

    /** The Flink dashboard (and REST API). */
    URI dashboard() throws Exception {
        return cluster.getRestAddress().get(10, TimeUnit.SECONDS);
    }

    /** Builds the pipeline with {@link PipelineJob#prepare} and submits it. */
    JobID submit(StreamingPipelineSpec spec, JobOptions options) throws Exception {
        Configuration jobConfiguration = new Configuration();
        jobConfiguration.setString("restart-strategy.type", "fixed-delay");
        jobConfiguration.setString("restart-strategy.fixed-delay.attempts", "5");
        jobConfiguration.setString("restart-strategy.fixed-delay.delay", "2s");
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(jobConfiguration);
        PipelineJob.prepare(env, spec, options);
        JobGraph graph = env.getStreamGraph().getJobGraph();
        cluster.submitJob(graph).get(60, TimeUnit.SECONDS);
        job = graph.getJobID();
        return job;
    }

    JobStatus status() throws Exception {
        return cluster.getJobStatus(job).get(10, TimeUnit.SECONDS);
    }

    /** Why the job failed, once it has. */
    Optional<Throwable> failure() throws Exception {
        JobResult result = cluster.requestJobResult(job).get(10, TimeUnit.SECONDS);
        return result.getSerializedThrowable().map(t -> t.deserializeError(getClass().getClassLoader()));
    }

    /** Cancels the job (if it still runs), waits for it to end, and stops the cluster. */
    @Override
    public void close() throws Exception {
        try {
            if (job != null && !status().isGloballyTerminalState()) {
                cluster.cancelJob(job).get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                cluster.requestJobResult(job).get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            cluster.closeAsync().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
