package io.streampipe.sandbox;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The topics a pipeline writes on {@code spec.sink.kafka}'s cluster, as {@link TopicFeed} shows them: the result topic,
 * and the late-data and dead-letter topics when the manifest routes them to topics (they are on the same cluster).
 *
 * @param result     null without {@code spec.sink.kafka}
 * @param lateData   null unless {@code spec.lateData.topic}
 * @param deadLetter null unless {@code spec.deadLetter.topic}
 */
public record PipelineTopics(String result, String lateData, String deadLetter) {
    public static PipelineTopics of(StreamingPipelineSpec spec) {
        return new PipelineTopics(spec.sink.kafka == null ? null : spec.sink.kafka.topic,
                spec.lateData == null ? null : spec.lateData.topic,
                spec.deadLetter == null ? null : spec.deadLetter.topic);
    }

    /** Each topic with what it holds (results, late data, dead letters), in that order. */
    public Map<String, String> roles() {
        Map<String, String> roles = new LinkedHashMap<>();
        if (result != null) {
            roles.put(result, "results");
        }
        if (lateData != null) {
            roles.put(lateData, "late data");
        }
        if (deadLetter != null) {
            roles.put(deadLetter, "dead letters");
        }
        return roles;
    }

    public boolean isEmpty() {
        return result == null && lateData == null && deadLetter == null;
    }
}
