package io.streampipe.bench;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.JobOptions;
import io.streampipe.job.PipelineJob;
import org.apache.flink.api.dag.Pipeline;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * One Flink MiniCluster in the benchmark's JVM for all of a benchmark's jobs, started before the first, as the Kafka
 * Connect worker is started before Debezium's first connector: a measured job run starts at its submission to a
 * running cluster, not at the cluster's start (about a second, which {@code PipelineJob.start}'s own per-job
 * MiniCluster put inside every run before). Configured as that per-job cluster is: one task manager, a slot per
 * subtask of the largest job, the benchmark's Flink configuration.
 */
final class FlinkCluster implements AutoCloseable {
    private static final String EXECUTOR = "streampipe-bench-cluster";
    private final MiniCluster cluster;
    private final Configuration configuration;
    private final PipelineExecutorServiceLoader executors;

    private FlinkCluster(MiniCluster cluster, Configuration configuration) {
        this.cluster = cluster;
        this.configuration = configuration;
        PipelineExecutor executor = this::submit;
        PipelineExecutorFactory factory = new PipelineExecutorFactory() {
            @Override
            public String getName() {
                return EXECUTOR;
            }

            @Override
            public boolean isCompatibleWith(Configuration ignored) {
                return true;
            }

            @Override
            public PipelineExecutor getExecutor(Configuration ignored) {
                return executor;
            }
        };
        this.executors = new PipelineExecutorServiceLoader() {
            @Override
            public PipelineExecutorFactory getExecutorFactory(Configuration ignored) {
                return factory;
            }

            @Override
            public Stream<String> getExecutorNames() {
                return Stream.of(factory.getName());
            }
        };
    }

    static FlinkCluster start(Configuration configuration, int slots) throws Exception {
        Configuration clusterConfiguration = new Configuration(configuration);
        if (!clusterConfiguration.contains(RestOptions.BIND_PORT)) {
            clusterConfiguration.set(RestOptions.BIND_PORT, "0");
        }
        long start = System.nanoTime();
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(clusterConfiguration)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .setRpcServiceSharing(RpcServiceSharing.SHARED)
                .build());
        cluster.start();
        Report.progress("Flink MiniCluster with %d slots up in %.1f s", slots, (System.nanoTime() - start) / 1e9);
        return new FlinkCluster(cluster, configuration);
    }

    /** The benchmark's Flink configuration, which the cluster was started with and every job is submitted with. */
    Configuration configuration() {
        return configuration;
    }

    /** Submits the pipeline as {@code PipelineJob.start} builds it; the job runs until cancelled. */
    JobClient start(StreamingPipelineSpec spec, JobOptions options) throws Exception {
        Configuration jobConfiguration = new Configuration(options.configuration());
        jobConfiguration.set(DeploymentOptions.TARGET, EXECUTOR); // the only one the loader knows, but one must be named
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(executors, jobConfiguration,
                FlinkCluster.class.getClassLoader());
        return PipelineJob.start(env, spec, options);
    }

    private CompletableFuture<JobClient> submit(Pipeline pipeline, Configuration jobConfiguration, ClassLoader classLoader)
            throws Exception {
        JobGraph graph = PipelineExecutorUtils.getJobGraph(pipeline, jobConfiguration, classLoader);
        return cluster.submitJob(graph).thenApply(result -> new MiniClusterJobClient(result.getJobID(), cluster,
                classLoader, MiniClusterJobClient.JobFinalizationBehavior.NOTHING));
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
