package io.streampipe.sandbox.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kubectl lines the demo prints for another terminal: each drives the operator through one field of the spec,
 * and the demo's status lines show what follows. The one-shot actions get a new token on every paste (the shell
 * fills in the time), so pasting one again does it again.
 */
final class PasteCommands {
    /** In a patch, a token the shell makes new on every paste. */
    static final String NEW_TOKEN = "$(date +%s)";

    /**
     * @param comment what it does, printed as a shell comment above it
     * @param patch   the merge patch, for a {@code kubectl patch}; null for other commands
     */
    record Command(String comment, String line, Map<String, Object> patch) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private PasteCommands() {
    }

    /** {@code export KUBECONFIG=… PATH=…:$PATH}, so that the lines below find the sandbox. */
    static String exportLine(Path kubeconfig, Path kubectlDirectory) {
        return "export KUBECONFIG=" + kubeconfig + " PATH=" + kubectlDirectory + ":$PATH";
    }

    /**
     * @param namespace   the pipeline's; named in the lines unless it is {@code default}
     * @param parallelism the spec's, so that the rescale changes it
     * @param windowed    whether the job keeps windows (else its state is the upserted keys' and the source's)
     */
    static List<Command> of(String namespace, String name, int parallelism, boolean windowed) {
        String resource = "spipe " + name + ("default".equals(namespace) ? "" : " -n " + namespace);
        List<Command> commands = new ArrayList<>();
        commands.add(new Command("the status as kubectl shows it, as it changes", "kubectl get " + resource + " -w", null));
        commands.add(patch(resource, "rescale: stop with a savepoint, start again at parallelism " + (parallelism + 1) + " from it",
                spec("parallelism", parallelism + 1)));
        commands.add(patch(resource, "take a savepoint now",
                spec("savepoints", map("triggerToken", NEW_TOKEN))));
        commands.add(patch(resource, "offset reset: skip what waits in the topic, read from its end on, "
                        + (windowed ? "the windows keep their state" : "the job keeps its state"),
                spec("offsetReset", map("token", NEW_TOKEN, "to", "latest", "keepState", true))));
        commands.add(patch(resource, "suspend: stop with a savepoint, keep nothing running", spec("state", "suspended")));
        commands.add(patch(resource, "resume from that savepoint", spec("state", "running")));
        return commands;
    }

    private static Command patch(String resource, String comment, Map<String, Object> patch) {
        String json;
        try {
            json = JSON.writeValueAsString(patch);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a merge patch of maps, strings and numbers is always JSON", e);
        }
        // Single-quoted for the shell; the token's command substitution is left outside the quotes.
        String quoted = "'" + json.replace('"' + NEW_TOKEN + '"', "\"'" + NEW_TOKEN + "'\"") + "'";
        return new Command(comment, "kubectl patch " + resource + " --type merge -p " + quoted, patch);
    }

    private static Map<String, Object> spec(String field, Object value) {
        return map("spec", map(field, value));
    }

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
