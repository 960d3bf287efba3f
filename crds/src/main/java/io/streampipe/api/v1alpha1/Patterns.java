package io.streampipe.api.v1alpha1;

/** Value patterns shared by the schema annotations and by the code that parses the values. */
public final class Patterns {
    /** A Go-style duration as CEL's duration() reads it: one or more number+unit pairs, e.g. 10s, 5m, 1h30m, 200ms. */
    public static final String DURATION = "^([0-9]+(ms|s|m|h))+$";
    /**
     * An SQL identifier we accept for tables and columns: lower case, starting with a letter or underscore,
     * at most 63 characters (PostgreSQL's limit). Names are still quoted in every statement.
     */
    public static final String IDENTIFIER = "^[a-z_][a-z0-9_]{0,62}$";
    /** A table name, optionally qualified by a schema. */
    public static final String TABLE = "^([a-z_][a-z0-9_]{0,62}\\.)?[a-z_][a-z0-9_]{0,62}$";
    /** RFC 3339 / ISO-8601 instant with an explicit offset, e.g. 2026-11-20T00:00:00Z. */
    public static final String TIMESTAMP = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$";
    /** A Kubernetes quantity such as 500m, 2, 1.5, 2Gi, 512Mi. */
    public static final String QUANTITY = "^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$";
    /** A one-shot action's token: it becomes part of an operator uid and of a nonce. */
    public static final String TOKEN = "^[A-Za-z0-9._-]{1,63}$";
    /** A filesystem URI Flink reads: scheme://rest, e.g. s3://bucket/path or file:///mnt/flink. */
    public static final String URI = "^[a-z0-9]+://.+$";
    /**
     * A pipeline's name, which is also its FlinkDeployment's: the Flink Kubernetes Operator refuses any other
     * (DefaultValidator's DEPLOYMENT_NAME_PATTERN, FKO 1.16): a letter first, then letters, digits and '-', at most 45.
     */
    public static final String PIPELINE_NAME = "^[a-z]([-a-z0-9]{0,43}[a-z0-9])?$";
    /**
     * Flink configuration keys that streampipe sets from a spec field (checkpointing, maxParallelism, slots, upgrade,
     * savepoints; parallelism.default is set by the Flink operator from job.parallelism): in
     * spec.flinkConfiguration they would be silently overridden, so they are refused there. No backslashes, so that
     * the same text is a Java regex, an RE2 regex and a CEL string.
     */
    public static final String FLINK_KEYS_FROM_SPEC = "^(execution[.]checkpointing[.]|state[.]checkpoints[.]dir$"
            + "|state[.]savepoints[.]dir$|state[.]backend[.]type$|state[.]backend[.]incremental$|pipeline[.]max-parallelism$"
            + "|parallelism[.]default$|taskmanager[.]numberOfTaskSlots$|high-availability"
            + "|kubernetes[.]operator[.](periodic[.]savepoint[.]interval$|savepoint[.]history[.]|deployment[.]rollback[.]enabled$"
            + "|deployment[.]readiness[.]timeout$|snapshot[.]resource[.]enabled$))";
    /** A Kafka topic name: Kafka's legal characters and length. */
    public static final String KAFKA_TOPIC = "^[a-zA-Z0-9._-]{1,249}$";
    /** A Kubernetes object name (DNS-1123 subdomain). */
    public static final String K8S_NAME = "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$";

    private Patterns() {
    }
}
