package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Required;

/** A side table in the sink database (dead letters). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TableRef {
    @Required
    @Pattern(Patterns.TABLE)
    @Size(max = 127)
    @JsonPropertyDescription("Table name, optionally schema-qualified (lower case identifiers; always quoted in SQL).")
    public String table;

    public TableRef() {
    }

    public TableRef(String table) {
        this.table = table;
    }
}
