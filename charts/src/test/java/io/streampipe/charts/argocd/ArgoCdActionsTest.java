package io.streampipe.charts.argocd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resource actions, run on recorded pipelines: each changes exactly the spec fields it names, and a token it sets
 * is new and valid for the CRD (the same pattern as OffsetResetSpec.token and SavepointsSpec.triggerToken).
 */
class ArgoCdActionsTest {
    private static final Pattern TOKEN = Pattern.compile("^[A-Za-z0-9._-]{1,63}$");
    private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? Double.compare(a.doubleValue(), b.doubleValue()) : a.equals(b) ? 0 : 1;
    static final Path RUNNING = Samples.path("running");
    static final Path SUSPENDED = Samples.path("suspended");

    @Test
    void discoveryOffersSuspendOrResumeByTheSpecAndASavepointOnlyWhileRunning() {
        JsonNode running = ArgoLua.run(ArgoLua.DISCOVERY, ArgoLua.readYaml(RUNNING));
        JsonNode suspended = ArgoLua.run(ArgoLua.DISCOVERY, ArgoLua.readYaml(SUSPENDED));

        assertThat(names(running)).as("every action defined is offered").containsExactlyInAnyOrderElementsOf(ArgoLua.actionNames());
        assertThat(disabled(running)).containsExactlyInAnyOrder("resume");
        assertThat(disabled(suspended)).containsExactlyInAnyOrder("savepoint", "suspend");
    }

    @Test
    void savepointSetsANewTriggerTokenAndNothingElse() {
        JsonNode before = ArgoLua.readYaml(RUNNING);
        JsonNode once = ArgoLua.run(ArgoLua.action("savepoint"), before);
        JsonNode twice = ArgoLua.run(ArgoLua.action("savepoint"), once);

        String first = once.at("/spec/savepoints/triggerToken").asText();
        String second = twice.at("/spec/savepoints/triggerToken").asText();
        assertThat(first).matches(TOKEN).startsWith("argocd-").isNotEqualTo(before.at("/spec/savepoints/triggerToken").asText());
        assertThat(second).as("a second savepoint, even within the same second").matches(TOKEN).isNotEqualTo(first);
        assertOnlyChanged(before, once, Map.of("/spec/savepoints/triggerToken", first));
    }

    @Test
    void suspendAndResumeSetTheState() {
        JsonNode running = ArgoLua.readYaml(RUNNING);
        JsonNode suspended = ArgoLua.run(ArgoLua.action("suspend"), running);
        assertOnlyChanged(running, suspended, Map.of("/spec/state", "suspended"));

        JsonNode resumed = ArgoLua.run(ArgoLua.action("resume"), ArgoLua.readYaml(SUSPENDED));
        assertOnlyChanged(ArgoLua.readYaml(SUSPENDED), resumed, Map.of("/spec/state", "running"));
    }

    @Test
    void offsetResetsReplaceSpecOffsetResetWithANewToken() {
        record Reset(String action, String to, boolean keepState) {
        }
        JsonNode before = ArgoLua.readYaml(RUNNING);
        ObjectNode earlierReset = before.deepCopy();
        ((ObjectNode) earlierReset.get("spec")).set("offsetReset", ArgoLua.YAML.createObjectNode()
                .put("token", "r-1").put("to", "timestamp").put("timestamp", "2026-11-20T00:00:00Z").put("keepState", false));
        for (Reset reset : List.of(new Reset("reset-offsets-latest", "latest", true),
                new Reset("reset-offsets-latest-empty-state", "latest", false),
                new Reset("reset-offsets-earliest", "earliest", true),
                new Reset("reset-offsets-earliest-empty-state", "earliest", false))) {
            for (JsonNode pipeline : List.of(before, earlierReset)) {
                JsonNode after = ArgoLua.run(ArgoLua.action(reset.action()), pipeline);
                JsonNode offsetReset = after.at("/spec/offsetReset");
                assertThat(offsetReset.get("token").asText()).as(reset.action()).matches(TOKEN).isNotEqualTo("r-1");
                assertThat(offsetReset.get("to").asText()).as(reset.action()).isEqualTo(reset.to());
                assertThat(offsetReset.get("keepState").asBoolean()).as(reset.action()).isEqualTo(reset.keepState());
                assertThat(offsetReset.has("timestamp")).as("%s drops a timestamp, allowed only with to: timestamp", reset.action()).isFalse();
                ObjectNode expected = pipeline.deepCopy();
                ((ObjectNode) expected.get("spec")).set("offsetReset", offsetReset);
                assertThat(after.equals(NUMBERS_BY_VALUE, expected)).as("%s changes spec.offsetReset only", reset.action()).isTrue();
            }
        }
    }

    private static void assertOnlyChanged(JsonNode before, JsonNode after, Map<String, String> changes) {
        ObjectNode expected = before.deepCopy();
        changes.forEach((pointer, value) -> {
            int last = pointer.lastIndexOf('/');
            ((ObjectNode) expected.at(pointer.substring(0, last))).put(pointer.substring(last + 1), value);
        });
        assertThat(after.equals(NUMBERS_BY_VALUE, expected)).as("only %s changed:%n%s", changes.keySet(), after).isTrue();
    }

    private static List<String> names(JsonNode actions) {
        return ArgoLua.YAML.convertValue(actions, Map.class).keySet().stream().map(Object::toString).toList();
    }

    private static List<String> disabled(JsonNode actions) {
        return names(actions).stream().filter(name -> actions.get(name).path("disabled").asBoolean()).toList();
    }
}
