package io.streampipe.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What one status patch of a pipeline changed against the one before it, from their bodies in the audit log: the
 * operator patches the status with server-side apply, so each body is the whole status it means to hold. Conditions
 * are compared by type, other lists by position.
 */
final class StatusChanges {
    private static final int VALUE_LENGTH = 80;

    private StatusChanges() {
    }

    /** One line per changed leaf, e.g. {@code lastCheckpoint.id: (absent) -> 1}; empty when nothing changed. */
    static List<String> between(JsonNode before, JsonNode after) {
        List<String> changes = new ArrayList<>();
        compare("", before == null ? missing() : before, after == null ? missing() : after, changes);
        return changes;
    }

    /** The fields a change touched, without values and list positions: {@code lastCheckpoint.id}, {@code conditions[Ready].status}. */
    static String field(String change) {
        return change.substring(0, change.indexOf(':'));
    }

    private static void compare(String path, JsonNode before, JsonNode after, List<String> changes) {
        if (before.equals(after)) {
            return;
        }
        if (before.isObject() || after.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            before.fieldNames().forEachRemaining(names::add);
            after.fieldNames().forEachRemaining(names::add);
            if (!before.isObject() && !before.isMissingNode() || !after.isObject() && !after.isMissingNode()) {
                changes.add(path + ": " + shown(before) + " -> " + shown(after));
                return;
            }
            for (String name : names) {
                compare(path.isEmpty() ? name : path + "." + name, before.path(name), after.path(name), changes);
            }
        } else if (before.isArray() && after.isArray() && byType(before) && byType(after)) {
            TreeSet<String> types = new TreeSet<>();
            before.forEach(item -> types.add(item.path("type").asText()));
            after.forEach(item -> types.add(item.path("type").asText()));
            for (String type : types) {
                compare(path + "[" + type + "]", withType(before, type), withType(after, type), changes);
            }
        } else if (before.isArray() && after.isArray()) {
            for (int i = 0; i < Math.max(before.size(), after.size()); i++) {
                compare(path + "[" + i + "]", before.path(i), after.path(i), changes);
            }
        } else {
            changes.add(path + ": " + shown(before) + " -> " + shown(after));
        }
    }

    private static boolean byType(JsonNode list) {
        for (JsonNode item : list) {
            if (!item.path("type").isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode withType(JsonNode list, String type) {
        for (JsonNode item : list) {
            if (type.equals(item.path("type").asText())) {
                return item;
            }
        }
        return missing();
    }

    private static String shown(JsonNode value) {
        if (value.isMissingNode()) {
            return "(absent)";
        }
        String text = value.toString();
        return text.length() <= VALUE_LENGTH ? text : text.substring(0, VALUE_LENGTH - 1) + "…";
    }

    private static JsonNode missing() {
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
