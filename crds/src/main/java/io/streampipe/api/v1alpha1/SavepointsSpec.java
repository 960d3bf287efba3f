package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Periodic and on-demand savepoints and how many are kept. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SavepointsSpec {
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("Take a savepoint this often, e.g. 1h. Omit for none.")
    public String periodic;

    @JsonPropertyDescription("Savepoint history retention.")
    public Retain retain = new Retain();

    @Pattern("^[A-Za-z0-9._-]{0,63}$")
    @JsonPropertyDescription("Any new value takes one savepoint now; status.appliedTokens.savepoint records the value applied.")
    public String triggerToken;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Retain {
        @Default("5")
        @Min(1)
        @Max(1000)
        @JsonPropertyDescription("Keep at most this many savepoints.")
        public int count = 5;

        @Pattern(Patterns.DURATION)
        @JsonPropertyDescription("Drop savepoints older than this, e.g. 168h.")
        public String age;
    }
}
