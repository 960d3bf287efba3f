package io.streampipe.sandbox.generator;

import io.streampipe.api.v1alpha1.SourceSpec.SchemaField;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Which entity the next event is about, in one of three shapes:
 * <ul>
 *   <li>{@link Mode#STEADY} (tumbling and sliding windows): a fixed population, Zipf-skewed, all reporting all the time;</li>
 *   <li>{@link Mode#VISITS} (session windows): users come for a burst of events and leave; popular ones come back;</li>
 *   <li>{@link Mode#LIFECYCLE} (no window): entities are created, updated every few seconds a few times and finished,
 *       like orders; a new one comes whenever none is due for an update.</li>
 * </ul>
 */
final class Entities {
    enum Mode { STEADY, VISITS, LIFECYCLE }

    private static final double ZIPF_EXPONENT = 0.9;
    private static final double HOT_SHARE = 0.15;
    /** How long an order-like entity waits between updates: each update is a new version of its row. */
    private static final long MIN_PAUSE_MILLIS = 2_000;
    private static final long MAX_PAUSE_MILLIS = 10_000;

    private final Mode mode;
    private final Random random;
    private final List<SchemaField> keyFields;
    private final boolean hasHotEntities;
    private final List<IntFunction<Object>> keyValueMakers = new ArrayList<>();
    private final Set<String> usedKeys = new HashSet<>();
    private final Map<Integer, Entity> population = new LinkedHashMap<>();
    private final List<Entity> active = new ArrayList<>();
    private final double[] zipf;
    private int created;

    Entities(Mode mode, List<SchemaField> keyFields, boolean hasHotEntities, int eventsPerSecond, Random random) {
        this.mode = mode;
        this.random = random;
        this.keyFields = keyFields;
        this.hasHotEntities = hasHotEntities;
        keyFields.forEach(field -> keyValueMakers.add(keyValueMaker(field)));
        int populationSize = switch (mode) {
            case STEADY -> Math.max(8, Math.min(64, eventsPerSecond * 2));
            case VISITS -> Math.max(50, Math.min(2000, eventsPerSecond * 10));
            case LIFECYCLE -> 0;
        };
        zipf = cumulativeZipf(populationSize);
        if (mode == Mode.STEADY) {
            for (int i = 0; i < populationSize; i++) {
                population.put(i, create(i));
            }
            chooseHot();
        }
        if (mode == Mode.VISITS) {
            int visits = Math.max(3, eventsPerSecond / 2);
            for (int i = 0; i < visits; i++) {
                active.add(newVisit());
            }
        }
    }

    Mode mode() {
        return mode;
    }

    int populationSize() {
        return mode == Mode.LIFECYCLE ? created : zipf.length;
    }

    long hotCount() {
        return population.values().stream().filter(e -> e.hot).count();
    }

    /**
     * The entity of the next valid event at event time {@code now}; the caller reports lifecycle progress with
     * {@link #finished}.
     */
    Entity next(long now) {
        return switch (mode) {
            case STEADY -> population.get(zipfIndex());
            case VISITS -> {
                int slot = random.nextInt(active.size());
                Entity entity = active.get(slot);
                if (--entity.visitLeft <= 0) {
                    active.set(slot, newVisit());
                }
                yield entity;
            }
            case LIFECYCLE -> {
                Entity entity = due(now);
                if (entity == null) {
                    entity = create(created);
                    population.put(entity.number, entity);
                    active.add(entity);
                }
                entity.nextUpdate = now + MIN_PAUSE_MILLIS + (long) (random.nextDouble() * (MAX_PAUSE_MILLIS - MIN_PAUSE_MILLIS));
                yield entity;
            }
        };
    }

    /** An active entity whose next update is due, picked at random; null when none is. */
    private Entity due(long now) {
        int size = active.size();
        int offset = size == 0 ? 0 : random.nextInt(size);
        for (int i = 0; i < size; i++) {
            Entity candidate = active.get((offset + i) % size);
            if (candidate.nextUpdate <= now) {
                return candidate;
            }
        }
        return null;
    }

    /** An existing entity to base a broken record on; nothing about it changes. */
    Entity any() {
        if (mode == Mode.LIFECYCLE) {
            return active.isEmpty() ? next(0) : randomActive();
        }
        return mode == Mode.STEADY ? population.get(zipfIndex()) : active.get(random.nextInt(active.size()));
    }

    /** A lifecycle entity reached a final stage: it gets no more events. */
    void finished(Entity entity) {
        active.remove(entity);
        population.remove(entity.number);
    }

    private Entity randomActive() {
        return active.get(random.nextInt(active.size()));
    }

    private Entity newVisit() {
        Entity user = population.computeIfAbsent(zipfIndex(), this::create);
        while (active.contains(user)) {
            user = population.computeIfAbsent(zipfIndex(), this::create);
        }
        user.visitLeft = 3 + random.nextInt(23);
        return user;
    }

    /** The value key field {@code field} (a position in the key fields) has for entity number {@code n}. */
    Object keyValue(int field, int n) {
        return keyValueMakers.get(field).apply(n);
    }

    private Entity create(int index) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int attempt = 0; attempt < 100; attempt++) {
            values.clear();
            for (int i = 0; i < keyFields.size(); i++) {
                values.put(keyFields.get(i).name, keyValueMakers.get(i).apply(index + 1));
            }
            if (usedKeys.add(String.join("|", values.values().stream().map(String::valueOf).toList()))) {
                break;
            }
        }
        created++;
        return new Entity(index, values, hasHotEntities && mode == Mode.VISITS && random.nextDouble() < HOT_SHARE);
    }

    /**
     * A fixed share of the population runs hot: one of the busiest few, so results come soon, and others anywhere in
     * the tail.
     */
    private void chooseHot() {
        if (!hasHotEntities || population.size() < 2) {
            return;
        }
        List<Integer> indexes = new ArrayList<>(population.keySet());
        int hot = Math.max(1, (int) Math.round(indexes.size() * HOT_SHARE));
        List<Integer> chosen = new ArrayList<>(List.of(1 + random.nextInt(Math.min(4, indexes.size() - 1))));
        indexes.remove(chosen.get(0));
        java.util.Collections.shuffle(indexes, random);
        chosen.addAll(indexes.subList(0, hot - 1));
        for (int index : chosen) {
            Entity normal = population.get(index);
            population.put(index, new Entity(normal.number, normal.keyValues, true));
        }
    }

    private int zipfIndex() {
        double u = random.nextDouble() * zipf[zipf.length - 1];
        int low = 0;
        int high = zipf.length - 1;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (zipf[mid] < u) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private static double[] cumulativeZipf(int size) {
        double[] cumulative = new double[Math.max(size, 1)];
        double total = 0;
        for (int i = 0; i < cumulative.length; i++) {
            total += 1 / Math.pow(i + 1, ZIPF_EXPONENT);
            cumulative[i] = total;
        }
        return cumulative;
    }

    /**
     * Readable key values: for {@code sensor_id}, {@code s-17} or {@code sensor-17}, whichever the field's pattern
     * allows; values sampled from the pattern when neither fits; one of the allowed values when there is a list.
     */
    private IntFunction<Object> keyValueMaker(SchemaField field) {
        if (field.allowedValues != null && !field.allowedValues.isEmpty()) {
            return n -> field.allowedValues.get(random.nextInt(field.allowedValues.size()));
        }
        return switch (field.type) {
            case LONG -> n -> (long) (field.min == null ? n : Math.ceil(field.min) + n);
            case DOUBLE -> n -> (double) n;
            case BOOLEAN -> n -> n % 2 == 0;
            case TIMESTAMP -> n -> java.time.Instant.parse("2026-01-01T00:00:00Z").plusSeconds(n);
            case STRING -> stringKeyMaker(field);
        };
    }

    private IntFunction<Object> stringKeyMaker(SchemaField field) {
        String stem = field.name.replaceAll("_?id$", "").replace('_', '-');
        String base = stem.isEmpty() ? "k" : stem;
        String initial = base.substring(0, 1);
        List<IntFunction<Object>> styles = List.of(
                n -> initial + "-" + n,
                n -> base + "-" + n,
                n -> base.replace('-', '_') + "_" + n,
                n -> Integer.toString(n));
        if (field.pattern == null) {
            return mode == Mode.LIFECYCLE ? n -> initial + "-" + (1000 + n) : styles.get(0);
        }
        RegexSampler sampler = RegexSampler.of(field.pattern);
        for (IntFunction<Object> style : styles) {
            if (sampler.matches((String) style.apply(1)) && sampler.matches((String) style.apply(9999))) {
                return style;
            }
        }
        return n -> sampler.sample(random);
    }
}
