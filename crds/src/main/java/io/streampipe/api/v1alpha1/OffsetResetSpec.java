package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A one-shot Kafka offset reset. With keepState the Kafka source gets a new uid (a new "source epoch" derived from the
 * token) and the job restores the rest of its state with allowNonRestoredState; without it the job starts empty.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.to != 'timestamp' || has(self.timestamp)",
        message = "offsetReset.timestamp is required when to is timestamp")
@ValidationRule(value = "self.to == 'timestamp' || !has(self.timestamp)",
        message = "offsetReset.timestamp is only allowed when to is timestamp")
public class OffsetResetSpec {
    @Required
    @Pattern(Patterns.TOKEN)
    @JsonPropertyDescription("A new value applies the reset once; status.appliedTokens.offsetReset records the value applied.")
    public String token;

    @Required
    @JsonPropertyDescription("earliest, latest or timestamp.")
    public Target to;

    @Pattern(Patterns.TIMESTAMP)
    @JsonPropertyDescription("RFC 3339 instant; required when to is timestamp.")
    public String timestamp;

    @Default("true")
    @JsonPropertyDescription("Keep window state across the reset: only the source restarts at the new offsets. Windows of "
            + "every type keep their watermark, so after a rewind re-read events of windows already purged are late data, "
            + "and windows that still hold state (open, or within allowedLateness) count re-read events again. To "
            + "recompute windows from the new offsets, set false: the job starts empty (no watermark, no window state) "
            + "and computes every window again from the records it reads. A recomputed window replaces its row only if it "
            + "counted at least as many events as the row (the table's _events column): a window read again in full (a "
            + "reset to earliest with all its records still in Kafka) writes the same row again; a window read only in "
            + "part (a reset to latest or to a timestamp inside it, records removed by retention) leaves its row as it "
            + "was; a window that had no row gets one. A session read only in part may start later than the session of "
            + "the existing row and then gets a row of its own beside it. Rows written before the _events column existed "
            + "hold 0 there, so any recomputation replaces them.")
    public boolean keepState = true;

    public enum Target {
        @JsonProperty("earliest") EARLIEST,
        @JsonProperty("latest") LATEST,
        @JsonProperty("timestamp") TIMESTAMP
    }
}
