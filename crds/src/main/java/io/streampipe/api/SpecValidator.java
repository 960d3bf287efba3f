package io.streampipe.api;

import io.streampipe.api.v1alpha1.CheckpointingSpec;
import io.streampipe.api.v1alpha1.OffsetResetSpec;
import io.streampipe.api.v1alpha1.Patterns;
import io.streampipe.api.v1alpha1.SourceSpec;
import io.streampipe.api.v1alpha1.SourceSpec.FieldType;
import io.streampipe.api.v1alpha1.SourceSpec.SchemaField;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.TransformSpec;
import io.streampipe.api.v1alpha1.TransformSpec.WindowType;
import io.streampipe.api.v1alpha1.UpgradeSpec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * The rules of the CRD's CEL validations, in Java, plus what CEL cannot check (regexes compile). The API server is the
 * first gate; this one guards specs that never passed through it (a local run of an example, a job started by hand)
 * and lets the operator explain problems it finds in a condition. Each problem names its field.
 */
public final class SpecValidator {
    /**
     * The column of a windowed result table that holds the number of events a row was computed from (the job's
     * guard against a recomputation from fewer events replacing a row): no aggregate and no keyBy field of a windowed
     * pipeline may take its name. The CRD's rules on {@link TransformSpec} spell it too.
     */
    public static final String WINDOW_EVENTS = "_events";
    private static final java.util.regex.Pattern QUANTITY = java.util.regex.Pattern.compile(Patterns.QUANTITY);
    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile(Patterns.TOKEN);
    private static final java.util.regex.Pattern URI = java.util.regex.Pattern.compile(Patterns.URI);
    private static final java.util.regex.Pattern FLINK_KEYS_FROM_SPEC = java.util.regex.Pattern.compile(Patterns.FLINK_KEYS_FROM_SPEC);

    private SpecValidator() {
    }

    /** Every problem found, each starting with the field's path; empty when the spec is valid. */
    public static List<String> problems(StreamingPipelineSpec spec) {
        List<String> problems = new ArrayList<>();
        if (spec.parallelism < 1) {
            problems.add("spec.parallelism must be at least 1");
        }
        if (spec.maxParallelism != null && spec.maxParallelism < spec.parallelism) {
            problems.add("spec.maxParallelism must be greater than or equal to spec.parallelism");
        }
        if (spec.source == null || spec.source.kafka == null) {
            problems.add("spec.source.kafka is required");
        } else {
            source(spec.source, problems);
        }
        if (spec.transform == null || spec.transform.keyBy == null || spec.transform.keyBy.isEmpty()) {
            problems.add("spec.transform.keyBy needs at least one field");
        } else if (spec.source != null && spec.source.schema != null) {
            transform(spec, problems);
        }
        if (spec.sink == null || (spec.sink.postgres == null && spec.sink.kafka == null)) {
            problems.add("spec.sink: set postgres, kafka or both");
        } else if (spec.sink.postgres != null) {
            check(problems, () -> SqlIdentifiers.quoteTable("spec.sink.postgres.table", spec.sink.postgres.table));
            check(problems, () -> Durations.parse("spec.sink.postgres.batch.interval", spec.sink.postgres.batch.interval));
            if (spec.sink.postgres.jdbcUrl == null || !spec.sink.postgres.jdbcUrl.startsWith("jdbc:postgresql://")) {
                problems.add("spec.sink.postgres.jdbcUrl must start with jdbc:postgresql://");
            }
        }
        if (spec.deadLetter == null || (spec.deadLetter.table == null) == (spec.deadLetter.topic == null)) {
            problems.add("spec.deadLetter: set exactly one of table or topic");
        } else if (spec.deadLetter.table != null) {
            check(problems, () -> SqlIdentifiers.quoteTable("spec.deadLetter.table", spec.deadLetter.table));
        }
        if (spec.lateData != null) {
            boolean drop = Boolean.TRUE.equals(spec.lateData.drop);
            if ((spec.lateData.table != null ? 1 : 0) + (spec.lateData.topic != null ? 1 : 0) + (drop ? 1 : 0) != 1) {
                problems.add("spec.lateData: set exactly one of table, topic or drop: true");
            } else if (spec.lateData.table != null) {
                check(problems, () -> SqlIdentifiers.quoteTable("spec.lateData.table", spec.lateData.table));
            }
        }
        checkpointing(spec.checkpointing, problems);
        operations(spec, problems);
        resources(spec, problems);
        crossField(spec, problems);
        KafkaSinkRules.check(spec, problems);
        return problems;
    }

