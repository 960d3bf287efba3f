package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What happens to events later than the window's allowed lateness: a side table, a topic, or an explicit drop. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "[has(self.table), has(self.topic), has(self.drop) && self.drop].exists_one(x, x)",
        message = "lateData: set exactly one of table, topic or drop: true")
public class LateDataSpec {
    @Pattern(Patterns.TABLE)
    @Size(max = 127)
    @JsonPropertyDescription("Table that receives too-late events: the declared fields as JSON, the key, the event time, the Kafka topic/partition/offset and when it was set aside.")
    public String table;

    @Pattern(Patterns.KAFKA_TOPIC)
    @JsonPropertyDescription("Topic on spec.sink.kafka's cluster, written with its delivery: one JSON record per too-late event (topic, partition, offset, event_time, event_key, payload, received_at), keyed by event_key.")
    public String topic;

    @JsonPropertyDescription("Drop too-late events (still counted in the lateRecords metric).")
    public Boolean drop;
}
