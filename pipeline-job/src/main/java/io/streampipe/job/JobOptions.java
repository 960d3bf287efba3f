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
 */
public record JobOptions(String sourceEpoch,
                         Integer parallelism,
                         DatabaseCredentials credentials,
                         Configuration configuration,
                         UnaryOperator<JobWiring> wiring) {

    public static JobOptions defaults() {
        return new JobOptions(JobContract.INITIAL_SOURCE_EPOCH, null, DatabaseCredentials.fromEnvironment(), new Configuration(), UnaryOperator.identity());
    }

    public JobOptions withSourceEpoch(String epoch) {
        return new JobOptions(epoch, parallelism, credentials, configuration, wiring);
    }

    public JobOptions withParallelism(Integer value) {
        return new JobOptions(sourceEpoch, value, credentials, configuration, wiring);
    }

    public JobOptions withCredentials(DatabaseCredentials value) {
        return new JobOptions(sourceEpoch, parallelism, value, configuration, wiring);
    }

    public JobOptions withConfiguration(Configuration value) {
        return new JobOptions(sourceEpoch, parallelism, credentials, value, wiring);
    }

    public JobOptions withWiring(UnaryOperator<JobWiring> value) {
        return new JobOptions(sourceEpoch, parallelism, credentials, configuration, value);
    }
}