    /** Pairs of fields in different sections that must agree; the CRD has the same rules in CEL on StreamingPipelineSpec. */
    private static void crossField(StreamingPipelineSpec spec, List<String> problems) {
        String sinkTable = spec.sink == null || spec.sink.postgres == null ? null : spec.sink.postgres.table;
        String lateTable = spec.lateData == null ? null : spec.lateData.table;
        String deadTable = spec.deadLetter == null ? null : spec.deadLetter.table;
        if (sameTable(lateTable, sinkTable)) {
            problems.add("spec.lateData.table must differ from spec.sink.postgres.table: late events have columns of their own");
        }
        if (sameTable(deadTable, sinkTable)) {
            problems.add("spec.deadLetter.table must differ from spec.sink.postgres.table: rejected records have columns of their own");
        }
        if (sameTable(lateTable, deadTable)) {
            problems.add("spec.deadLetter.table must differ from spec.lateData.table");
        }
        if (spec.lateData != null && spec.transform != null && spec.transform.window == null) {
            problems.add("spec.lateData applies only with spec.transform.window: without a window no event is late");
        }
        boolean stateless = spec.upgrade != null && spec.upgrade.mode == UpgradeSpec.Mode.STATELESS;
        if (stateless && spec.state == StreamingPipelineSpec.State.SUSPENDED) {
            problems.add("spec.state suspended takes a savepoint to resume from only with spec.upgrade.mode savepoint or"
                    + " last-state; with stateless the job would stop without one and resume empty");
        }
        if (stateless && spec.offsetReset != null && spec.offsetReset.keepState) {
            problems.add("spec.offsetReset.keepState cannot keep state with spec.upgrade.mode stateless, which starts every"
                    + " deploy empty: set keepState: false or another upgrade mode");
        }
        if (spec.flinkConfiguration != null) {
            spec.flinkConfiguration.keySet().stream().filter(key -> FLINK_KEYS_FROM_SPEC.matcher(key).find()).sorted()
                    .forEach(key -> problems.add("spec.flinkConfiguration." + key + " must not be set here: a spec field sets it"
                            + " (checkpointing, maxParallelism, resources.taskManager.slots, upgrade, savepoints, parallelism)"
                            + " and would override it"));
        }
    }

    /** Whether two table names name one table: equal, or equal once PostgreSQL's default schema public is added. */
    private static boolean sameTable(String a, String b) {
        return a != null && b != null && (a.equals(b) || ("public." + a).equals(b) || a.equals("public." + b));
    }

