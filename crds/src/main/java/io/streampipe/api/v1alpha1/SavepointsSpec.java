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

        @Default("168h")
        @Pattern(Patterns.DURATION)
        @JsonPropertyDescription("Dispose of savepoints older than this (their files too), default 168h (7 days); the newest is always kept. Always written to the FlinkDeployment: the Flink operator's own default is 24h (kubernetes.operator.savepoint.history.max.age).")
        public String age = "168h";
    }
}
