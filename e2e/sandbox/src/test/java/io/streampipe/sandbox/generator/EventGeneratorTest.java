package io.streampipe.sandbox.generator;

import io.streampipe.api.Durations;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.SpecFiles;
import io.streampipe.job.parse.RecordParser;
import io.streampipe.job.parse.RecordRejectedException;
import io.streampipe.job.schema.EventSchema;
import org.apache.flink.types.Row;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** The generator against the job's own parser, for every example: valid events pass, broken ones fail as intended. */
class EventGeneratorTest {
    private static final Path EXAMPLES = Path.of(System.getProperty("streampipe.examples", "../../examples"));
    private static final long START = Instant.parse("2026-11-21T10:00:00Z").toEpochMilli();
    private static final int EVENTS = 6_000;
    private static final int PER_SECOND = 20;

    @ParameterizedTest
    @ValueSource(strings = {"sensor-anomalies", "orders-upsert", "clickstream-sessions", "clickstream-enriched"})
    void validEventsPassTheSchemaAndBrokenOnesFailForTheIntendedReason(String example) {
        StreamingPipelineSpec spec = SpecFiles.read(EXAMPLES.resolve(example + ".yaml"));
        RecordParser parser = new RecordParser(EventSchema.parsed(spec));
        EventGenerator generator = EventGenerator.of(spec, 7, PER_SECOND, 1);
        Map<EventKind, Integer> kinds = new EnumMap<>(EventKind.class);
        for (int i = 0; i < EVENTS; i++) {
            GeneratedEvent event = generator.next(START + i * 1000L / PER_SECOND);
            kinds.merge(event.kind(), 1, Integer::sum);
            try {
                Row row = parser.parse(event.payload().getBytes(StandardCharsets.UTF_8));
                if (event.kind().rejected()) {
                    fail("%s was accepted: %s", event.kind(), event.payload());
                }
                assertThat(row.getArity()).isPositive();
            } catch (RecordRejectedException e) {
                if (!event.explainedBy(e.getMessage())) {
                    fail("%s rejected for '%s': %s", event.kind(), e.getMessage(), event.payload());
                }
            }
        }
        int rejected = kinds.entrySet().stream().filter(e -> e.getKey().rejected()).mapToInt(Map.Entry::getValue).sum();
        assertThat(rejected).isBetween(EVENTS * 2 / 100, EVENTS * 4 / 100);
        assertThat(kinds).containsKeys(EventKind.MALFORMED_JSON, EventKind.MISSING_REQUIRED);
        if (spec.transform.window != null) {
            assertThat(kinds).containsKeys(EventKind.OUT_OF_ORDER, EventKind.LATE_ALLOWED, EventKind.TOO_LATE);
        }
    }

    /** The users the enriched example's events name are among the rows the sandbox fills its users table with. */
    @Test
    void everyUserOfTheEnrichedExampleHasADimensionRow() {
        StreamingPipelineSpec spec = SpecFiles.read(EXAMPLES.resolve("clickstream-enriched.yaml"));
        assertThat(EventGenerator.entityKeys(spec)).as("keyBy country and plan are added by the dimension").containsExactly("user_id");
        java.util.Set<Object> rows = new java.util.HashSet<>(EventGenerator.entityKeyValues(spec, "user_id", 2_000));
        EventGenerator generator = EventGenerator.of(spec, 7, PER_SECOND, 1);
        java.util.Set<Object> users = new java.util.HashSet<>();
        for (int i = 0; i < EVENTS; i++) {
            GeneratedEvent event = generator.next(START + i * 1000L / PER_SECOND);
            if (!event.kind().rejected()) {
                users.add(event.fields().get("user_id"));
            }
        }
        assertThat(users).hasSizeGreaterThan(5);
        assertThat(rows).containsAll(users);
    }

    @Test
    void theSameSeedGivesTheSameEvents() {
        StreamingPipelineSpec spec = SpecFiles.read(EXAMPLES.resolve("orders-upsert.yaml"));
        EventGenerator first = EventGenerator.of(spec, 99, PER_SECOND, 1);
        EventGenerator second = EventGenerator.of(spec, 99, PER_SECOND, 1);
        EventGenerator other = EventGenerator.of(spec, 100, PER_SECOND, 1);
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        List<String> c = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            long now = START + i * 50L;
            a.add(first.next(now).payload());
            b.add(second.next(now).payload());
            c.add(other.next(now).payload());
        }
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
    }

    /**
     * Event times by kind against the sensor example's bounds (15s out of order, sliding 5m windows, 2m lateness):
     * too-late events are behind every window they could fall in, late ones within lateness, and some sensors run hot.
     */
    @Test
    void eventTimesAndValuesFitTheSensorPipeline() {
        StreamingPipelineSpec spec = SpecFiles.read(EXAMPLES.resolve("sensor-anomalies.yaml"));
        long bound = Durations.parse("b", spec.source.eventTime.maxOutOfOrderness).toMillis();
        long lateness = Durations.parse("l", spec.transform.window.allowedLateness).toMillis();
        long size = Durations.parse("s", spec.transform.window.size).toMillis();
        EventGenerator generator = EventGenerator.of(spec, 3, PER_SECOND, 1);
        Map<String, double[]> temperatures = new HashMap<>();
        for (int i = 0; i < EVENTS; i++) {
            long now = START + i * 1000L / PER_SECOND;
            GeneratedEvent event = generator.next(now);
            if (event.kind().rejected()) {
                continue;
            }
            long time = ((Instant) event.fields().get("ts")).toEpochMilli();
            switch (event.kind()) {
                case ON_TIME -> assertThat(time).isBetween(now - bound, now);
                case OUT_OF_ORDER -> assertThat(time).isBetween(now - bound, now);
                case LATE_ALLOWED -> assertThat(time).isBetween(now - bound - lateness, now - bound);
                case TOO_LATE -> assertThat(time + size + lateness).isLessThan(now - bound - 5_000);
                default -> fail("unexpected kind " + event.kind());
            }
            if (i * 1000L / PER_SECOND < EventGenerator.WARM_UP.toMillis()) {
                assertThat(event.kind()).isIn(EventKind.ON_TIME, EventKind.OUT_OF_ORDER);
            }
            double[] sumAndCount = temperatures.computeIfAbsent(event.key(), k -> new double[2]);
            sumAndCount[0] += (Double) event.fields().get("temperature");
            sumAndCount[1]++;
        }
        long hot = temperatures.values().stream().filter(t -> t[0] / t[1] > 45).count();
        long cool = temperatures.values().stream().filter(t -> t[0] / t[1] < 40).count();
        assertThat(hot).isPositive();
        assertThat(hot + cool).isEqualTo(temperatures.size());
        assertThat(cool).isGreaterThan(hot);
    }
}
