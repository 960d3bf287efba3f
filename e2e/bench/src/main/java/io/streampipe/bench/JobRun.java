package io.streampipe.bench;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.JobOptions;
import io.streampipe.job.PipelineJob;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Our pipeline job, exactly as {@code PipelineJob.start} builds it, on the benchmark's {@link FlinkCluster} (a Flink
 * MiniCluster in this JVM), until a condition on the database holds; then it is cancelled.
 */
final class JobRun {
    interface Condition {
        boolean holds() throws Exception;
    }

    private JobRun() {
    }

    /** Flink configuration every benchmark run gets on top of its own: a failure ends the run instead of restarting. */
    static Configuration configuration(Map<String, String> extra) {
        Configuration configuration = new Configuration();
        configuration.setString("restart-strategy.type", "none");
        extra.forEach(configuration::setString);
        return configuration;
    }

    /** @return seconds from submission until {@code done} held */
    static double runUntil(Services services, FlinkCluster flink, StreamingPipelineSpec spec, int parallelism,
                           Condition done, Duration timeout) throws Exception {
        return runUntil(services, flink, spec, parallelism, null, done, timeout);
    }

    /** @param pipeline {@code <namespace>/<name>}, which a Kafka sink's transactional ids derive from (null: none) */
    static double runUntil(Services services, FlinkCluster flink, StreamingPipelineSpec spec, int parallelism, String pipeline,
                           Condition done, Duration timeout) throws Exception {
        JobOptions options = options(services, parallelism, flink.configuration()).withPipeline(pipeline);
        long start = System.nanoTime();
        JobClient job = flink.start(spec, options);
        try {
            awaitCondition(job, done, start + timeout.toNanos());
            return (System.nanoTime() - start) / 1e9;
        } finally {
            cancel(job);
        }
    }

    /**
     * Starts the job with {@code PipelineJob.start} — on a MiniCluster of its own, as production runs each pipeline
     * on a Flink cluster of its own — and returns it once it runs, for benchmarks that drive the input themselves
     * and measure only after the start, so a shared cluster would change nothing they measure.
     */
    static JobClient startRunning(Services services, StreamingPipelineSpec spec, int parallelism, Configuration configuration)
            throws Exception {
        JobClient job = PipelineJob.start(spec, options(services, parallelism, configuration));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (job.getJobStatus().get() != JobStatus.RUNNING) {
            if (System.nanoTime() > deadline) {
                cancel(job);
                throw new IllegalStateException("The job was not running after 60 s");
            }
            Thread.sleep(50);
        }
        return job;
    }

    private static JobOptions options(Services services, int parallelism, Configuration configuration) {
        return JobOptions.defaults()
                .withParallelism(parallelism)
                .withCredentials(services.credentials())
                .withConfiguration(configuration);
    }

    static void awaitCondition(JobClient job, Condition done, long deadlineNanos) throws Exception {
        while (!done.holds()) {
            JobStatus status = job.getJobStatus().get();
            if (status.isGloballyTerminalState()) {
                throw new IllegalStateException("The job ended (" + status + ") before it was done: " + failureOf(job));
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new IllegalStateException("The job was not done before the timeout");
            }
            Thread.sleep(100);
        }
    }

    static void cancel(JobClient job) {
        try {
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
            job.getJobExecutionResult().exceptionally(e -> null).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            Report.progress("cancelling the job: %s", e.getMessage());
        }
    }

    private static String failureOf(JobClient job) {
        try {
            job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
            return "no failure";
        } catch (ExecutionException e) {
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            return cause.toString();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
