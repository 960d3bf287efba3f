package io.streampipe.bench;

import io.streampipe.bench.OrderEvents.Order;
import io.streampipe.job.schema.ResultSchema;
import io.streampipe.job.sink.ResultRowWriter;
import io.streampipe.job.sink.SqlStatements;
import org.apache.flink.types.Row;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ceiling: the same rows upserted with plain JDBC, no Kafka and no Flink, as fast as this machine's PostgreSQL
 * takes them through the same statement as our sink, with the same batch size and as many threads as the job's
 * parallelism. Each thread owns the orders of its partitions (so each order's versions stay in order), keeps one
 * change per order in a batch (the last, as the sink does), and commits each batch. The rows are built in memory
 * before the clock starts: only binding, the driver and the database are timed.
 */
final class Ceiling {
    /** How a batch reaches the database. */
    enum Mode {
        /** The job's statement and binding: one {@code INSERT … SELECT * FROM unnest(?, …)} per batch, one array per column. */
        ARRAYS,
        /** A JDBC batch ({@code addBatch}/{@code executeBatch}) of single-row {@code INSERT … VALUES (?, …) ON CONFLICT}. */
        ROWS
    }

    private Ceiling() {
    }

    /** @return seconds to write every event */
    static double run(OrderEvents events, String jdbcUrl, String user, String password, String table, ResultSchema result,
                      int threads, int batchSize, Mode mode) throws Exception {
        List<List<Order>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            work.add(new ArrayList<>(events.size() / threads + 1024));
        }
        for (int i = 0; i < events.size(); i++) {
            work.get(events.partitionOfEvent(i) % threads).add(events.event(i));
        }
        List<Connection> connections = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Connection connection = DriverManager.getConnection(jdbcUrl, user, password);
            connection.setAutoCommit(false);
            connections.add(connection);
        }
        ResultRowWriter writer = new ResultRowWriter(table, result);
        String sql = mode == Mode.ARRAYS ? SqlStatements.upsert("ceiling", table, result) : rowUpsert(table);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Connection connection = connections.get(t);
                List<Order> orders = work.get(t);
                done.add(pool.submit(() -> {
                    write(connection, orders, sql, batchSize, mode, writer);
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            pool.shutdownNow();
            for (Connection connection : connections) {
                connection.close();
            }
        }
    }

    private static void write(Connection connection, List<Order> orders, String sql, int batchSize, Mode mode,
                              ResultRowWriter writer) throws SQLException {
        Map<String, Order> batch = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (Order order : orders) {
                batch.put(order.orderId(), order);
                if (batch.size() >= batchSize) {
                    flush(connection, statement, batch, mode, writer);
                }
            }
            flush(connection, statement, batch, mode, writer);
        }
    }

    private static void flush(Connection connection, PreparedStatement statement, Map<String, Order> batch, Mode mode,
                              ResultRowWriter writer) throws SQLException {
        if (batch.isEmpty()) {
            return;
        }
        if (mode == Mode.ROWS) {
            for (Order order : batch.values()) {
                bind(statement, order);
                statement.addBatch();
            }
            statement.executeBatch();
        } else {
            List<Row> rows = new ArrayList<>(batch.size());
            for (Order o : batch.values()) {
                rows.add(Row.of(o.orderId(), o.customerId(), o.status(), o.amount(), o.currency(), o.items(), o.channel(),
                        o.country(), o.coupon(), o.gift(), o.weightKg(), o.note(), o.createdAt(), o.updatedAt()));
            }
            writer.bindAll(rows, statement);
            statement.executeUpdate();
        }
        connection.commit();
        batch.clear();
    }

    /** As the job's sink bound single rows before it wrote arrays: by column type, timestamps as OffsetDateTime in UTC. */
    private static void bind(PreparedStatement s, Order o) throws SQLException {
        s.setString(1, o.orderId());
        s.setString(2, o.customerId());
        s.setString(3, o.status());
        s.setDouble(4, o.amount());
        s.setString(5, o.currency());
        s.setLong(6, o.items());
        s.setString(7, o.channel());
        s.setString(8, o.country());
        if (o.coupon() == null) {
            s.setNull(9, Types.VARCHAR);
        } else {
            s.setString(9, o.coupon());
        }
        s.setBoolean(10, o.gift());
        s.setDouble(11, o.weightKg());
        s.setString(12, o.note());
        s.setObject(13, OffsetDateTime.ofInstant(Instant.ofEpochMilli(o.createdAt()), ZoneOffset.UTC));
        s.setObject(14, OffsetDateTime.ofInstant(Instant.ofEpochMilli(o.updatedAt()), ZoneOffset.UTC));
    }

    private static final String[] COLUMNS = {"order_id", "customer_id", "status", "amount", "currency", "items", "channel",
            "country", "coupon", "is_gift", "weight_kg", "note", "created_at", "updated_at"};

    private static String rowUpsert(String table) {
        StringBuilder names = new StringBuilder();
        StringBuilder update = new StringBuilder();
        for (int i = 0; i < COLUMNS.length; i++) {
            names.append(i == 0 ? "" : ", ").append('"').append(COLUMNS[i]).append('"');
            if (i > 0) {
                update.append(i == 1 ? "" : ", ").append('"').append(COLUMNS[i]).append("\" = EXCLUDED.\"").append(COLUMNS[i]).append('"');
            }
        }
        return "INSERT INTO \"" + table + "\" AS target (" + names + ") VALUES (" + "?, ".repeat(COLUMNS.length - 1)
                + "?) ON CONFLICT (\"order_id\") DO UPDATE SET " + update;
    }
}
