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

    @Default("true")
    @JsonPropertyDescription("When this pipeline is created and a deleted pipeline of the same name left a final savepoint (the retained ConfigMap <name>-final-savepoint), start from it, once, if its state schema fits this spec; false starts without it. A spec.restore wins unless its token is the one the deleted pipeline had applied (a manifest kept in Git still names it).")
    public boolean resumeFromFinalSavepoint = true;

    public enum Policy {
        @JsonProperty("savepoint") SAVEPOINT,
        @JsonProperty("cancel") CANCEL
    }
}
