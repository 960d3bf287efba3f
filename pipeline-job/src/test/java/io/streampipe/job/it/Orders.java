package io.streampipe.job.it;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.SpecFiles;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The no-window pipeline of the tests: the latest version of each order, and its oracle. */
public final class Orders {
    private Orders() {
    }

    /** One version of an order; {@code second} is its updated_at, seconds after {@link Ev#T0}. */
    public record Order(String id, String status, double amount, long second, int partition) {
        long updatedAt() {
            return Ev.T0.plusSeconds(second).toEpochMilli();
        }

        String json() {
            return String.format(Locale.ROOT, "{\"order_id\":\"%s\",\"status\":\"%s\",\"amount\":%s,\"updated_at\":\"%s\"}",
                    id, status, amount, Instant.ofEpochMilli(updatedAt()));
        }

        /** The row as the test reads it back. */
        String row() {
            return String.format(Locale.ROOT, "%s|%s|%.2f|%d", id, status, amount, updatedAt());
        }
    }

    public static StreamingPipelineSpec spec(KafkaBroker kafka, PostgresServer postgres, String topic, String group,
                                             String table, String startingOffsets) {
        return SpecFiles.parse(String.format(Locale.ROOT, """
                parallelism: 2
                source:
                  kafka: {bootstrapServers: "%s", topic: %s, groupId: %s}
                  startingOffsets: %s
                  schema:
                    - {name: order_id, type: string, required: true}
                    - {name: status, type: string, required: true, allowedValues: [created, paid, shipped]}
                    - {name: amount, type: double, min: 0}
                    - {name: updated_at, type: timestamp, required: true}
                  eventTime: {field: updated_at, maxOutOfOrderness: 5s, idleTimeout: 1s}
                transform:
                  keyBy: [order_id]
                sink:
                  postgres: {jdbcUrl: "%s", table: %s, createTable: true, batch: {size: 20, interval: 100ms}}
                deadLetter: {table: %s_rejects}
                checkpointing: {interval: 1s, storage: {path: "file:///tmp/streampipe-it"}}
                """, kafka.bootstrapServers(), topic, group, startingOffsets, postgres.jdbcUrl(), table, table));
    }

    public static void produce(KafkaBroker kafka, String topic, List<Order> orders, Long kafkaTimestamp) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (Order order : orders) {
            records.add(new ProducerRecord<>(topic, order.partition(), kafkaTimestamp, order.id(), order.json()));
        }
        kafka.produce(records);
    }

    /** The oracle: per order id, the version with the newest updated_at. */
    public static List<String> latest(List<Order> orders) {
        Map<String, Order> newest = new TreeMap<>();
        for (Order order : orders) {
            newest.merge(order.id(), order, (a, b) -> b.updatedAt() >= a.updatedAt() ? b : a);
        }
        return newest.values().stream().map(Order::row).toList();
    }

    public static List<String> table(PostgresServer postgres, String table) {
        return postgres.query("SELECT order_id, status, amount, (extract(epoch FROM updated_at) * 1000)::bigint AS t FROM "
                        + table + " ORDER BY order_id").stream()
                .map(r -> String.format(Locale.ROOT, "%s|%s|%.2f|%d", r.get("order_id"), r.get("status"),
                        ((Number) r.get("amount")).doubleValue(), ((Number) r.get("t")).longValue()))
                .toList();
    }

    /** {@code count} orders o-<prefix>-<i> in three versions each, produced out of order, spread over 4 partitions. */
    public static List<Order> versions(String prefix, int count, long firstSecond) {
        List<Order> orders = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = "o-" + prefix + "-" + i;
            int partition = i % 4;
            long t = firstSecond + i;
            orders.add(new Order(id, "created", 10 + i, t, partition));
            orders.add(new Order(id, "shipped", 10 + i, t + 120, partition));
            // An older version arriving last: it must not win.
            orders.add(new Order(id, "paid", 11 + i, t + 60, partition));
        }
        return orders;
    }
}
