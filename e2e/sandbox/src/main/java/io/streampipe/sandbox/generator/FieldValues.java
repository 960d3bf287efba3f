package io.streampipe.sandbox.generator;

import io.streampipe.api.v1alpha1.SourceSpec.FieldType;
import io.streampipe.api.v1alpha1.SourceSpec.SchemaField;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Realistic values of one declared field that is neither a key nor the event time, chosen from its type, bounds,
 * allowed values and pattern, and from its name where that says what it is (a temperature, an amount, a page, a
 * customer). Values an entity keeps (a sensor's site, an order's customer) are remembered on the {@link Entity}.
 * Valid values always satisfy the schema: numbers are clamped to min/max.
 */
final class FieldValues {
    private static final List<String> PAGES = List.of("/", "/", "/products", "/products/%d", "/products/%d",
            "/products/%d", "/search?q=%s", "/cart", "/checkout", "/account");
    private static final List<String> WORDS = List.of("lamp", "desk", "chair", "sofa", "rug", "shelf", "mug", "plant");
    private static final List<String> PER_EVENT_HINTS = List.of("type", "action", "event", "kind", "method", "operation");
    private static final List<String> PERSON_HINTS = List.of("customer", "user", "account", "client", "owner", "member");
    private static final List<String> MONEY_HINTS = List.of("amount", "price", "total", "revenue", "cost", "value", "spend");
    private static final List<String> COUNT_HINTS = List.of("items", "quantity", "qty", "count", "units");

    /** What kind of values; decided once from the field's declaration. */
    private enum Shape { ALLOWED_STICKY, ALLOWED_PER_EVENT, PATTERN_STICKY, PATTERN_PER_EVENT, PAGE, PERSON, TEXT,
        MEASUREMENT, MONEY, COUNT, NUMBER, BOOLEAN, TIMESTAMP }

    private final SchemaField field;
    private final Shape shape;
    private final boolean keptPerEntity;
    private final RegexSampler pattern;
    private final Measurement measurement;

    /**
     * @param threshold a {@code having} bound on an aggregate of this field that hot entities pass and others don't;
     *                  null when none applies
     * @param lifecycle whether entities are created and finished (orders): their amounts and counts stay fixed
     */
    FieldValues(SchemaField field, Threshold threshold, boolean lifecycle) {
        this.field = field;
        this.shape = shapeOf(field);
        this.pattern = field.pattern == null ? null : RegexSampler.of(field.pattern);
        this.keptPerEntity = switch (shape) {
            case ALLOWED_STICKY, PATTERN_STICKY, PERSON, TEXT -> true;
            case MONEY, COUNT -> lifecycle;
            default -> false;
        };
        this.measurement = shape == Shape.MEASUREMENT || shape == Shape.NUMBER ? Measurement.of(field, threshold) : null;
    }

    String name() {
        return field.name;
    }

    /**
     * Whether this event leaves the (optional) field out: sometimes, and mostly for money (most page views buy
     * nothing). A value the entity keeps is left out of all its events or of none.
     */
    boolean omitted(Entity entity, Random random) {
        if (field.required) {
            return false;
        }
        double share = shape == Shape.MONEY && !keptPerEntity ? 0.8 : 0.1;
        if (keptPerEntity) {
            return (Boolean) entity.sticky.computeIfAbsent("omitted:" + field.name, name -> random.nextDouble() < share);
        }
        return random.nextDouble() < share;
    }

    /** @param eventTime of this event, used for timestamp fields that aren't the event time */
    Object value(Entity entity, Random random, long eventTime) {
        if (keptPerEntity) {
            return entity.sticky.computeIfAbsent(field.name, name -> fresh(entity, random, eventTime));
        }
        return fresh(entity, random, eventTime);
    }

    private Object fresh(Entity entity, Random random, long eventTime) {
        return switch (shape) {
            case ALLOWED_STICKY, ALLOWED_PER_EVENT -> field.allowedValues.get(random.nextInt(field.allowedValues.size()));
            case PATTERN_STICKY, PATTERN_PER_EVENT -> pattern.sample(random);
            case PAGE -> PAGES.get(random.nextInt(PAGES.size()))
                    .replace("%d", Integer.toString(1 + random.nextInt(400)))
                    .replace("%s", WORDS.get(random.nextInt(WORDS.size())));
            case PERSON -> field.name.substring(0, 1) + "-" + (1 + random.nextInt(500));
            case TEXT -> abbreviation(field.name) + "-" + (1 + random.nextInt(999));
            case MEASUREMENT, NUMBER -> measurement.reading(entity, random);
            case MONEY -> typed(field, Math.exp(3.5 + 0.9 * random.nextGaussian()), 2);
            case COUNT -> typed(field, 1 + Math.floor(Math.abs(random.nextGaussian()) * 1.5), 0);
            case BOOLEAN -> random.nextDouble() < 0.3;
            case TIMESTAMP -> Instant.ofEpochMilli(eventTime);
        };
    }

