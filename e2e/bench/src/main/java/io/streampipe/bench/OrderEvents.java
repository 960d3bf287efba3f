package io.streampipe.bench;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.SpecFiles;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The sink benchmark's data: order events (14 JSON fields), deterministic from a seed, with skewed updates to
 * existing orders, and everything needed to check a result table: the latest event of every order (the oracle) and
 * the Kafka partition of every event.
 *
 * <p>Each event either opens a new order or, with probability {@code updateShare}, updates an existing one; which
 * one is skewed towards recent orders (offset from the newest = n·u⁴, u uniform), as orders change soon after they
 * are placed. Order ids are a bijective scramble of the order number ({@code ord-<8 hex>}), so inserts land all over
 * the primary-key index as with real ids. After the events, each partition ends with {@link #SENTINELS_PER_PARTITION}
 * new orders: when all of them are visible in a table, every sink task has written everything before them.
 */
final class OrderEvents {
    static final int SENTINELS_PER_PARTITION = 32;
    /** 2026-11-20T00:00:00Z. */
    private static final long BASE_MILLIS = 1_795_132_800_000L;
    private static final String[] STATUSES = {"created", "paid", "shipped", "delivered", "cancelled"};
    private static final String[] CURRENCIES = {"EUR", "USD", "GBP", "CHF", "JPY"};
    private static final String[] CHANNELS = {"web", "app", "store", "partner"};
    private static final String[] COUNTRIES = {"DE", "US", "FR", "GB", "NL", "ES", "IT", "PL", "SE", "JP", "BR", "IN"};
    private static final String[] NOTES = {"", "leave at the door", "call before delivery", "gift wrap, please",
            "ring twice \u2014 the \"blue\" door", "fragile: glass", "deliver after 18:00", "Lieferung an Nachbarn m\u00f6glich"};

    private final long seed;
    private final int partitions;
    private final int[] keyOfEvent;
    private final int[] lastEventOfKey;
    private final byte[] partitionOfKey;
    private final List<String> sentinelIds = new ArrayList<>();
    private final int realEvents;
    private final int keyCount;

    private OrderEvents(long seed, int partitions, int[] keyOfEvent, int[] lastEventOfKey, byte[] partitionOfKey,
                        int realEvents, int keyCount) {
        this.seed = seed;
        this.partitions = partitions;
        this.keyOfEvent = keyOfEvent;
        this.lastEventOfKey = lastEventOfKey;
        this.partitionOfKey = partitionOfKey;
        this.realEvents = realEvents;
        this.keyCount = keyCount;
    }

    /** The 14 fields of an order as a pipeline spec declares them, each check the generator's values pass. */
    private static final List<String> SPEC_FIELDS = List.of(
            "{name: order_id, type: string, required: true, pattern: \"^ord-[0-9a-f]{8}$\"}",
            "{name: customer_id, type: string, required: true}",
            "{name: status, type: string, required: true, allowedValues: [created, paid, shipped, delivered, cancelled]}",
            "{name: amount, type: double, required: true, min: 0}",
            "{name: currency, type: string, allowedValues: [EUR, USD, GBP, CHF, JPY]}",
            "{name: items, type: long, min: 1}",
            "{name: channel, type: string}",
            "{name: country, type: string, pattern: \"^[A-Z]{2}$\"}",
            "{name: coupon, type: string}",
            "{name: is_gift, type: boolean}",
            "{name: weight_kg, type: double, min: 0}",
            "{name: note, type: string}",
            "{name: created_at, type: timestamp, required: true}",
            "{name: updated_at, type: timestamp, required: true}");

    /**
     * The no-window upsert pipeline the sink and latency benchmarks run: {@code examples/orders-upsert.yaml} with the
     * 14 order fields (and {@code extraFields}), exactly-once checkpoints every 10 s.
     */
    static StreamingPipelineSpec upsertSpec(int parallelism, String bootstrapServers, String topic, String group,
                                            String jdbcUrl, String table, int batchSize, String batchInterval,
                                            String... extraFields) {
        String schema = Stream.concat(SPEC_FIELDS.stream(), Stream.of(extraFields))
                .map(f -> "    - " + f).collect(Collectors.joining("\n"));
        return SpecFiles.parse(String.format(Locale.ROOT, """
                parallelism: %d
                maxParallelism: 128
                source:
                  kafka: {bootstrapServers: "%s", topic: %s, groupId: %s}
                  startingOffsets: {policy: earliest}
                  schema:
                %s
                transform:
                  keyBy: [order_id]
                sink:
                  postgres: {jdbcUrl: "%s", table: %s, createTable: true, batch: {size: %d, interval: %s}}
                deadLetter: {table: %s_rejects}
                checkpointing: {interval: 10s, storage: {path: "file:///tmp/streampipe-bench-checkpoints"}}
                """, parallelism, bootstrapServers, topic, group, schema, jdbcUrl, table, batchSize, batchInterval, table));
    }

    static OrderEvents generate(int events, int partitions, double updateShare, long seed) {
        int total = events + SENTINELS_PER_PARTITION * partitions;
        int[] keyOfEvent = new int[total];
        SplittableRandom random = new SplittableRandom(seed);
        int keys = 0;
        for (int i = 0; i < events; i++) {
            if (keys > 0 && random.nextDouble() < updateShare) {
                double u = random.nextDouble();
                keyOfEvent[i] = keys - 1 - (int) (keys * (u * u * u * u));
            } else {
                keyOfEvent[i] = keys++;
            }
        }
        int maxKeys = keys + SENTINELS_PER_PARTITION * partitions * 8 + 1024;
        byte[] partitionOfKey = new byte[maxKeys];
        int[] lastEventOfKey = new int[maxKeys];
        Arrays.fill(lastEventOfKey, -1);
        for (int k = 0; k < keys; k++) {
            partitionOfKey[k] = (byte) partitionOf(orderId(k), partitions);
        }
        for (int i = 0; i < events; i++) {
            lastEventOfKey[keyOfEvent[i]] = i;
        }
        OrderEvents generated = new OrderEvents(seed, partitions, keyOfEvent, lastEventOfKey, partitionOfKey, events, keys);
        generated.appendSentinels(keys);
        return generated;
    }

    private void appendSentinels(int firstKey) {
        int[] needed = new int[partitions];
        Arrays.fill(needed, SENTINELS_PER_PARTITION);
        int event = realEvents;
        for (int k = firstKey; event < keyOfEvent.length; k++) {
            int partition = partitionOf(orderId(k), partitions);
            partitionOfKey[k] = (byte) partition;
            if (needed[partition] > 0) {
                needed[partition]--;
                keyOfEvent[event] = k;
                lastEventOfKey[k] = event;
                sentinelIds.add(orderId(k));
                event++;
            }
        }
    }

    /** Events including the sentinels. */
    int size() {
        return keyOfEvent.length;
    }

    int realEvents() {
        return realEvents;
    }

    /** Distinct orders, including the sentinels: the row count of a correct table. */
    int distinctKeys() {
        int count = 0;
        for (int last : lastEventOfKey) {
            if (last >= 0) {
                count++;
            }
        }
        return count;
    }

    int partitions() {
        return partitions;
    }

    int partitionOfEvent(int event) {
        return partitionOfKey[keyOfEvent[event]];
    }

    List<String> sentinelIds() {
        return sentinelIds;
    }

    /** The latest event of each order, in order-number order. */
    int[] latestEvents() {
        return Arrays.stream(lastEventOfKey).filter(e -> e >= 0).toArray();
    }

    Order event(int index) {
        int key = keyOfEvent[index];
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        double customerSkew = r.nextDouble();
        return new Order(
                orderId(key),
                "cust-" + pad6((int) (200_000 * customerSkew * customerSkew * customerSkew)),
                STATUSES[r.nextInt(STATUSES.length)],
                Math.round(r.nextDouble() * 50_000) / 100.0,
                CURRENCIES[skewed(r, CURRENCIES.length)],
                1 + r.nextInt(9),
                CHANNELS[skewed(r, CHANNELS.length)],
                COUNTRIES[skewed(r, COUNTRIES.length)],
                r.nextInt(5) == 0 ? "SAVE" + (5 + r.nextInt(46)) : null,
                r.nextInt(10) == 0,
                Math.round((0.1 + r.nextDouble() * 20) * 1000) / 1000.0,
                NOTES[r.nextInt(NOTES.length)],
                BASE_MILLIS + key * 37L,
                BASE_MILLIS + 3_600_000L + index);
    }

    static String orderId(int key) {
        int s = key * 0x9E3779B1;
        s ^= s >>> 15;
        s *= 0x85EBCA77;
        s ^= s >>> 13;
        char[] id = {'o', 'r', 'd', '-', 0, 0, 0, 0, 0, 0, 0, 0};
        for (int i = 11; i >= 4; i--) {
            id[i] = Character.forDigit(s & 0xF, 16);
            s >>>= 4;
        }
        return new String(id);
    }

    /** Kafka's default partitioner for a keyed record, set explicitly so both topics split the same way. */
    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private static int skewed(SplittableRandom r, int size) {
        double u = r.nextDouble();
        return (int) (size * u * u);
    }

    private static String pad6(int value) {
        String digits = Integer.toString(value);
        return "000000".substring(digits.length()) + digits;
    }

    /** One event: the declared fields of the benchmark's pipeline, in schema order. */
    record Order(String orderId, String customerId, String status, double amount, String currency, long items,
                 String channel, String country, String coupon, boolean gift, double weightKg, String note,
                 long createdAt, long updatedAt) {

        /** The record value our job reads: plain JSON, timestamps as ISO-8601 (created_at) and epoch millis (updated_at). */
        String json() {
            return fields(new StringBuilder(400).append('{'), true).append('}').toString();
        }

        /** The same event as Kafka Connect's JsonConverter expects it with schemas.enable=true. */
        String connectJson() {
            return fields(new StringBuilder(1400).append(CONNECT_VALUE_SCHEMA).append("\"payload\":{"), false)
                    .append("}}").toString();
        }

        /** The fields as JSON members, created_at as ISO-8601 text or epoch millis. */
        private StringBuilder fields(StringBuilder out, boolean isoCreatedAt) {
            out.append("\"order_id\":\"").append(orderId)
                    .append("\",\"customer_id\":\"").append(customerId)
                    .append("\",\"status\":\"").append(status)
                    .append("\",\"amount\":").append(amount)
                    .append(",\"currency\":\"").append(currency)
                    .append("\",\"items\":").append(items)
                    .append(",\"channel\":\"").append(channel)
                    .append("\",\"country\":\"").append(country)
                    .append("\",\"coupon\":");
            if (coupon == null) {
                out.append("null");
            } else {
                out.append('"').append(coupon).append('"');
            }
            out.append(",\"is_gift\":").append(gift)
                    .append(",\"weight_kg\":").append(weightKg)
                    .append(",\"note\":");
            Json.string(out, note);
            out.append(",\"created_at\":");
            if (isoCreatedAt) {
                out.append('"').append(Instant.ofEpochMilli(createdAt)).append('"');
            } else {
                out.append(createdAt);
            }
            return out.append(",\"updated_at\":").append(updatedAt);
        }

        String connectKeyJson() {
            return CONNECT_KEY_SCHEMA + "\"payload\":{\"order_id\":\"" + orderId + "\"}}";
        }

        /** A line of {@code COPY ... FROM STDIN} (text format), for the oracle table. */
        String copyLine() {
            return String.join("\t", orderId, customerId, status, Double.toString(amount), currency, Long.toString(items),
                    channel, country, coupon == null ? "\\N" : coupon, Boolean.toString(gift), Double.toString(weightKg),
                    note.replace("\\", "\\\\"), Instant.ofEpochMilli(createdAt).toString(),
                    Instant.ofEpochMilli(updatedAt).toString()) + "\n";
        }
    }

    private static final String CONNECT_KEY_SCHEMA = "{\"schema\":{\"type\":\"struct\",\"name\":\"orders.Key\",\"optional\":false,"
            + "\"fields\":[{\"field\":\"order_id\",\"type\":\"string\",\"optional\":false}]},";
    private static final String CONNECT_VALUE_SCHEMA = "{\"schema\":{\"type\":\"struct\",\"name\":\"orders.Value\",\"optional\":false,\"fields\":["
            + "{\"field\":\"order_id\",\"type\":\"string\",\"optional\":false},"
            + "{\"field\":\"customer_id\",\"type\":\"string\",\"optional\":false},"
            + "{\"field\":\"status\",\"type\":\"string\",\"optional\":false},"
            + "{\"field\":\"amount\",\"type\":\"double\",\"optional\":false},"
            + "{\"field\":\"currency\",\"type\":\"string\",\"optional\":true},"
            + "{\"field\":\"items\",\"type\":\"int64\",\"optional\":true},"
            + "{\"field\":\"channel\",\"type\":\"string\",\"optional\":true},"
            + "{\"field\":\"country\",\"type\":\"string\",\"optional\":true},"
            + "{\"field\":\"coupon\",\"type\":\"string\",\"optional\":true},"
            + "{\"field\":\"is_gift\",\"type\":\"boolean\",\"optional\":true},"
            + "{\"field\":\"weight_kg\",\"type\":\"double\",\"optional\":true},"
            + "{\"field\":\"note\",\"type\":\"string\",\"optional\":true},"
            + "{\"field\":\"created_at\",\"type\":\"int64\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1},"
            + "{\"field\":\"updated_at\",\"type\":\"int64\",\"optional\":false,\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1}"
            + "]},";
}
