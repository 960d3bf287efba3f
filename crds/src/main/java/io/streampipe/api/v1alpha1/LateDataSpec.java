package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What happens to events later than the window's allowed lateness: a side table, or an explicit drop. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.table) != (has(self.drop) && self.drop)",
        message = "lateData: set exactly one of table or drop: true")
public class LateDataSpec {
    @Pattern(Patterns.TABLE)
    @Size(max = 127)
    @JsonPropertyDescription("Table that receives too-late events: the declared fields as JSON, the key, the event time, the Kafka topic/partition/offset and when it was set aside.")
    public String table;

    @JsonPropertyDescription("Drop too-late events (still counted in the lateRecords metric).")
    public Boolean drop;
}
