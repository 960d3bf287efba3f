package io.streampipe.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;

/** Objects as JSON trees: the Flink operator model's equals() does not compare specs by value, trees do. */
public final class Trees {
    private Trees() {
    }

    public static JsonNode tree(Object value) {
        return Serialization.jsonMapper().valueToTree(value);
    }
}
