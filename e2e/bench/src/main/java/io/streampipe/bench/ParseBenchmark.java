package io.streampipe.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.streampipe.api.v1alpha1.SourceSpec.SchemaField;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.parse.Reject;
import io.streampipe.job.schema.EventSchema;
import io.streampipe.job.source.ParsingDeserializer;
import org.apache.flink.types.Either;
import org.apache.flink.types.Row;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code bench parse}: what turning the sink benchmark's order events into checked rows costs, on one thread, with
 * no Kafka, Flink or database: the job's own conversion ({@link ParsingDeserializer#convert}) on that benchmark's
 * 14-field schema, declared three ways, against Jackson's streaming parser reading every field into its type with no
 * check at all. Not one of the three benchmarks: the evidence behind the sink section's "what limits it", in
 * nanoseconds per event. The variants take turns every {@value #CHUNK} events (tens of milliseconds), in rotating
 * order, so that the machine's load, which changes by the second here, falls on all of them alike.
 *
 * <ul>
 *   <li>{@code job}: the schema as the sink benchmark declares it (two patterns, two allowed-value sets, bounds);</li>
 *   <li>{@code job_regex}: each pattern written {@code (?:pattern)}: the same values match, but the group sends it
 *       to {@code java.util.regex}, the way every pattern was matched before the job's own matcher;</li>
 *   <li>{@code job_unchecked}: no pattern, allowed values or bounds: types and required fields only;</li>
 *   <li>{@code jackson}: no schema, no row: each field read into its type ({@code created_at} as text).</li>
 * </ul>
 */
final class ParseBenchmark {
    private static final String JOB = "job";
    private static final String JOB_REGEX = "job_regex";
    private static final String JOB_UNCHECKED = "job_unchecked";
    private static final String JACKSON = "jackson";
    private static final List<String> VARIANTS = List.of(JOB, JOB_REGEX, JOB_UNCHECKED, JACKSON);
    private static final int CHUNK = 20_000;

    private final int events;
    private final int repeats;

    ParseBenchmark(Args args) {
        events = args.integer("events", 1_000_000);
        repeats = args.integer("repeats", 5);
        args.requireAllUsed();
    }

    void run() throws Exception {
        Machine.report();
        Report.line("events_requested", events);
        OrderEvents data = OrderEvents.generate(events, 2, 0.3, 42);
        byte[][] payloads = new byte[data.size()][];
        long bytes = 0;
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = data.event(i).json().getBytes(StandardCharsets.UTF_8);
            bytes += payloads[i].length;
        }
        Report.line("events", payloads.length);
        Report.line("bytes_per_event", bytes / payloads.length);

        Map<String, Pass> passes = new LinkedHashMap<>();
        passes.put(JOB, job(payloads, schema(field -> { })));
        passes.put(JOB_REGEX, job(payloads, schema(field -> {
            if (field.pattern != null) {
                field.pattern = "(?:" + field.pattern + ")";
            }
        })));
        passes.put(JOB_UNCHECKED, job(payloads, schema(field -> {
            field.pattern = null;
            field.allowedValues = null;
            field.min = null;
            field.max = null;
        })));
        passes.put(JACKSON, jackson(payloads));

        List<String> failures = new ArrayList<>();
        for (String variant : VARIANTS) {
            long accepted = passes.get(variant).run(0, payloads.length); // untimed: compiles the hot code
            if (accepted != payloads.length) {
                failures.add(variant + " accepted " + accepted + " of " + payloads.length);
            }
        }
        Map<String, List<Double>> nanos = new LinkedHashMap<>();
        for (int rep = 1; rep <= repeats; rep++) {
            Map<String, Long> elapsed = new LinkedHashMap<>();
            int turn = rep;
            for (int from = 0; from < payloads.length; from += CHUNK, turn++) {
                int to = Math.min(payloads.length, from + CHUNK);
                for (int i = 0; i < VARIANTS.size(); i++) {
                    String variant = VARIANTS.get((i + turn) % VARIANTS.size());
                    long start = System.nanoTime();
                    passes.get(variant).run(from, to);
                    elapsed.merge(variant, System.nanoTime() - start, Long::sum);
                }
            }
            for (String variant : VARIANTS) {
                double perEvent = (double) elapsed.get(variant) / payloads.length;
                Report.line("rep" + rep + "_" + variant + "_ns_per_event", perEvent);
                nanos.computeIfAbsent(variant, v -> new ArrayList<>()).add(perEvent);
            }
        }
        Machine.reportLoad("load_avg_end");
        Map<String, Report.Spread> spreads = new LinkedHashMap<>();
        for (String variant : VARIANTS) {
            spreads.put(variant, Report.Spread.of(nanos.get(variant)));
            Report.line(variant + "_ns_per_event", spreads.get(variant));
        }
        double patterns = spreads.get(JOB_REGEX).median() - spreads.get(JOB).median();
        Report.line("regex_minus_job_ns", patterns);
        Report.line("job_to_jackson", spreads.get(JOB).median() / spreads.get(JACKSON).median());
        failures.forEach(f -> Report.line("check", "FAILED " + f));
        Report.line("summary", String.format(java.util.Locale.ROOT,
                "parse events=%d jackson=%s ns job=%s ns job_regex=%s ns job_unchecked=%s ns checks=%s",
                payloads.length, Report.number(spreads.get(JACKSON).median()), Report.number(spreads.get(JOB).median()),
                Report.number(spreads.get(JOB_REGEX).median()), Report.number(spreads.get(JOB_UNCHECKED).median()),
                failures.isEmpty() ? "ok" : "FAILED"));
        if (!failures.isEmpty()) {
            throw new IllegalStateException("parse benchmark checks failed: " + failures);
        }
    }

    /** One pass over the payloads {@code from} (inclusive) {@code to} (exclusive); returns how many were accepted. */
    private interface Pass {
        long run(int from, int to) throws Exception;
    }

    private static EventSchema schema(Consumer<SchemaField> change) {
        StreamingPipelineSpec spec = OrderEvents.upsertSpec(1, "127.0.0.1:9092", "orders", "bench-parse",
                "jdbc:postgresql://127.0.0.1/bench", "orders", 500, "50ms");
        spec.source.schema.forEach(change);
        return EventSchema.of(spec);
    }

    private static Pass job(byte[][] payloads, EventSchema schema) {
        ParsingDeserializer deserializer = new ParsingDeserializer(schema);
        return (from, to) -> {
            long accepted = 0;
            for (int i = from; i < to; i++) {
                Either<Row, Reject> result = deserializer.convert("orders", 0, i, 0L, payloads[i]);
                accepted += result.isLeft() ? 1 : 0;
            }
            return accepted;
        };
    }

    /** Jackson alone: every field read into its type, nothing checked; a sum of them keeps the work from being skipped. */
    private static Pass jackson(byte[][] payloads) {
        JsonFactory json = new JsonFactory();
        double[] sink = {0};
        return (from, to) -> {
            long read = 0;
            double sum = 0;
            for (int i = from; i < to; i++) {
                try (JsonParser parser = json.createParser(payloads[i])) {
                    parser.nextToken();
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        JsonToken value = parser.nextToken();
                        switch (value) {
                            case VALUE_STRING -> sum += parser.getText().length();
                            case VALUE_NUMBER_INT -> sum += parser.getLongValue();
                            case VALUE_NUMBER_FLOAT -> sum += parser.getDoubleValue();
                            case VALUE_TRUE -> sum += 1;
                            default -> parser.skipChildren();
                        }
                    }
                }
                read++;
            }
            sink[0] += sum;
            return read;
        };
    }
}
