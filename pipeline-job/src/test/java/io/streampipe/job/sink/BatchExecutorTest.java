package io.streampipe.job.sink;

import io.streampipe.api.v1alpha1.SourceSpec.EventTime;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.Specs;
import io.streampipe.job.schema.ResultSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.HashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Batches against a recording JDBC connection: one change per row, upserts as arrays, one transaction, unchanged on failure. */
class BatchExecutorTest {
    private final List<String> calls = new ArrayList<>();
    private boolean failExecution;
    /** What the upsert's executeUpdate reports: rows inserted or updated (the guard may refuse some). */
    private int updateCount = 1;

    private Connection connection() {
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "prepareStatement" -> statement((Connection) proxy, ((String) args[0]).startsWith("DELETE") ? "delete" : "upsert");
                    case "createArrayOf" -> array((Object[]) args[1]);
                    case "setAutoCommit", "commit", "rollback" -> {
                        calls.add(method.getName() + (args == null ? "" : "(" + args[0] + ")"));
                        yield null;
                    }
                    default -> null;
                });
    }

    private PreparedStatement statement(Connection connection, String name) {
        return (PreparedStatement) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{PreparedStatement.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getConnection" -> connection;
                    case "setString", "setLong", "setDouble" -> {
                        if ((Integer) args[0] == 1) {
                            calls.add(name + " " + args[1]);
                        }
                        yield null;
                    }
                    case "setArray" -> {
                        if ((Integer) args[0] == 1) {
                            calls.add(name + " " + Arrays.toString((Object[]) ((Array) args[1]).getArray()));
                        }
                        yield null;
                    }
                    case "executeBatch", "executeUpdate" -> {
                        if (failExecution) {
                            throw new SQLException("connection lost");
                        }
                        calls.add(name + " " + method.getName());
                        yield method.getName().equals("executeBatch") ? new int[0] : updateCount;
                    }
                    default -> null;
                });
    }

    private Array array(Object[] elements) {
        return (Array) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Array.class},
                (proxy, method, args) -> method.getName().equals("getArray") ? elements : null);
    }

    private static Row order(RowKind kind, String id, long updatedAt) {
        return Row.ofKind(kind, id, "c", "paid", 1.0, 1L, updatedAt);
    }

    @Test
    void upsertsLockRowsInKeyOrderAndStaleVersionsAreCounted() throws Exception {
        StreamingPipelineSpec orders = Specs.example("orders-upsert");
        orders.source.eventTime = new EventTime();
        orders.source.eventTime.field = "updated_at";
        Map<String, SimpleCounter> counters = new HashMap<>();
        MetricGroup group = new UnregisteredMetricsGroup() {
            @Override
            public Counter counter(String name) {
                return counters.computeIfAbsent(name, n -> new SimpleCounter());
            }
        };
        ResultRowWriter writer = new ResultRowWriter("t", ResultSchema.of(orders));
        BatchExecutor<Row> executor = new BatchExecutor<>(writer, new SinkMetrics(group), connection());
        PendingRows<Row> batch = new PendingRows<>(writer);
        batch.add(order(RowKind.INSERT, "c", 1));
        batch.add(order(RowKind.INSERT, "a", 5));
        batch.add(order(RowKind.INSERT, "a", 3)); // older than the pending version: dropped
        batch.add(order(RowKind.INSERT, "b", 1));
        updateCount = 2; // the table's guard refuses one of the three rows
        executor.execute(batch);
        assertThat(calls).contains("upsert [a, b, c]");
        assertThat(counters.get(SinkMetrics.STALE_METRIC).getCount()).isEqualTo(2);
        assertThat(counters.get("sinkRowsWritten").getCount()).isEqualTo(2);
    }

    @Test
    void aKeyOfSeveralColumnsOrdersRowsColumnByColumnInKeyOrder() throws Exception {
        StreamingPipelineSpec orders = Specs.example("orders-upsert");
        orders.transform.keyBy = List.of("status", "order_id");
        ResultRowWriter writer = new ResultRowWriter("t", ResultSchema.of(orders));
        BatchExecutor<Row> executor = new BatchExecutor<>(writer, null, connection());
        PendingRows<Row> batch = new PendingRows<>(writer);
        batch.add(Row.of("a", "c", "shipped", 1.0, 1L, 1L));
        batch.add(Row.of("c", "c", "paid", 1.0, 1L, 1L));
        batch.add(Row.of("b", "c", "paid", 1.0, 1L, 1L));
        batch.add(Row.of("a", "c", "paid", 1.0, 1L, 1L)); // another row: same order_id, other status
        executor.execute(batch);
        assertThat(calls).contains("upsert [a, b, c, a]"); // (paid, a), (paid, b), (paid, c), (shipped, a)
    }

    @Test
    void oneChangePerRowInOneTransaction() throws Exception {
        StreamingPipelineSpec orders = Specs.example("orders-upsert");
        ResultRowWriter writer = new ResultRowWriter("t", ResultSchema.of(orders));
        BatchExecutor<Row> executor = new BatchExecutor<>(writer, null, connection());
        PendingRows<Row> batch = new PendingRows<>(writer);
        batch.add(order(RowKind.INSERT, "a", 1));
        batch.add(order(RowKind.INSERT, "b", 1));
        batch.add(order(RowKind.DELETE, "a", 2));
        batch.add(order(RowKind.INSERT, "b", 2));
        assertThat(batch.size()).isEqualTo(2);
        executor.execute(batch);
        assertThat(calls).containsExactly("setAutoCommit(false)", "upsert [b]", "upsert executeUpdate", "delete a",
                "delete executeBatch", "commit");
        calls.clear();
        executor.execute(new PendingRows<>(writer));
        assertThat(calls).isEmpty();
    }

    @Test
    void withAnEventTimeAnOlderVersionNeverReplacesANewerOneInABatch() throws Exception {
        StreamingPipelineSpec orders = Specs.example("orders-upsert");
        orders.source.eventTime = new EventTime();
        orders.source.eventTime.field = "updated_at";
        ResultRowWriter writer = new ResultRowWriter("t", ResultSchema.of(orders));
        assertThat(writer.replaces(order(RowKind.INSERT, "a", 5), order(RowKind.INSERT, "a", 7))).isFalse();
        assertThat(writer.replaces(order(RowKind.INSERT, "a", 7), order(RowKind.INSERT, "a", 7))).isTrue();
        assertThat(writer.rowKey(order(RowKind.INSERT, "a", 5))).isEqualTo("a");
    }

    @Test
    void aFailedBatchIsRolledBackAndKeptForTheRetry() throws Exception {
        ResultRowWriter writer = new ResultRowWriter("t", ResultSchema.of(Specs.example("orders-upsert")));
        BatchExecutor<Row> executor = new BatchExecutor<>(writer, null, connection());
        PendingRows<Row> batch = new PendingRows<>(writer);
        batch.add(order(RowKind.INSERT, "a", 1));
        failExecution = true;
        assertThatThrownBy(() -> executor.execute(batch)).hasMessage("connection lost");
        assertThat(calls).contains("rollback").doesNotContain("commit");
        assertThat(batch.size()).isEqualTo(1);
        failExecution = false;
        executor.execute(batch);
        assertThat(calls).endsWith("commit");
    }

    @Test
    void minusZeroAndZeroAreOneRowAsInPostgres() {
        StreamingPipelineSpec orders = Specs.example("orders-upsert");
        orders.transform.keyBy = List.of("amount");
        ResultRowWriter writer = new ResultRowWriter("t", ResultSchema.of(orders));
        assertThat(writer.rowKey(Row.of("a", "c", "paid", -0.0, 1L, 1L)))
                .isEqualTo(writer.rowKey(Row.of("b", "c", "paid", 0.0, 1L, 1L)));
    }

    @Test
    void upsertsAreBoundAsOneTypedArrayPerColumn() throws Exception {
        ResultRowWriter writer = new ResultRowWriter("t", ResultSchema.of(Specs.example("orders-upsert")));
        List<Object[]> arrays = new ArrayList<>();
        Connection connection = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "prepareStatement" -> statement((Connection) proxy, "upsert");
                    case "createArrayOf" -> {
                        arrays.add((Object[]) args[1]);
                        yield array((Object[]) args[1]);
                    }
                    default -> null;
                });
        BatchExecutor<Row> executor = new BatchExecutor<>(writer, null, connection);
        PendingRows<Row> batch = new PendingRows<>(writer);
        batch.add(Row.of("a", "c", "paid", 2.5, 3L, 1_795_132_800_037L));
        batch.add(Row.of("b", null, "paid", 1.0, null, 0L));
        executor.execute(batch);
        assertThat(arrays).hasSize(6);
        assertThat(arrays.get(0)).isInstanceOf(String[].class).containsExactly("a", "b");
        assertThat(arrays.get(1)).containsExactly("c", null);
        assertThat(arrays.get(3)).isInstanceOf(Double[].class).containsExactly(2.5, 1.0);
        assertThat(arrays.get(4)).isInstanceOf(Long[].class).containsExactly(3L, null);
        assertThat(arrays.get(5)).isInstanceOf(Long[].class).containsExactly(1_795_132_800_037L, 0L);
    }
}