    /** @throws IllegalArgumentException listing every problem */
    public static void requireValid(StreamingPipelineSpec spec) {
        List<String> problems = problems(spec);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid pipeline spec:\n  " + String.join("\n  ", problems));
        }
    }

    private static void source(SourceSpec source, List<String> problems) {
        var kafka = source.kafka;
        if ((kafka.topic == null) == (kafka.topicPattern == null)) {
            problems.add("spec.source.kafka: set exactly one of topic or topicPattern");
        }
        if (kafka.topicPattern != null) {
            regex(problems, "spec.source.kafka.topicPattern", kafka.topicPattern);
        }
        if (kafka.bootstrapServers == null || kafka.bootstrapServers.isBlank()) {
            problems.add("spec.source.kafka.bootstrapServers is required");
        }
        if (kafka.groupId == null || kafka.groupId.isBlank()) {
            problems.add("spec.source.kafka.groupId is required");
        }
        boolean sasl = kafka.securityProtocol == SourceSpec.SecurityProtocol.SASL_PLAINTEXT
                || kafka.securityProtocol == SourceSpec.SecurityProtocol.SASL_SSL;
        if (kafka.saslMechanism != null && !sasl) {
            problems.add("spec.source.kafka.saslMechanism applies only when securityProtocol is SASL_PLAINTEXT or SASL_SSL");
        }
        if (kafka.credentialsSecretRef != null && !sasl) {
            problems.add("spec.source.kafka.credentialsSecretRef is used only when securityProtocol is SASL_PLAINTEXT or SASL_SSL;"
                    + " with PLAINTEXT or SSL the credentials would be ignored");
        }
        if (sasl && kafka.credentialsSecretRef == null) {
            problems.add("spec.source.kafka.credentialsSecretRef is required when securityProtocol is SASL_PLAINTEXT or SASL_SSL");
        }
        if (kafka.properties != null) {
            kafka.properties.keySet().stream()
                    .filter(k -> k.toLowerCase().contains("password") || k.toLowerCase().contains("jaas"))
                    .forEach(k -> problems.add("spec.source.kafka.properties." + k + " must not carry secrets: use credentialsSecretRef"));
        }
        var offsets = source.startingOffsets;
        if (offsets != null && (offsets.policy == SourceSpec.OffsetPolicy.TIMESTAMP) != (offsets.timestamp != null)) {
            problems.add("spec.source.startingOffsets.timestamp is required when, and only when, policy is timestamp");
        }
        if (offsets != null && offsets.timestamp != null) {
            check(problems, () -> Timestamps.parse("spec.source.startingOffsets.timestamp", offsets.timestamp));
        }
        if (source.schema == null || source.schema.isEmpty()) {
            problems.add("spec.source.schema needs at least one field");
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < source.schema.size(); i++) {
            SchemaField field = source.schema.get(i);
            String path = "spec.source.schema[" + i + "]";
            check(problems, () -> SqlIdentifiers.quote(path + ".name", field.name));
            if (!names.add(field.name)) {
                problems.add(path + ".name: '" + field.name + "' is declared twice");
            }
            if (field.type == null) {
                problems.add(path + ".type is required (string, long, double, boolean or timestamp)");
            }
            if (field.pattern != null) {
                regex(problems, path + ".pattern", field.pattern);
            }
            if (field.min != null && field.max != null && field.min > field.max) {
                problems.add(path + ".min must be <= max");
            }
        }
        if (source.eventTime != null) {
            SchemaField timeField = byName(source.schema).get(source.eventTime.field);
            if (timeField == null || (timeField.type != FieldType.TIMESTAMP && timeField.type != FieldType.LONG)) {
                problems.add("spec.source.eventTime.field must name a field of spec.source.schema of type timestamp or long (epoch millis)");
            }
            check(problems, () -> Durations.parse("spec.source.eventTime.maxOutOfOrderness", source.eventTime.maxOutOfOrderness));
            if (source.eventTime.idleTimeout != null) {
                check(problems, () -> Durations.parse("spec.source.eventTime.idleTimeout", source.eventTime.idleTimeout));
            }
        }
    }

    private static void transform(StreamingPipelineSpec spec, List<String> problems) {
        TransformSpec transform = spec.transform;
        EnrichValidator.check(spec, problems);
        Map<String, SchemaField> schema = byName(EventFields.of(spec));
        for (String key : transform.keyBy) {
            if (!schema.containsKey(key)) {
                problems.add("spec.transform.keyBy: '" + key + "' is not a field of spec.source.schema nor a column of spec.transform.enrich");
            }
        }
        if (new HashSet<>(transform.keyBy).size() != transform.keyBy.size()) {
            problems.add("spec.transform.keyBy must not repeat a field");
        }
        boolean windowed = transform.window != null;
        if (windowed && transform.keyBy.contains(WINDOW_EVENTS)) {
            problems.add("spec.transform.keyBy: '" + WINDOW_EVENTS + "' is reserved with a window: the result table holds "
                    + "the window's event count in that column");
        }
        boolean hasAggregates = transform.aggregates != null && !transform.aggregates.isEmpty();
        if (windowed != hasAggregates) {
            problems.add("spec.transform.aggregates: a window needs at least one aggregate, and aggregates need a window");
        }
        if (windowed) {
            window(transform.window, problems);
            if (spec.source.eventTime == null) {
                problems.add("spec.source.eventTime is required when spec.transform.window is set");
            }
            if (spec.lateData == null) {
                problems.add("spec.lateData is required when spec.transform.window is set: late events go to a table or are dropped explicitly, never silently");
            }
            if (spec.checkpointing != null && spec.checkpointing.mode == CheckpointingSpec.Mode.AT_LEAST_ONCE) {
                problems.add("spec.checkpointing.mode at-least-once is not allowed with spec.transform.window: the windows' "
                        + "state would count events replayed after a restore twice; use exactly-once");
            }
        }
        Set<String> aggregateNames = new HashSet<>();
        for (int i = 0; i < (hasAggregates ? transform.aggregates.size() : 0); i++) {
            var aggregate = transform.aggregates.get(i);
            String path = "spec.transform.aggregates[" + i + "]";
            check(problems, () -> SqlIdentifiers.quote(path + ".name", aggregate.name));
            if (!aggregateNames.add(aggregate.name) || transform.keyBy.contains(aggregate.name)
                    || "window_start".equals(aggregate.name) || "window_end".equals(aggregate.name)
                    || WINDOW_EVENTS.equals(aggregate.name)) {
                problems.add(path + ".name must be unique and differ from keyBy fields, window_start, window_end and "
                        + WINDOW_EVENTS + " (the column of a window's event count)");
            }
            if (aggregate.fn == null) {
                problems.add(path + ".fn is required (count, sum, avg, min or max)");
            } else if (aggregate.fn != TransformSpec.AggregateFunction.COUNT) {
                SchemaField field = schema.get(aggregate.field);
                if (field == null || (field.type != FieldType.LONG && field.type != FieldType.DOUBLE)) {
                    problems.add(path + ".field must name a long or double field of spec.source.schema or spec.transform.enrich");
                }
            }
        }
        if (transform.having != null) {
            for (int i = 0; i < transform.having.size(); i++) {
                if (!aggregateNames.contains(transform.having.get(i).field)) {
                    problems.add("spec.transform.having[" + i + "].field must name an aggregate of spec.transform.aggregates");
                }
            }
        }
        List<String> primaryKey = spec.sink == null || spec.sink.postgres == null ? null : spec.sink.postgres.primaryKey;
        if (primaryKey != null) {
            Set<String> expected = new HashSet<>(transform.keyBy);
            if (windowed) {
                expected.add("window_start");
            }
            if (!new HashSet<>(primaryKey).equals(expected) || primaryKey.size() != expected.size()) {
                problems.add("spec.sink.postgres.primaryKey must be the keyBy fields, plus window_start when windowed");
            }
        }
    }

    private static void window(TransformSpec.Window window, List<String> problems) {
        if (window.type == null) {
            problems.add("spec.transform.window.type is required (tumbling, sliding or session)");
            return;
        }
        if (window.type == WindowType.SESSION) {
            if (window.gap == null) {
                problems.add("spec.transform.window.gap is required when type is session");
            }
            if (window.size != null || window.slide != null) {
                problems.add("spec.transform.window: size and slide are not used by session windows");
            }
        } else {
            if (window.size == null) {
                problems.add("spec.transform.window.size is required when type is " + window.type.name().toLowerCase());
            }
            if (window.gap != null) {
                problems.add("spec.transform.window.gap is only allowed when type is session");
            }
            if (window.type == WindowType.SLIDING && window.slide == null) {
                problems.add("spec.transform.window.slide is required when type is sliding");
            }
            if (window.type == WindowType.TUMBLING && window.slide != null) {
                problems.add("spec.transform.window.slide is only allowed when type is sliding");
            }
        }
        for (var entry : Map.of("size", nullToEmpty(window.size), "slide", nullToEmpty(window.slide),
                "gap", nullToEmpty(window.gap), "allowedLateness", nullToEmpty(window.allowedLateness)).entrySet()) {
            if (!entry.getValue().isEmpty()) {
                check(problems, () -> Durations.parse("spec.transform.window." + entry.getKey(), entry.getValue()));
            }
        }
        if (window.type == WindowType.SLIDING && window.size != null && window.slide != null) {
            try {
                if (Durations.parse("slide", window.slide).compareTo(Durations.parse("size", window.size)) >= 0) {
                    problems.add("spec.transform.window.slide must be shorter than spec.transform.window.size");
                }
            } catch (IllegalArgumentException malformed) {
                // Already reported above, naming the field.
            }
        }
    }

    private static void checkpointing(CheckpointingSpec checkpointing, List<String> problems) {
        if (checkpointing == null || checkpointing.storage == null) {
            problems.add("spec.checkpointing.storage is required");
            return;
        }
        var storage = checkpointing.storage;
        long set = java.util.stream.Stream.of(storage.s3, storage.gcs, storage.azure, storage.pvc, storage.path)
                .filter(java.util.Objects::nonNull).count();
        if (set != 1) {
            problems.add("spec.checkpointing.storage: set exactly one of s3, gcs, azure, pvc or path");
        }
        check(problems, () -> Durations.parse("spec.checkpointing.interval", checkpointing.interval));
        check(problems, () -> Durations.parse("spec.checkpointing.timeout", checkpointing.timeout));
        if (checkpointing.minPause != null) {
            check(problems, () -> Durations.parse("spec.checkpointing.minPause", checkpointing.minPause));
        }
        if (storage.pvc != null) {
            quantity(problems, "spec.checkpointing.storage.pvc.size", storage.pvc.size, true);
        }
    }

    /**
     * The fields that steer the operator rather than the job (upgrades, savepoints, one-shot tokens, deletion). The
     * job's copy of the spec leaves them out, so each is checked only when present.
     */
    private static void operations(StreamingPipelineSpec spec, List<String> problems) {
        if (spec.upgrade != null) {
            check(problems, () -> Durations.parse("spec.upgrade.timeout", spec.upgrade.timeout));
        }
        if (spec.savepoints != null) {
            if (spec.savepoints.periodic != null) {
                check(problems, () -> Durations.parse("spec.savepoints.periodic", spec.savepoints.periodic));
            }
            if (spec.savepoints.retain != null && spec.savepoints.retain.age != null) {
                check(problems, () -> Durations.parse("spec.savepoints.retain.age", spec.savepoints.retain.age));
            }
            if (spec.savepoints.triggerToken != null && !spec.savepoints.triggerToken.isEmpty()) {
                token(problems, "spec.savepoints.triggerToken", spec.savepoints.triggerToken);
            }
        }
        if (spec.deletion != null) {
            check(problems, () -> Durations.parse("spec.deletion.timeout", spec.deletion.timeout));
        }
        var reset = spec.offsetReset;
        if (reset != null) {
            token(problems, "spec.offsetReset.token", reset.token);
            if (reset.to == null) {
                problems.add("spec.offsetReset.to is required (earliest, latest or timestamp)");
            } else if ((reset.to == OffsetResetSpec.Target.TIMESTAMP) != (reset.timestamp != null)) {
                problems.add("spec.offsetReset.timestamp is required when, and only when, to is timestamp");
            }
            if (reset.timestamp != null) {
                check(problems, () -> Timestamps.parse("spec.offsetReset.timestamp", reset.timestamp));
            }
        }
        var restore = spec.restore;
        if (restore != null) {
            token(problems, "spec.restore.token", restore.token);
            if (restore.savepointPath == null || !URI.matcher(restore.savepointPath).matches()) {
                problems.add("spec.restore.savepointPath: '" + restore.savepointPath
                        + "' is not a savepoint URI such as s3://bucket/savepoints/savepoint-1a2b3c");
            }
        }
    }

    /** CPU and memory become pod resources and Flink memory settings; a value Kubernetes cannot parse stops both. */
    private static void resources(StreamingPipelineSpec spec, List<String> problems) {
        if (spec.resources == null) {
            return;
        }
        for (var pod : Map.of("jobManager", java.util.Optional.ofNullable(spec.resources.jobManager),
                "taskManager", java.util.Optional.ofNullable(spec.resources.taskManager)).entrySet()) {
            pod.getValue().ifPresent(resources -> {
                quantity(problems, "spec.resources." + pod.getKey() + ".cpu", resources.cpu, false);
                quantity(problems, "spec.resources." + pod.getKey() + ".memory", resources.memory, false);
            });
        }
    }

    private static void quantity(List<String> problems, String field, String value, boolean required) {
        if (value == null ? required : !QUANTITY.matcher(value).matches()) {
            problems.add(field + ": '" + value + "' is not a Kubernetes quantity such as 500m, 2, 512Mi or 4Gi");
        }
    }

    /** Tokens become part of operator uids and nonces: the CRD's pattern, checked here too. */
    private static void token(List<String> problems, String field, String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            problems.add(field + ": '" + token + "' is not a token (1 to 63 of A-Z, a-z, 0-9, '.', '_' and '-')");
        }
    }

    private static Map<String, SchemaField> byName(List<SchemaField> schema) {
        return schema.stream().filter(f -> f.name != null)
                .collect(Collectors.toMap(f -> f.name, Function.identity(), (a, b) -> a));
    }

    private static void regex(List<String> problems, String field, String regex) {
        try {
            java.util.regex.Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            problems.add(field + ": not a valid regular expression: " + e.getDescription());
        }
    }

    static void check(List<String> problems, Runnable check) {
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
