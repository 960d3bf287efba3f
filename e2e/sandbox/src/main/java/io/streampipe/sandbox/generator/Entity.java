package io.streampipe.sandbox.generator;

import java.util.HashMap;
import java.util.Map;

/**
 * A thing events are about: a sensor, a user, an order. It has the keyBy values, the values that stay the same
 * across its events (a sensor's site, an order's amount), whether it runs hot (its numbers pass the spec's
 * {@code having}), and, for an entity with a lifecycle, how far along it is.
 */
final class Entity {
    final int number;
    final String key;
    final Map<String, Object> keyValues;
    final boolean hot;
    final Map<String, Object> sticky = new HashMap<>();
    /** Index into the lifecycle field's allowedValues; -1 before its first event. */
    int stage = -1;
    /** Event time after which a lifecycle entity may get its next update. */
    long nextUpdate;
    /** Events left in the current visit (session windows). */
    int visitLeft;

    Entity(int number, Map<String, Object> keyValues, boolean hot) {
        this.number = number;
        this.keyValues = keyValues;
        this.key = String.join("|", keyValues.values().stream().map(String::valueOf).toList());
        this.hot = hot;
    }
}
