package io.streampipe.sandbox.generator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streampipe.api.Durations;
import io.streampipe.api.v1alpha1.SourceSpec.FieldType;
import io.streampipe.api.v1alpha1.SourceSpec.SchemaField;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.TransformSpec;
import io.streampipe.api.v1alpha1.TransformSpec.AggregateFunction;
import io.streampipe.api.v1alpha1.TransformSpec.WindowType;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Realistic events for any pipeline spec, driven by its schema, window and {@code having}, deterministic for a seed
 * (the same seed gives the same keys, kinds and values; only the event times follow the clock).
 *
 * <p>Event time follows the wall clock ({@code speed} times faster, if asked). Besides events on time, some are out of
 * order within {@code maxOutOfOrderness}, some late but within {@code allowedLateness} (they update rows already
 * written), some later than that (they go to the late-data table), and a small share break the schema: malformed
 * JSON, a required field missing, a number out of range, a value not allowed, a string not matching its pattern.
 * Late events wait for a short warm-up, so that the job's watermark has started when they come.
 */
public final class EventGenerator {
    static final double REJECT_SHARE = 0.03;
    static final double MALFORMED_SHARE_OF_REJECTS = 0.35;
    static final double OUT_OF_ORDER_SHARE = 0.10;
    static final double LATE_ALLOWED_SHARE = 0.03;
    static final double TOO_LATE_SHARE = 0.015;
    static final Duration WARM_UP = Duration.ofSeconds(5);
    private static final Set<String> LIFECYCLE_NAMES = Set.of("status", "state", "stage", "phase");
    private static final Set<String> FINAL_STAGES = Set.of("cancelled", "canceled", "failed", "rejected", "refunded",
            "returned", "expired", "closed");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Random random;
    private final double speed;
    private final List<SchemaField> schema;
    private final List<String> keyNames;
    private final SchemaField timeField;
    private final long bound;
    private final long lateness;
    private final long windowSpan;
    private final boolean windowed;
    private final boolean sessions;
    private final Entities entities;
    private final Map<String, FieldValues> values = new LinkedHashMap<>();
    private final SchemaField lifecycleField;
    private final Map<EventKind, List<SchemaField>> violations = new LinkedHashMap<>();
    private final List<String> hotDescription = new ArrayList<>();
    private Long startMillis;

    private EventGenerator(StreamingPipelineSpec spec, long seed, int eventsPerSecond, double speed) {
        this.random = new Random(seed);
        this.speed = speed;
        this.schema = spec.source.schema;
        this.keyNames = entityKeys(spec);
        var eventTime = spec.source.eventTime;
        this.timeField = eventTime == null ? null
                : schema.stream().filter(f -> f.name.equals(eventTime.field)).findFirst().orElseThrow();
        this.bound = eventTime == null ? 0 : Durations.parse("maxOutOfOrderness", eventTime.maxOutOfOrderness).toMillis();
        TransformSpec.Window window = spec.transform.window;
        this.windowed = window != null;
        this.sessions = windowed && window.type == WindowType.SESSION;
        this.lateness = windowed ? Durations.parse("allowedLateness", window.allowedLateness).toMillis() : 0;
        this.windowSpan = !windowed ? 0 : Durations.parse("window", sessions ? window.gap : window.size).toMillis();
        this.lifecycleField = windowed ? null : schema.stream()
                .filter(f -> f.allowedValues != null && !f.allowedValues.isEmpty() && !keyNames.contains(f.name))
                .filter(f -> LIFECYCLE_NAMES.contains(f.name.toLowerCase(Locale.ROOT)))
                .findFirst().orElse(null);

        Map<String, FieldValues.Threshold> thresholds = thresholds(spec);
        List<SchemaField> keyFields = keyNames.stream()
                .map(name -> schema.stream().filter(f -> f.name.equals(name)).findFirst().orElseThrow()).toList();
        Entities.Mode mode = !windowed ? Entities.Mode.LIFECYCLE : sessions ? Entities.Mode.VISITS : Entities.Mode.STEADY;
        this.entities = new Entities(mode, keyFields, !thresholds.isEmpty(), eventsPerSecond, random);
        for (SchemaField field : schema) {
            if (!keyNames.contains(field.name) && field != timeField && field != lifecycleField) {
                values.put(field.name, new FieldValues(field, thresholds.get(field.name), mode == Entities.Mode.LIFECYCLE));
            }
        }
        findViolations();
    }

