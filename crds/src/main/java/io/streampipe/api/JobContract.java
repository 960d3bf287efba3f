package io.streampipe.api;

/**
 * How the operator starts the bundled pipeline job, in one place: the job reads these, the operator writes them.
 * Secrets reach the job only as environment variables filled from Secrets ({@code secretKeyRef}), never in the spec
 * file, the FlinkDeployment or a ConfigMap.
 */
public final class JobContract {
    /** Entry point of the job jar. */
    public static final String MAIN_CLASS = "io.streampipe.job.PipelineJob";
    /** Where the stock Flink image expects user jars in application mode. */
    public static final String JAR_URI = "local:///opt/flink/usrlib/pipeline-job.jar";

    /** Argument: path of the pipeline spec (JSON, as written by {@link PipelineSpecs#toJson}). */
    public static final String ARG_SPEC_FILE = "--spec-file";
    /**
     * Argument: the Kafka source epoch, {@value #INITIAL_SOURCE_EPOCH} or the {@code offsetReset.token} of the reset
     * that began it (tokens are uid-safe: {@code [A-Za-z0-9._-]}). It is part of the source operator's uid, so a new
     * epoch starts the source without its old offsets while the rest of the state is restored (with
     * allowNonRestoredState). When the epoch equals the spec's {@code offsetReset.token}, the source starts at
     * {@code offsetReset.to} instead of {@code source.startingOffsets}.
     */
    public static final String ARG_SOURCE_EPOCH = "--source-epoch";
    public static final String INITIAL_SOURCE_EPOCH = "0";
    /**
     * Argument, given when the spec has {@code sink.kafka}: the pipeline as {@code <namespace>/<name>}. The Kafka
     * sink's transactional ids derive from it, so they are the same across upgrades and restarts (a restored job
     * commits or aborts the transactions its predecessor left) and differ between pipelines.
     */
    public static final String ARG_PIPELINE = "--pipeline";

    /** Directory the operator mounts the job ConfigMap at; the spec is {@link #SPEC_FILE_NAME} inside it. */
    public static final String SPEC_MOUNT_DIR = "/opt/streampipe/pipeline";
    public static final String SPEC_FILE_NAME = "spec.json";

    public static final String ENV_POSTGRES_USERNAME = "STREAMPIPE_POSTGRES_USERNAME";
    public static final String ENV_POSTGRES_PASSWORD = "STREAMPIPE_POSTGRES_PASSWORD";
    public static final String ENV_KAFKA_USERNAME = "STREAMPIPE_KAFKA_USERNAME";
    public static final String ENV_KAFKA_PASSWORD = "STREAMPIPE_KAFKA_PASSWORD";
    /** The Kafka sink's SASL login (spec.sink.kafka.credentialsSecretRef), apart from the source's. */
    public static final String ENV_KAFKA_SINK_USERNAME = "STREAMPIPE_KAFKA_SINK_USERNAME";
    public static final String ENV_KAFKA_SINK_PASSWORD = "STREAMPIPE_KAFKA_SINK_PASSWORD";

    /** Username of dimension {@code name} of spec.transform.enrich: {@code STREAMPIPE_ENRICH_<NAME>_USERNAME}. */
    public static String enrichUsernameEnv(String dimension) {
        return "STREAMPIPE_ENRICH_" + dimension.toUpperCase(java.util.Locale.ROOT) + "_USERNAME";
    }

    public static String enrichPasswordEnv(String dimension) {
        return "STREAMPIPE_ENRICH_" + dimension.toUpperCase(java.util.Locale.ROOT) + "_PASSWORD";
    }

    private JobContract() {
    }
}
