package io.streampipe.charts.argocd;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The argocd-cm form in the chart's docs holds exactly the tested Lua files. It is generated from them: when a Lua file
 * changes, this test fails and writes the new form to target/argocd-cm.yaml, to be copied over the committed one.
 */
class ArgoCdConfigMapTest {
    static final Path CONFIG_MAP = Path.of("streampipe/argocd/argocd-cm.yaml");
    static final String HEALTH_KEY = "resource.customizations.health.streampipe.io_StreamingPipeline";
    static final String ACTIONS_KEY = "resource.customizations.actions.streampipe.io_StreamingPipeline";

    @Test
    void holdsExactlyTheTestedLuaFiles() throws Exception {
        JsonNode data = ArgoLua.readYaml(CONFIG_MAP).get("data");
        assertThat(data.get(HEALTH_KEY).asText()).isEqualTo(ArgoLua.script(ArgoLua.HEALTH));

        JsonNode actions = ArgoLua.YAML.readTree(data.get(ACTIONS_KEY).asText());
        assertThat(actions.get("discovery.lua").asText()).isEqualTo(ArgoLua.script(ArgoLua.DISCOVERY));
        List<String> defined = new ArrayList<>();
        for (JsonNode definition : actions.get("definitions")) {
            String name = definition.get("name").asText();
            defined.add(name);
            assertThat(definition.get("action.lua").asText()).as(name).isEqualTo(ArgoLua.script(ArgoLua.action(name)));
        }
        assertThat(defined).containsExactlyElementsOf(ArgoLua.actionNames());
    }

    @Test
    void isTheFormGeneratedFromTheLuaFiles() throws Exception {
        String generated = generate();
        if (!generated.equals(Files.readString(CONFIG_MAP))) {
            Path fresh = Path.of("target/argocd-cm.yaml");
            Files.writeString(fresh, generated);
            throw new AssertionError(CONFIG_MAP + " is not generated from the Lua files as they are now; the fresh one is "
                    + "charts/" + fresh + ": copy it over charts/" + CONFIG_MAP);
        }
    }

    static String generate() {
        StringBuilder yaml = new StringBuilder("""
                # Generated from the Lua files next to this one by ArgoCdConfigMapTest (charts module): edit those, not this.
                # The Argo CD health check and resource actions of streampipe.io StreamingPipelines, as argocd-cm keys.
                # Merge into Argo CD's own ConfigMap (README.md in this directory):
                #   kubectl -n argocd patch configmap argocd-cm --patch-file argocd-cm.yaml
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: argocd-cm
                  labels:
                    app.kubernetes.io/name: argocd-cm
                    app.kubernetes.io/part-of: argocd
                data:
                """);
        yaml.append("  ").append(HEALTH_KEY).append(": |\n").append(indent(ArgoLua.script(ArgoLua.HEALTH), 4));
        yaml.append("  ").append(ACTIONS_KEY).append(": |\n");
        yaml.append("    discovery.lua: |\n").append(indent(ArgoLua.script(ArgoLua.DISCOVERY), 6));
        yaml.append("    definitions:\n");
        for (String name : ArgoLua.actionNames()) {
            yaml.append("      - name: ").append(name).append('\n');
            yaml.append("        action.lua: |\n").append(indent(ArgoLua.script(ArgoLua.action(name)), 10));
        }
        return yaml.toString();
    }

    private static String indent(String text, int spaces) {
        String prefix = " ".repeat(spaces);
        StringBuilder indented = new StringBuilder();
        text.lines().forEach(line -> indented.append(line.isEmpty() ? "" : prefix + line).append('\n'));
        return indented.toString();
    }
}
