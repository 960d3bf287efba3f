package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

/** Where results go: a PostgreSQL table, a Kafka topic, or both. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.postgres) || has(self.kafka)",
        message = "sink: set postgres, kafka or both")
public class SinkSpec {
    @JsonPropertyDescription("PostgreSQL upsert sink: INSERT ... ON CONFLICT (primary key) DO UPDATE, so replays are idempotent. Without a window rows are written as batches fill; with a window the result and late-data tables are written when a checkpoint completes (spec.checkpointing.interval), so an event is counted in a row or in the late-data table, never both, across any restart.")
    public Postgres postgres;

    @JsonPropertyDescription("Kafka sink: each result row as a JSON record keyed by its primary key, exactly-once through Kafka transactions or at-least-once.")
    public KafkaSinkSpec kafka;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Postgres {
        @Required
        @Pattern("^jdbc:postgresql://[^?]+(\\?[^;]*)?$")
        @JsonPropertyDescription("JDBC URL, e.g. jdbc:postgresql://pg:5432/analytics. No password here: use credentialsSecretRef.")
        public String jdbcUrl;

        @Required
        @Pattern(Patterns.TABLE)
        @Size(max = 127)
        @JsonPropertyDescription("Result table, optionally schema-qualified (lower case identifiers; always quoted in SQL).")
        public String table;

        @Size(max = 9)
        @JsonPropertyDescription("Primary key of the table: the keyBy fields, plus window_start when windowed. Derived when omitted.")
        public List<@Size(max = 63) String> primaryKey;

        @JsonPropertyDescription("Secret with the database username and password.")
        public SecretKeyRef credentialsSecretRef;

        @JsonPropertyDescription("Create the result, late-data and dead-letter tables if they do not exist, and add to an existing table the nullable columns the spec writes and it lacks (a new aggregate or field). Nothing is dropped or retyped; a table that still does not fit stops the job with a message naming the column.")
        public boolean createTable;

        @JsonPropertyDescription("Write batching.")
        public Batch batch = new Batch();

        @Default("3")
        @Min(0)
        @Max(100)
        @JsonPropertyDescription("Retries of a failed batch, with backoff, before the job fails and restarts from its checkpoint.")
        public int maxRetries = 3;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Batch {
        @Default("500")
        @Min(1)
        @Max(100000)
        @JsonPropertyDescription("Rows per batch: a batch is written, in one transaction, when it holds this many distinct rows (a later change of a row in the batch replaces the earlier one). With a window, the rows of a completed checkpoint are written in transactions of this many rows.")
        public int size = 500;

        @Default("50ms")
        @Pattern(Patterns.DURATION)
        @JsonPropertyDescription("Longest time a row waits in a batch. Under load a batch fills up long before; this bounds the latency of a quiet stream. Not for the result and late-data tables of a windowed pipeline: they wait for the next completed checkpoint.")
        public String interval = "50ms";
    }
}
