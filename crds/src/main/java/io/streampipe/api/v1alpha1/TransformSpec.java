package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.ArrayList;
import java.util.List;

/**
 * What the job computes: key, optional window, aggregates and filters on them.
 * Without a window the job keeps the latest row per key (an upsert of each event).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.window) == (has(self.aggregates) && size(self.aggregates) > 0)",
        message = "transform.aggregates: a window needs at least one aggregate, and aggregates need a window")
@ValidationRule(value = "!has(self.having) || self.having.all(h, has(self.aggregates) && self.aggregates.exists(a, a.name == h.field))",
        message = "transform.having[].field must name an aggregate of transform.aggregates")
@ValidationRule(value = "!has(self.aggregates) || self.aggregates.all(a, !(a.name in self.keyBy) && !(a.name in ['window_start', 'window_end', '_events']) && self.aggregates.exists_one(b, b.name == a.name))",
        message = "transform.aggregates[].name must be unique and differ from keyBy fields, window_start, window_end and _events (the column of a window's event count)")
@ValidationRule(value = "!has(self.window) || !('_events' in self.keyBy)",
        message = "transform.keyBy: '_events' is reserved with a window: the result table holds the window's event count in that column")
@ValidationRule(value = "self.keyBy.all(k, self.keyBy.exists_one(j, j == k))",
        message = "transform.keyBy must not repeat a field")
@ValidationRule(value = "!has(self.enrich) || self.enrich.all(e, self.enrich.exists_one(d, d.name == e.name))",
        message = "transform.enrich[].name must be unique")
@ValidationRule(value = "!has(self.enrich) || self.enrich.all(e, e.columns.all(c, self.enrich.all(d, d.name == e.name || !d.columns.exists(x, x.name == c.name))))",
        message = "transform.enrich[].columns[].name must differ from the columns of the other dimensions")
@ValidationRule(value = "!has(self.enrich) || !has(self.aggregates) || self.enrich.all(e, e.columns.all(c, !self.aggregates.exists(a, a.name == c.name) && !(c.name in ['window_start', 'window_end'])))",
        message = "transform.enrich[].columns[].name must differ from the aggregate names, window_start and window_end")
public class TransformSpec {
    @Size(max = 4)
    @JsonPropertyDescription("Dimensions joined onto each event, in order, before keyBy: each adds its declared columns to the event.")
    public List<EnrichSpec> enrich;

    @Required
    @Size(min = 1, max = 8)
    @JsonPropertyDescription("Fields of the schema that key the state and the result rows.")
    public List<@Size(max = 63) String> keyBy = new ArrayList<>();

    @JsonPropertyDescription("Event-time window. Omit for a latest-row-per-key upsert.")
    public Window window;

    @Size(max = 16)
    @JsonPropertyDescription("Aggregates computed incrementally per key and window.")
    public List<Aggregate> aggregates = new ArrayList<>();

    @Size(max = 8)
    @JsonPropertyDescription("Filters on aggregates: a window result is written only when all hold.")
    public List<Having> having = new ArrayList<>();

    /** An event-time window. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "self.type != 'session' || has(self.gap)",
            message = "transform.window.gap is required when type is session")
    @ValidationRule(value = "self.type == 'session' || has(self.size)",
            message = "transform.window.size is required when type is tumbling or sliding")
    @ValidationRule(value = "self.type != 'sliding' || has(self.slide)",
            message = "transform.window.slide is required when type is sliding")
    @ValidationRule(value = "self.type != 'sliding' || !has(self.slide) || !has(self.size) || duration(self.slide) < duration(self.size)",
            message = "transform.window.slide must be shorter than transform.window.size")
    @ValidationRule(value = "self.type == 'sliding' || !has(self.slide)",
            message = "transform.window.slide is only allowed when type is sliding")
    @ValidationRule(value = "self.type == 'session' || !has(self.gap)",
            message = "transform.window.gap is only allowed when type is session")
    public static class Window {
        @Required
        @JsonPropertyDescription("tumbling (needs size), sliding (needs size and slide) or session (needs gap).")
        public WindowType type;

        @Pattern(Patterns.DURATION)
        @JsonPropertyDescription("Window length, e.g. 5m.")
        public String size;

        @Pattern(Patterns.DURATION)
        @JsonPropertyDescription("How often a sliding window starts, e.g. 10s; shorter than size.")
        public String slide;

        @Pattern(Patterns.DURATION)
        @JsonPropertyDescription("Inactivity that closes a session, e.g. 30m.")
        public String gap;

        @Default("0s")
        @Pattern(Patterns.DURATION)
        @JsonPropertyDescription("How long after the watermark passes a window's end a late event still updates its row. Later events go to lateData.")
        public String allowedLateness = "0s";
    }

    public enum WindowType {
        @JsonProperty("tumbling") TUMBLING,
        @JsonProperty("sliding") SLIDING,
        @JsonProperty("session") SESSION
    }

    /** One aggregate column. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "self.fn == 'count' || has(self.field)",
            message = "transform.aggregates[].field is required unless fn is count")
    public static class Aggregate {
        @Required
        @Pattern(Patterns.IDENTIFIER)
        @Size(max = 63)
        @JsonPropertyDescription("Result column name.")
        public String name;

        @Required
        @JsonPropertyDescription("count, sum, avg, min or max.")
        public AggregateFunction fn;

        @Pattern(Patterns.IDENTIFIER)
        @Size(max = 63)
        @JsonPropertyDescription("Numeric field of the schema to aggregate (not used by count).")
        public String field;

        public Aggregate() {
        }

        public Aggregate(String name, AggregateFunction fn, String field) {
            this.name = name;
            this.fn = fn;
            this.field = field;
        }
    }

    public enum AggregateFunction {
        @JsonProperty("count") COUNT,
        @JsonProperty("sum") SUM,
        @JsonProperty("avg") AVG,
        @JsonProperty("min") MIN,
        @JsonProperty("max") MAX
    }

    /** A filter on an aggregate: {@code field op value}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Having {
        @Required
        @Pattern(Patterns.IDENTIFIER)
        @Size(max = 63)
        @JsonPropertyDescription("Aggregate name.")
        public String field;

        @Required
        @JsonPropertyDescription("gt, gte, lt, lte, eq or ne.")
        public Comparison op;

        @Required
        @JsonPropertyDescription("Number to compare with.")
        public Double value;

        public Having() {
        }

        public Having(String field, Comparison op, double value) {
            this.field = field;
            this.op = op;
            this.value = value;
        }
    }

    public enum Comparison {
        @JsonProperty("gt") GT,
        @JsonProperty("gte") GTE,
        @JsonProperty("lt") LT,
        @JsonProperty("lte") LTE,
        @JsonProperty("eq") EQ,
        @JsonProperty("ne") NE
    }
}