    /**
     * The fields that tell entities apart: the keyBy fields the schema declares and the key fields of the dimensions
     * (a keyBy field a dimension adds, such as a user's country, is not in the event the generator writes).
     */
    static List<String> entityKeys(StreamingPipelineSpec spec) {
        Set<String> declared = new java.util.HashSet<>();
        spec.source.schema.forEach(field -> declared.add(field.name));
        Set<String> keys = new java.util.LinkedHashSet<>();
        spec.transform.keyBy.stream().filter(declared::contains).forEach(keys::add);
        io.streampipe.api.EventFields.dimensions(spec).forEach(dimension -> dimension.key.stream()
                .map(key -> key.field).filter(declared::contains).forEach(keys::add));
        return List.copyOf(keys);
    }

    /**
     * The values of {@code field} the first {@code count} entities have, in order (a key field of
     * {@link #entityKeys}): the sandbox fills a dimension's table with them so the generated events find their rows.
     */
    public static List<Object> entityKeyValues(StreamingPipelineSpec spec, String field, int count) {
        SchemaField declared = spec.source.schema.stream().filter(f -> f.name.equals(field)).findFirst().orElseThrow();
        TransformSpec.Window window = spec.transform.window;
        Entities.Mode mode = window == null ? Entities.Mode.LIFECYCLE
                : window.type == WindowType.SESSION ? Entities.Mode.VISITS : Entities.Mode.STEADY;
        Entities entities = new Entities(mode, List.of(declared), false, 1, new Random(0));
        List<Object> values = new ArrayList<>(count);
        for (int n = 1; n <= count; n++) {
            values.add(entities.keyValue(0, n));
        }
        return values;
    }

    /**
     * @param speed how much faster than the wall clock event time runs (1: the same); windows of minutes or session
     *              gaps of half an hour close in seconds at 60
     */
    public static EventGenerator of(StreamingPipelineSpec spec, long seed, int eventsPerSecond, double speed) {
        return new EventGenerator(spec, seed, eventsPerSecond, speed);
    }

    /** The next event, for a record produced at {@code wallMillis}. */
    public GeneratedEvent next(long wallMillis) {
        if (startMillis == null) {
            startMillis = wallMillis;
        }
        EventKind kind = nextKind(wallMillis);
        long eventTime = eventTime(kind, wallMillis);
        if (kind.rejected()) {
            return broken(kind, entities.any(), eventTime);
        }
        Entity entity = entities.next(eventTime);
        Map<String, Object> fields = fields(entity, eventTime, true);
        return new GeneratedEvent(kind, entity.key, json(fields), fields, null);
    }

    /** What the events look like, a line per aspect, for the run's header. */
    public List<String> description() {
        List<String> lines = new ArrayList<>();
        String keys = String.join(", ", keyNames);
        lines.add(switch (entities.mode()) {
            case STEADY -> entities.populationSize() + " " + keys + " values, Zipf-skewed"
                    + (entities.hotCount() > 0 ? "; " + entities.hotCount() + " of them " + String.join(", ", hotDescription) : "");
            case VISITS -> keys + ": " + entities.populationSize() + " users, Zipf-skewed, visiting in bursts of 3-25 events"
                    + (hotDescription.isEmpty() ? "" : "; some " + String.join(", ", hotDescription));
            case LIFECYCLE -> "new " + keys + " keep arriving, each updated every 2-10 s"
                    + (lifecycleField == null ? "" : " through " + lifecycleField.name + " " + lifecycleField.allowedValues);
        });
        if (timeField != null) {
            String time = "event time " + timeField.name + " follows the clock" + (speed == 1 ? "" : " x" + trim(speed))
                    + "; " + percent(OUT_OF_ORDER_SHARE) + " out of order within " + duration(bound);
            if (windowed) {
                time += (lateness > 0 ? ", " + percent(LATE_ALLOWED_SHARE) + " late within allowedLateness " + duration(lateness) : "")
                        + ", " + percent(TOO_LATE_SHARE) + " later than that";
            }
            lines.add(time);
        }
        lines.add(percent(REJECT_SHARE) + " broken: " + violations.keySet().stream().map(EventKind::description)
                .collect(Collectors.joining(", ")));
        return lines;
    }