    /** {@code value} rounded to {@code decimals}, inside the field's min and max, as a Long for long fields. */
    static Object typed(SchemaField field, double value, int decimals) {
        double scale = Math.pow(10, decimals);
        double rounded = Math.round(value * scale) / scale;
        if (field.min != null && rounded < field.min) {
            rounded = Math.ceil(field.min * scale) / scale;
        }
        if (field.max != null && rounded > field.max) {
            rounded = Math.floor(field.max * scale) / scale;
        }
        return field.type == FieldType.LONG ? (Object) Math.round(rounded) : rounded;
    }

    private static Shape shapeOf(SchemaField field) {
        String name = field.name.toLowerCase(Locale.ROOT);
        return switch (field.type) {
            case BOOLEAN -> Shape.BOOLEAN;
            case TIMESTAMP -> Shape.TIMESTAMP;
            case LONG, DOUBLE -> {
                if (containsAny(name, COUNT_HINTS)) {
                    yield Shape.COUNT;
                }
                if (containsAny(name, MONEY_HINTS)) {
                    yield Shape.MONEY;
                }
                yield Measurement.profile(name) != null ? Shape.MEASUREMENT : Shape.NUMBER;
            }
            case STRING -> {
                boolean perEvent = containsAny(name, PER_EVENT_HINTS) || name.contains("page") || name.contains("path")
                        || name.contains("url");
                if (field.allowedValues != null && !field.allowedValues.isEmpty()) {
                    yield perEvent ? Shape.ALLOWED_PER_EVENT : Shape.ALLOWED_STICKY;
                }
                if (field.pattern != null) {
                    yield perEvent ? Shape.PATTERN_PER_EVENT : Shape.PATTERN_STICKY;
                }
                if (name.contains("page") || name.contains("path") || name.contains("url")) {
                    yield Shape.PAGE;
                }
                yield containsAny(name, PERSON_HINTS) ? Shape.PERSON : Shape.TEXT;
            }
        };
    }

    private static boolean containsAny(String name, List<String> hints) {
        return hints.stream().anyMatch(name::contains);
    }

    private static String abbreviation(String name) {
        String word = name.split("_")[0];
        return word.length() <= 4 ? word : word.substring(0, 4);
    }

    /** A {@code having} bound hot entities should pass: {@code above} for gt/gte, below for lt/lte. */
    record Threshold(double value, boolean above) {
    }

    /**
     * Readings that wander around a mean each entity keeps; hot entities' means are past the threshold, the others'
     * well short of it, so windows of hot entities pass {@code having} and the others don't.
     */
    private record Measurement(SchemaField field, double low, double high, double noise, int decimals, Threshold threshold) {
        /** Typical range, reading noise and decimals for quantities recognised by name. */
        static double[] profile(String name) {
            if (name.contains("temp")) {
                return new double[] {15, 30, 1.5, 1};
            }
            if (name.contains("humid")) {
                return new double[] {30, 70, 3, 1};
            }
            if (name.contains("pressure")) {
                return new double[] {1000, 1025, 1, 1};
            }
            if (name.contains("latency") || name.contains("duration") || name.endsWith("_ms")) {
                return new double[] {20, 200, 15, 0};
            }
            return null;
        }

        static Measurement of(SchemaField field, Threshold threshold) {
            double[] profile = profile(field.name.toLowerCase(Locale.ROOT));
            if (profile == null) {
                double min = field.min == null ? (field.max == null ? 0 : field.max - 100) : field.min;
                double max = field.max == null ? min + 100 : field.max;
                double span = max - min;
                profile = new double[] {min + 0.3 * span, min + 0.5 * span, span / 50, field.type == FieldType.LONG ? 0 : 2};
            }
            return new Measurement(field, profile[0], profile[1], profile[2], (int) profile[3], threshold);
        }

        Object reading(Entity entity, Random random) {
            double mean = (Double) entity.sticky.computeIfAbsent("mean:" + field.name, name -> mean(entity, random));
            return typed(field, mean + noise * random.nextGaussian(), decimals);
        }

        private double mean(Entity entity, Random random) {
            double usual = low + (high - low) * random.nextDouble();
            if (threshold == null) {
                return usual;
            }
            double margin = Math.max(2, Math.abs(threshold.value()) * 0.05);
            double direction = threshold.above() ? 1 : -1;
            if (entity.hot) {
                return threshold.value() + direction * margin * (1 + 2 * random.nextDouble());
            }
            double clearance = 3 * margin + 3 * noise;
            boolean tooClose = direction * (usual - threshold.value()) > -clearance;
            return tooClose ? threshold.value() - direction * (clearance + 5 * margin * random.nextDouble()) : usual;
        }
    }
}
