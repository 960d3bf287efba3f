package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Where dead letters go: a table in the sink database, or a topic on the Kafka sink's cluster. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.table) != has(self.topic)",
        message = "deadLetter: set exactly one of table or topic")
public class TableRef {
    @Pattern(Patterns.TABLE)
    @Size(max = 127)
    @JsonPropertyDescription("Table name in spec.sink.postgres's database, optionally schema-qualified (lower case identifiers; always quoted in SQL).")
    public String table;

    @Pattern(Patterns.KAFKA_TOPIC)
    @JsonPropertyDescription("Topic on spec.sink.kafka's cluster, written with its delivery: one JSON record per rejected record (topic, partition, offset, payload, reason, kafka_timestamp, rejected_at), keyed by nothing.")
    public String topic;

    public TableRef() {
    }

    public TableRef(String table) {
        this.table = table;
    }
}
