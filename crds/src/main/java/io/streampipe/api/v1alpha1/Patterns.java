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
    /** A Kubernetes object name (DNS-1123 subdomain). */
    public static final String K8S_NAME = "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$";

    private Patterns() {
    }
}