    private EventKind nextKind(long wallMillis) {
        double u = random.nextDouble();
        if (u < REJECT_SHARE) {
            if (random.nextDouble() < MALFORMED_SHARE_OF_REJECTS || violations.size() == 1) {
                return EventKind.MALFORMED_JSON;
            }
            List<EventKind> kinds = violations.keySet().stream().filter(k -> k != EventKind.MALFORMED_JSON).toList();
            return kinds.get(random.nextInt(kinds.size()));
        }
        u -= REJECT_SHARE;
        if (timeField == null) {
            return EventKind.ON_TIME;
        }
        boolean warm = wallMillis - startMillis >= WARM_UP.toMillis();
        if (u < OUT_OF_ORDER_SHARE) {
            return bound > 0 ? EventKind.OUT_OF_ORDER : EventKind.ON_TIME;
        }
        u -= OUT_OF_ORDER_SHARE;
        if (u < LATE_ALLOWED_SHARE) {
            return windowed && lateness > 0 && warm ? EventKind.LATE_ALLOWED : EventKind.ON_TIME;
        }
        u -= LATE_ALLOWED_SHARE;
        if (u < TOO_LATE_SHARE) {
            return windowed && warm ? EventKind.TOO_LATE : EventKind.ON_TIME;
        }
        return EventKind.ON_TIME;
    }

    /** Event time for the kind: a wall-clock reading, moved back as far as the kind needs. */
    private long eventTime(EventKind kind, long wallMillis) {
        long start = startMillis;
        long clock = start + (long) ((wallMillis - start) * speed);
        double u = random.nextDouble();
        return switch (kind) {
            case OUT_OF_ORDER -> clock - (long) ((0.2 + 0.7 * u) * bound);
            case LATE_ALLOWED -> clock - bound - (long) ((0.1 + 0.5 * u) * lateness);
            case TOO_LATE -> {
                // Past every window the event could fall in, by a margin the watermark's lag can't eat. A session
                // event must also stay a gap away from every accepted event of the run, or it would extend that session.
                long margin = (long) (Math.max(5_000, 3_000 * speed) * (1 + 2 * u));
                long behind = clock - bound - lateness - windowSpan - margin;
                yield sessions ? Math.min(behind, start - bound - lateness - windowSpan - margin) : behind;
            }
            default -> clock - (long) (u * Math.min(bound / 4, 2_000L));
        };
    }

