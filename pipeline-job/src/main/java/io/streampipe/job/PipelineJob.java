package io.streampipe.job;

import io.streampipe.api.Durations;
import io.streampipe.api.EventFields;
import io.streampipe.api.JobContract;
import io.streampipe.api.SpecValidator;
import io.streampipe.api.v1alpha1.CheckpointingSpec;
import io.streampipe.api.v1alpha1.SourceSpec.SecurityProtocol;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.sink.TableCreator;
import io.streampipe.job.sink.kafka.TopicCheck;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point of the job jar ({@link JobContract#MAIN_CLASS}):
 * {@code --spec-file <path> [--source-epoch <epoch>]}, credentials from the environment ({@code JobContract.ENV_*}).
 * {@link #start} runs the same pipeline in-process, for local runs and tests.
 */
public final class PipelineJob {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineJob.class);

    private PipelineJob() {
    }

    public static void main(String[] args) throws Exception {
        Arguments arguments = Arguments.parse(args);
        StreamingPipelineSpec spec = SpecFiles.read(arguments.specFile());
        JobOptions options = JobOptions.defaults().withSourceEpoch(arguments.sourceEpoch()).withPipeline(arguments.pipeline());
        SpecValidator.requireValid(spec);
        requireCredentialsInEnvironment(spec);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        prepare(env, spec, options);
        TopicCheck.verify(spec);
        env.execute(jobName(spec));
    }

    /** Builds and submits the pipeline without waiting for it; the {@link JobClient} stops or cancels it. */
    public static JobClient start(StreamingPipelineSpec spec, JobOptions options) throws Exception {
        return start(StreamExecutionEnvironment.getExecutionEnvironment(options.configuration()), spec, options);
    }

    /** As {@link #start(StreamingPipelineSpec, JobOptions)}, on an environment that already says where jobs run. */
    public static JobClient start(StreamExecutionEnvironment env, StreamingPipelineSpec spec, JobOptions options) throws Exception {
        prepare(env, spec, options);
        // When the job starts, not when its graph is built (prepare): the topics' cluster is needed only to run it.
        TopicCheck.verify(spec);
        return env.executeAsync(jobName(spec));
    }

    /** {@code execution.buffer-timeout.interval} unless the Flink configuration sets it. */
    static final long DEFAULT_BUFFER_TIMEOUT_MS = 10;
    /** {@code pipeline.auto-watermark-interval} unless the Flink configuration sets it. */
    static final long DEFAULT_WATERMARK_INTERVAL_MS = 50;

    /**
     * Validates the spec (failing with every problem, each naming its field), configures the environment, creates the
     * tables when asked, and adds the pipeline's operators to {@code env}.
     */
    public static void prepare(StreamExecutionEnvironment env, StreamingPipelineSpec spec, JobOptions options) {
        SpecValidator.requireValid(spec);
        env.getConfig().disableGenericTypes();
        // Chained operators hand records on without a serializer copy. Safe here: every function of the job
        // creates the objects it emits and none keeps an input beyond its call, except the sinks, which buffer rows
        // their upstream created for them (see PostgresSink).
        env.getConfig().enableObjectReuse();
        if (options.parallelism() != null) {
            env.setParallelism(options.parallelism());
        }
        if (spec.maxParallelism != null) {
            env.setMaxParallelism(spec.maxParallelism);
        }
        if (env.getCheckpointInterval() <= 0) {
            applyCheckpointing(env, spec.checkpointing);
        }
        if (env.getConfiguration().getOptional(ExecutionOptions.BUFFER_TIMEOUT).isEmpty()) {
            // Flink's 100 ms lets a half-empty network buffer wait up to 100 ms before a window's keyBy; under load
            // buffers fill long before either timeout (e2e/bench/README.md, latency).
            env.setBufferTimeout(DEFAULT_BUFFER_TIMEOUT_MS);
        }
        if (env.getConfiguration().getOptional(PipelineOptions.AUTO_WATERMARK_INTERVAL).isEmpty()) {
            // A window closes when the watermark passes its end; Flink's 200 ms made a 1 s window wait 100 ms more
            // on average. A watermark every 50 ms costs nothing measurable.
            env.getConfig().setAutoWatermarkInterval(DEFAULT_WATERMARK_INTERVAL_MS);
        }
        if (spec.sink.postgres != null && spec.sink.postgres.createTable) {
            TableCreator.createTables(spec, options.credentials());
        }
        JobWiring wiring = options.wiring().apply(
                JobWiring.production(spec, options.sourceEpoch(), options.credentials(), options.pipeline()));
        PipelineTopology.build(env, spec, options.sourceEpoch(), wiring);
        LOG.info("Built pipeline {} (source epoch {})", jobName(spec), options.sourceEpoch());
    }

    static String jobName(StreamingPipelineSpec spec) {
        var kafka = spec.source.kafka;
        String to = spec.sink.postgres != null ? spec.sink.postgres.table : "topic " + spec.sink.kafka.topic;
        return "streampipe " + (kafka.topic != null ? kafka.topic : kafka.topicPattern) + " -> " + to;
    }

    /** The operator sets checkpointing in the Flink configuration; a run without one uses the spec's. */
    private static void applyCheckpointing(StreamExecutionEnvironment env, CheckpointingSpec checkpointing) {
        long interval = Durations.parse("spec.checkpointing.interval", checkpointing.interval).toMillis();
        env.enableCheckpointing(interval, checkpointing.mode == CheckpointingSpec.Mode.AT_LEAST_ONCE
                ? CheckpointingMode.AT_LEAST_ONCE : CheckpointingMode.EXACTLY_ONCE);
        var config = env.getCheckpointConfig();
        config.setCheckpointTimeout(Durations.parse("spec.checkpointing.timeout", checkpointing.timeout).toMillis());
        config.setMinPauseBetweenCheckpoints(checkpointing.minPause == null ? interval / 2
                : Durations.parse("spec.checkpointing.minPause", checkpointing.minPause).toMillis());
    }

    private static void requireCredentialsInEnvironment(StreamingPipelineSpec spec) {
        List<String> missing = new ArrayList<>();
        if (spec.sink != null && spec.sink.postgres != null && spec.sink.postgres.credentialsSecretRef != null) {
            missing.addAll(unset(JobContract.ENV_POSTGRES_USERNAME, JobContract.ENV_POSTGRES_PASSWORD));
        }
        var kafka = spec.source == null ? null : spec.source.kafka;
        if (kafka != null && (kafka.securityProtocol == SecurityProtocol.SASL_PLAINTEXT || kafka.securityProtocol == SecurityProtocol.SASL_SSL)) {
            missing.addAll(unset(JobContract.ENV_KAFKA_USERNAME, JobContract.ENV_KAFKA_PASSWORD));
        }
        var sinkKafka = spec.sink == null ? null : spec.sink.kafka;
        if (sinkKafka != null && (sinkKafka.securityProtocol == SecurityProtocol.SASL_PLAINTEXT || sinkKafka.securityProtocol == SecurityProtocol.SASL_SSL)) {
            missing.addAll(unset(JobContract.ENV_KAFKA_SINK_USERNAME, JobContract.ENV_KAFKA_SINK_PASSWORD));
        }
        for (var dimension : EventFields.dimensions(spec)) {
            missing.addAll(unset(JobContract.enrichUsernameEnv(dimension.name), JobContract.enrichPasswordEnv(dimension.name)));
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Environment variables " + missing + " are not set; the spec's "
                    + "credentialsSecretRef needs them (the operator fills them from the Secret)");
        }
    }

    private static List<String> unset(String... variables) {
        List<String> unset = new ArrayList<>();
        for (String variable : variables) {
            String value = System.getenv(variable);
            if (value == null || value.isEmpty()) {
                unset.add(variable);
            }
        }
        return unset;
    }

    /** The command line of {@link JobContract}. */
    record Arguments(Path specFile, String sourceEpoch, String pipeline) {
        private static final java.util.regex.Pattern EPOCH = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,63}");
        private static final java.util.regex.Pattern PIPELINE = java.util.regex.Pattern.compile("[a-z0-9-]{1,63}/[a-z0-9-]{1,63}");

        static Arguments parse(String[] args) {
            Path specFile = null;
            String epoch = JobContract.INITIAL_SOURCE_EPOCH;
            String pipeline = null;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case JobContract.ARG_SPEC_FILE -> specFile = Path.of(required(args[i], value));
                    case JobContract.ARG_SOURCE_EPOCH -> {
                        epoch = required(args[i], value);
                        if (!EPOCH.matcher(epoch).matches()) {
                            throw new IllegalArgumentException(JobContract.ARG_SOURCE_EPOCH
                                    + " must be 1 to 63 of A-Z a-z 0-9 . _ - (an offset-reset token), got " + value);
                        }
                    }
                    case JobContract.ARG_PIPELINE -> {
                        pipeline = required(args[i], value);
                        if (!PIPELINE.matcher(pipeline).matches()) {
                            throw new IllegalArgumentException(JobContract.ARG_PIPELINE
                                    + " must be <namespace>/<name> of a StreamingPipeline, got " + value);
                        }
                    }
                    default -> throw new IllegalArgumentException("Unknown argument " + args[i] + "; usage: "
                            + JobContract.ARG_SPEC_FILE + " <path> [" + JobContract.ARG_SOURCE_EPOCH + " <epoch>] ["
                            + JobContract.ARG_PIPELINE + " <namespace>/<name>]");
                }
                i++;
            }
            if (specFile == null) {
                throw new IllegalArgumentException(JobContract.ARG_SPEC_FILE + " <path> is required");
            }
            return new Arguments(specFile, epoch, pipeline);
        }

        private static String required(String flag, String value) {
            if (value == null) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return value;
        }
    }
}
