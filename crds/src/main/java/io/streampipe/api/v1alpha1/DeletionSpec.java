package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** What deleting the pipeline does to the running job. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DeletionSpec {
    @Default("savepoint")
    @JsonPropertyDescription("savepoint: stop with a final savepoint, record its path in an Event and a retained ConfigMap, then delete; cancel: delete at once.")
    public Policy policy = Policy.SAVEPOINT;

    @Default("5m")
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("How long the final savepoint may take before deletion proceeds without it (reported in a condition).")
    public String timeout = "5m";

    public enum Policy {
        @JsonProperty("savepoint") SAVEPOINT,
        @JsonProperty("cancel") CANCEL
    }
}