    /** The declared fields of a valid event of {@code entity}, in schema order; omitted optional fields are absent. */
    private Map<String, Object> fields(Entity entity, long eventTime, boolean advance) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (SchemaField field : schema) {
            if (entity.keyValues.containsKey(field.name)) {
                fields.put(field.name, entity.keyValues.get(field.name));
            } else if (field == timeField) {
                fields.put(field.name, field.type == FieldType.LONG ? (Object) eventTime : Instant.ofEpochMilli(eventTime));
            } else if (field == lifecycleField) {
                fields.put(field.name, field.allowedValues.get(advance ? advance(entity) : Math.max(entity.stage, 0)));
            } else {
                FieldValues generator = values.get(field.name);
                Object value = generator.value(entity, random, eventTime);
                if (!generator.omitted(entity, random)) {
                    fields.put(field.name, value);
                }
            }
        }
        return fields;
    }

    /**
     * Moves an order-like entity one step along its lifecycle, the order of the field's allowedValues (now and then
     * straight to a final value such as cancelled), and finishes it at the end; returns the new stage.
     */
    private int advance(Entity entity) {
        List<String> stages = lifecycleField.allowedValues;
        int cancel = indexOfFinal(stages);
        if (entity.stage < 0) {
            entity.stage = 0;
        } else if (cancel > entity.stage && random.nextDouble() < 0.1) {
            entity.stage = cancel;
        } else {
            entity.stage++;
        }
        int lastRegular = cancel > 0 ? cancel - 1 : stages.size() - 1;
        if (entity.stage >= lastRegular || FINAL_STAGES.contains(stages.get(entity.stage).toLowerCase(Locale.ROOT))) {
            entities.finished(entity);
        }
        return entity.stage;
    }

    private static int indexOfFinal(List<String> stages) {
        for (int i = 0; i < stages.size(); i++) {
            if (FINAL_STAGES.contains(stages.get(i).toLowerCase(Locale.ROOT))) {
                return i;
            }
        }
        return -1;
    }

    /** A record of {@code entity} that breaks the schema the way {@code kind} says. */
    private GeneratedEvent broken(EventKind kind, Entity entity, long eventTime) {
        Map<String, Object> fields = fields(entity, eventTime, false);
        if (kind == EventKind.MALFORMED_JSON) {
            return new GeneratedEvent(kind, entity.key, malformed(fields), fields, null);
        }
        List<SchemaField> candidates = violations.get(kind);
        SchemaField field = candidates.get(random.nextInt(candidates.size()));
        Object wrong = switch (kind) {
            case MISSING_REQUIRED -> null;
            case BELOW_MIN -> outOfRange(field, field.min - 1 - 50 * random.nextDouble());
            case ABOVE_MAX -> outOfRange(field, field.max + 1 + 50 * random.nextDouble());
            case NOT_ALLOWED_VALUE -> notAllowed(field);
            case PATTERN_MISMATCH -> notMatching(field, fields.get(field.name));
            default -> throw new IllegalStateException(kind.name());
        };
        Map<String, Object> broken = new LinkedHashMap<>();
        for (SchemaField declared : schema) {
            if (declared == field) {
                if (wrong != null) {
                    broken.put(field.name, wrong);
                }
            } else if (fields.containsKey(declared.name)) {
                broken.put(declared.name, fields.get(declared.name));
            }
        }
        return new GeneratedEvent(kind, entity.key, json(broken), fields, field.name);
    }

    /** Truncated JSON, a Python dict, or key=value text: what broken producers send. */
    private String malformed(Map<String, Object> fields) {
        String json = json(fields);
        return switch (random.nextInt(3)) {
            case 0 -> json.substring(0, 1 + random.nextInt(json.length() - 2));
            case 1 -> fields.entrySet().stream().map(e -> "'" + e.getKey() + "': " + python(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
            default -> fields.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
        };
    }

    private static String python(Object value) {
        if (value instanceof Boolean bool) {
            return bool ? "True" : "False";
        }
        return value instanceof Number ? value.toString() : "'" + value + "'";
    }

    private static Object outOfRange(SchemaField field, double value) {
        double rounded = Math.round(value * 10) / 10.0;
        return field.type == FieldType.LONG ? (Object) (value < field.min ? (long) Math.floor(value) : (long) Math.ceil(value)) : rounded;
    }

    private String notAllowed(SchemaField field) {
        String first = field.allowedValues.get(0);
        for (String candidate : List.of("unknown", first.toUpperCase(Locale.ROOT), first + "-x", "n/a")) {
            if (!field.allowedValues.contains(candidate)) {
                return candidate;
            }
        }
        return first + "-" + random.nextInt(1000);
    }

    private String notMatching(SchemaField field, Object valid) {
        RegexSampler pattern = RegexSampler.of(field.pattern);
        String value = valid == null ? pattern.sample(random) : valid.toString();
        for (String candidate : List.of(value.toUpperCase(Locale.ROOT), value + "!", "#" + value, value.replace('-', '_'), "")) {
            if (!pattern.matches(candidate)) {
                return candidate;
            }
        }
        return "\u00a7" + value;
    }

    /** For each kind of schema violation, the fields it can be made with; malformed JSON is always possible. */
    private void findViolations() {
        violations.put(EventKind.MALFORMED_JSON, List.of());
        Map<EventKind, List<SchemaField>> found = new HashMap<>();
        for (SchemaField field : schema) {
            if (field.required) {
                found.computeIfAbsent(EventKind.MISSING_REQUIRED, k -> new ArrayList<>()).add(field);
            }
            if (field.min != null) {
                found.computeIfAbsent(EventKind.BELOW_MIN, k -> new ArrayList<>()).add(field);
            }
            if (field.max != null) {
                found.computeIfAbsent(EventKind.ABOVE_MAX, k -> new ArrayList<>()).add(field);
            }
            if (field.type == FieldType.STRING && field.allowedValues != null && !field.allowedValues.isEmpty()) {
                found.computeIfAbsent(EventKind.NOT_ALLOWED_VALUE, k -> new ArrayList<>()).add(field);
            } else if (field.type == FieldType.STRING && field.pattern != null) {
                found.computeIfAbsent(EventKind.PATTERN_MISMATCH, k -> new ArrayList<>()).add(field);
            }
        }
        for (EventKind kind : EventKind.values()) {
            if (found.containsKey(kind)) {
                violations.put(kind, found.get(kind));
            }
        }
    }

    /**
     * Fields whose values decide a {@code having}: for {@code avg_temp > 45} (avg of temperature), hot entities read
     * above 45 and the others well below, so some windows pass and some don't. Sums and counts depend on traffic and
     * are left alone.
     */
    private Map<String, FieldValues.Threshold> thresholds(StreamingPipelineSpec spec) {
        Map<String, FieldValues.Threshold> thresholds = new HashMap<>();
        if (spec.transform.having == null || spec.transform.aggregates == null) {
            return thresholds;
        }
        for (TransformSpec.Having having : spec.transform.having) {
            spec.transform.aggregates.stream()
                    .filter(a -> a.name.equals(having.field) && a.field != null)
                    .filter(a -> a.fn == AggregateFunction.AVG || a.fn == AggregateFunction.MIN || a.fn == AggregateFunction.MAX)
                    .findFirst()
                    .ifPresent(aggregate -> {
                        boolean above = switch (having.op) {
                            case GT, GTE -> true;
                            case LT, LTE -> false;
                            default -> true;
                        };
                        if (having.op != TransformSpec.Comparison.EQ && having.op != TransformSpec.Comparison.NE
                                && thresholds.putIfAbsent(aggregate.field, new FieldValues.Threshold(having.value, above)) == null) {
                            hotDescription.add("run " + (above ? "high" : "low") + " so that " + having.field + " "
                                    + (above ? ">" : "<") + " " + trim(having.value) + " holds");
                        }
                    });
        }
        return thresholds;
    }

    private static String json(Map<String, Object> fields) {
        Map<String, Object> serializable = new LinkedHashMap<>();
        fields.forEach((name, value) -> serializable.put(name, value instanceof Instant instant ? instant.toString() : value));
        try {
            return JSON.writeValueAsString(serializable);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String percent(double share) {
        return trim(share * 100) + "%";
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private static String duration(long millis) {
        Duration duration = Duration.ofMillis(millis);
        return duration.toSeconds() % 60 == 0 && duration.toMinutes() > 0 ? duration.toMinutes() + "m" : duration.toSeconds() + "s";
    }
}
