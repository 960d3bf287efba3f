package io.streampipe.charts.argocd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseOsLib;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the Argo CD Lua scripts of the chart as Argo CD runs argocd-cm scripts (argo-cd util/lua/lua.go, runLua, without
 * useOpenLibs): a fresh interpreter per call with only the package, base and table libraries and a safe {@code os}
 * holding {@code time} and {@code date} (global, and from {@code require("os")}), so no {@code string} or {@code math};
 * the live object as the global {@code obj} (JSON numbers become Lua numbers); the returned table converted back to
 * JSON (a table with keys 1..n is an array; an empty table is what the object had there, as cleanReturnedObj does).
 */
public final class ArgoLua {
    public static final Path CUSTOMIZATIONS = Path.of("streampipe/argocd/streampipe.io/StreamingPipeline");
    public static final Path HEALTH = CUSTOMIZATIONS.resolve("health.lua");
    public static final Path DISCOVERY = CUSTOMIZATIONS.resolve("actions/discovery.lua");
    static final ObjectMapper YAML = new YAMLMapper();
    private static final Set<String> ARGO_OS_FUNCTIONS = Set.of("time", "date");

    private ArgoLua() {
    }

    public static String script(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path action(String name) {
        return CUSTOMIZATIONS.resolve("actions").resolve(name).resolve("action.lua");
    }

    /** The actions the chart defines: the directories under actions/, sorted. */
    public static List<String> actionNames() {
        try (var dirs = Files.list(CUSTOMIZATIONS.resolve("actions"))) {
            return dirs.filter(Files::isDirectory).map(dir -> dir.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode readYaml(Path path) {
        try {
            return YAML.readTree(path.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a script with {@code obj} set to the object and returns what it returns, as JSON. */
    public static JsonNode run(Path script, JsonNode obj) {
        Globals globals = argoGlobals();
        globals.set("obj", toLua(obj));
        Varargs result = globals.load(script(script), script.toString()).invoke();
        return toJson(result.arg1(), obj);
    }

    private static Globals argoGlobals() {
        Globals globals = new Globals();
        globals.load(new JseBaseLib());
        globals.load(new PackageLib());
        globals.load(new TableLib());
        globals.load(new JseOsLib());
        LoadState.install(globals);
        LuaC.install(globals);
        LuaTable os = globals.get("os").checktable();
        LuaTable safeOs = new LuaTable();
        ARGO_OS_FUNCTIONS.forEach(name -> safeOs.set(name, os.get(name)));
        globals.get("package").get("loaded").set("os", safeOs);
        globals.set("os", safeOs);
        // LuaJ's base library loads the string library's metatable for string values; Argo CD's has none.
        globals.set("string", LuaValue.NIL);
        LuaString.s_metatable = null;
        return globals;
    }

    static LuaValue toLua(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return LuaValue.NIL;
        }
        if (node.isObject()) {
            LuaTable table = new LuaTable();
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                table.set(field.getKey(), toLua(field.getValue()));
            }
            return table;
        }
        if (node.isArray()) {
            LuaTable table = new LuaTable();
            for (int i = 0; i < node.size(); i++) {
                table.set(i + 1, toLua(node.get(i)));
            }
            return table;
        }
        if (node.isBoolean()) {
            return LuaValue.valueOf(node.booleanValue());
        }
        if (node.isNumber()) {
            return LuaValue.valueOf(node.doubleValue());
        }
        return LuaValue.valueOf(node.asText());
    }

    /** @param original the JSON at the same place in the object the script was given, to keep an empty array an array */
    static JsonNode toJson(LuaValue value, JsonNode original) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        if (value.isnil()) {
            return json.nullNode();
        }
        if (value.isboolean()) {
            return json.booleanNode(value.toboolean());
        }
        if (value.type() == LuaValue.TNUMBER) {
            double number = value.todouble();
            return number == Math.rint(number) && Math.abs(number) < 1e15 ? json.numberNode((long) number) : json.numberNode(number);
        }
        if (value.type() == LuaValue.TSTRING) {
            return json.textNode(value.tojstring());
        }
        LuaTable table = value.checktable();
        List<LuaValue> keys = new ArrayList<>();
        for (LuaValue key = table.next(LuaValue.NIL).arg1(); !key.isnil(); key = table.next(key).arg1()) {
            keys.add(key);
        }
        if (keys.isEmpty()) {
            return original != null && original.isArray() ? json.arrayNode() : json.objectNode();
        }
        if (keys.stream().allMatch(LuaValue::isinttype) && table.length() == keys.size()) {
            ArrayNode array = json.arrayNode();
            for (int i = 1; i <= keys.size(); i++) {
                array.add(toJson(table.get(i), original != null ? original.get(i - 1) : null));
            }
            return array;
        }
        ObjectNode object = json.objectNode();
        keys.stream().map(LuaValue::tojstring).sorted()
                .forEach(key -> object.set(key, toJson(table.get(key), original != null ? original.get(key) : null)));
        return object;
    }
}
