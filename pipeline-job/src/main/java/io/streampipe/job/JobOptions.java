package io.streampipe.job;

import io.streampipe.api.JobContract;
import io.streampipe.job.sink.DatabaseCredentials;
import org.apache.flink.configuration.Configuration;

import java.util.function.UnaryOperator;

/**
 * How to start a pipeline besides its spec. {@link #defaults()} is what {@code main} uses: the initial source epoch,
 * credentials from the environment, parallelism from the Flink configuration, the real Kafka and PostgreSQL.
 *
 * @param sourceEpoch   part of the Kafka source's uid ({@link OperatorUids#kafkaSource})
 * @param parallelism   overrides the Flink configuration's default parallelism when not null
 * @param credentials   the database user; a deployment takes it from the environment
 * @param configuration extra Flink configuration for {@link PipelineJob#start} (e.g. execution.savepoint.path)
 * @param wiring        adjusts the production wiring (tests swap sources, sinks or tap the events)
 * @param pipeline      {@code <namespace>/<name>} ({@link JobContract#ARG_PIPELINE}), the Kafka sink's transactional
 *                      ids derive from it; null when the spec has no {@code sink.kafka}
 */
public record JobOptions(String sourceEpoch,
                         Integer parallelism,
                         DatabaseCredentials credentials,
                         Configuration configuration,
                         UnaryOperator<JobWiring> wiring,
                         String pipeline) {

    public static JobOptions defaults() {
        return new JobOptions(JobContract.INITIAL_SOURCE_EPOCH, null, DatabaseCredentials.fromEnvironment(), new Configuration(), UnaryOperator.identity(), null);
    }

    public JobOptions withSourceEpoch(String epoch) {
        return new JobOptions(epoch, parallelism, credentials, configuration, wiring, pipeline);
    }

    public JobOptions withParallelism(Integer value) {
        return new JobOptions(sourceEpoch, value, credentials, configuration, wiring, pipeline);
    }

    public JobOptions withCredentials(DatabaseCredentials value) {
        return new JobOptions(sourceEpoch, parallelism, value, configuration, wiring, pipeline);
    }

    public JobOptions withConfiguration(Configuration value) {
        return new JobOptions(sourceEpoch, parallelism, credentials, value, wiring, pipeline);
    }

    public JobOptions withWiring(UnaryOperator<JobWiring> value) {
        return new JobOptions(sourceEpoch, parallelism, credentials, configuration, value, pipeline);
    }

    public JobOptions withPipeline(String value) {
        return new JobOptions(sourceEpoch, parallelism, credentials, configuration, wiring, value);
    }
}
