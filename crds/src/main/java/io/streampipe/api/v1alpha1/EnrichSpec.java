package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.ArrayList;
import java.util.List;

/**
 * One dimension joined onto every event: a PostgreSQL table read whole into memory, refreshed on a cadence, looked up
 * on key fields. Its declared columns are added to the event, after the schema's fields and earlier dimensions'
 * columns, so keyBy, aggregates, having and the sink can use them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.columns.all(c, self.columns.exists_one(d, d.name == c.name))",
        message = "transform.enrich[].columns[].name must not repeat a column")
@ValidationRule(value = "self.key.all(k, self.key.exists_one(j, j.field == k.field))",
        message = "transform.enrich[].key[].field must not repeat a field")
public class EnrichSpec {
    @Required
    @Pattern(Patterns.IDENTIFIER)
    @Size(max = 63)
    @JsonPropertyDescription("Name of the dimension: part of the operator uid, the metrics and the environment variables of its credentials; unique among transform.enrich.")
    public String name;

    @Required
    @JsonPropertyDescription("The PostgreSQL table the dimension is read from.")
    public Postgres postgres;

    @Required
    @Size(min = 1, max = 4)
    @JsonPropertyDescription("How an event finds its row: each event field (of spec.source.schema or an earlier dimension's columns, type string, long or boolean) equals the table column. The columns should be the table's primary key or unique: a table with two rows for one key fails the load.")
    public List<KeyField> key = new ArrayList<>();

    @Required
    @Size(min = 1, max = 32)
    @JsonPropertyDescription("Columns of the table added to each event, with the type the job reads them as. Their names must differ from the schema's fields, other dimensions' columns and the aggregates.")
    public List<Column> columns = new ArrayList<>();

    @Default("5m")
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("How often the table is read again, e.g. 5m. Between reads lookups are served from memory; a read runs beside the stream and replaces the copy in one step; a failed read keeps the last good copy (logged and counted in the metric enrichRefreshFailures).")
    public String refresh = "5m";

    @Default("keep-nulls")
    @JsonPropertyDescription("An event whose key has no row: keep-nulls (keep it, the added columns null), drop (count it in enrichMissingDropped) or dead-letter (to spec.deadLetter.table with the reason).")
    public OnMissing onMissing = OnMissing.KEEP_NULLS;

    @Default("100000")
    @Min(1)
    @Max(10000000)
    @JsonPropertyDescription("Most rows the dimension may hold; every subtask keeps a copy in memory. A larger table fails the first load with an error naming the dimension and the limit (a later refresh that finds more keeps the last good copy).")
    public int maxRows = 100_000;

    public enum OnMissing {
        @JsonProperty("keep-nulls") KEEP_NULLS,
        @JsonProperty("drop") DROP,
        @JsonProperty("dead-letter") DEAD_LETTER
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "has(self.table) != has(self.query)",
            message = "transform.enrich[].postgres: set exactly one of table or query")
    public static class Postgres {
        @Required
        @Pattern("^jdbc:postgresql://[^?]+(\\?[^;]*)?$")
        @JsonPropertyDescription("JDBC URL, e.g. jdbc:postgresql://pg:5432/reference. No password here: use credentialsSecretRef.")
        public String jdbcUrl;

        @Pattern(Patterns.TABLE)
        @Size(max = 127)
        @JsonPropertyDescription("Table (or view), optionally schema-qualified; read as SELECT of the key and declared columns only, identifiers quoted. Set table or query, not both.")
        public String table;

        @Size(min = 1, max = 10000)
        @JsonPropertyDescription("Instead of table: your own SELECT, run as written (nothing of the spec is put into it) as a subquery limited to maxRows + 1 rows, in a read-only transaction with a statement timeout of 5 minutes. It must return the key columns and the declared columns by name (other columns are ignored); their types are checked on the first read, which fails naming the column. Give the dimension's login only SELECT rights: read-only is enforced for the transaction, not for the role.")
        public String query;

        @Required
        @JsonPropertyDescription("Secret with the database username and password (given to the job as environment variables, never in its configuration).")
        public SecretKeyRef credentialsSecretRef;
    }

    /** An event field and the dimension column it must equal. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class KeyField {
        @Required
        @Pattern(Patterns.IDENTIFIER)
        @Size(max = 63)
        @JsonPropertyDescription("Event field.")
        public String field;

        @Pattern(Patterns.IDENTIFIER)
        @Size(max = 63)
        @JsonPropertyDescription("Column of the table; the field's name when omitted.")
        public String column;

        public KeyField() {
        }

        public KeyField(String field, String column) {
            this.field = field;
            this.column = column;
        }

        public String columnName() {
            return column == null ? field : column;
        }
    }

    /** A column added to the event. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Column {
        @Required
        @Pattern(Patterns.IDENTIFIER)
        @Size(max = 63)
        @JsonPropertyDescription("Name of the column in the table and of the field it becomes on the event.")
        public String name;

        @Required
        @JsonPropertyDescription("string, long, double, boolean or timestamp: how the job reads the column (text, bigint/integer, double precision/numeric, boolean, timestamptz).")
        public SourceSpec.FieldType type;

        public Column() {
        }

        public Column(String name, SourceSpec.FieldType type) {
            this.name = name;
            this.type = type;
        }
    }
}
