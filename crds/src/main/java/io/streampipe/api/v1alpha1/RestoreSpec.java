package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A one-shot restore of the job from a given savepoint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RestoreSpec {
    @Required
    @Pattern(Patterns.TOKEN)
    @JsonPropertyDescription("A new value applies the restore once; status.appliedTokens.restore records the value applied.")
    public String token;

    @Required
    @Pattern(Patterns.URI)
    @JsonPropertyDescription("Savepoint (or retained checkpoint) URI to restore from, e.g. s3://bucket/savepoints/savepoint-1a2b3c.")
    public String savepointPath;

    @JsonPropertyDescription("Allow state in the savepoint that no operator of the job claims.")
    public boolean allowNonRestoredState;
}
