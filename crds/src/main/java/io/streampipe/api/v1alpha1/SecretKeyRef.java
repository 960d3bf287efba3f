package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A username/password pair held in a Secret in the pipeline's namespace. Values never leave the Secret except as pod env. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretKeyRef {
    @Required
    @Pattern(Patterns.K8S_NAME)
    @JsonPropertyDescription("Name of the Secret in the pipeline's namespace.")
    public String name;

    @Default("username")
    @JsonPropertyDescription("Key of the username in the Secret.")
    public String usernameKey = "username";

    @Default("password")
    @JsonPropertyDescription("Key of the password in the Secret.")
    public String passwordKey = "password";

    public SecretKeyRef() {
    }

    public SecretKeyRef(String name) {
        this.name = name;
    }
}
