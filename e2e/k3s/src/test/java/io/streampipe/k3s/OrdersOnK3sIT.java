package io.streampipe.k3s;

import io.fabric8.kubernetes.client.dsl.Resource;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The orders example on a real cluster: K3s, the real Flink Kubernetes Operator, our chart and images, Kafka and
 * PostgreSQL in the cluster. Apply it, wait for RUNNING and for the rows; rescale from 2 to 3 while more versions of
 * the orders arrive, wait for RUNNING at parallelism 3, and compare the table, row by row, with the newest version of
 * every order produced (the oracle): nothing lost across the savepoint rescale, no older version winning.
 *
 * <p>Skipped, with the reason in the report, where there is no Docker engine or the images are not built.
 */
class OrdersOnK3sIT {
    private static final Logger LOG = LoggerFactory.getLogger(OrdersOnK3sIT.class);
    private static final String PIPELINE = "orders-upsert";
    private static final int ORDERS = 120;
    private static final Instant T0 = Instant.parse("2026-11-20T08:00:00Z");
    private static final List<String> STATUSES = List.of("created", "paid", "shipped");

    private static K3sCluster cluster;

    /** Per test, not per class: a skip in a class-level method would leave no trace (and no reason) in the report. */
    @BeforeEach
    void cluster() throws Exception {
        K3sCluster.assumeRunnable();
        cluster = K3sCluster.start();
        assertThat(cluster.images()).as("the images the chart deploys by default, imported from the tarballs")
                .containsAll(cluster.chartImages());
        cluster.installFlinkOperator();
        cluster.installStreampipe();
        cluster.installDataServices();
        cluster.stateVolume(PIPELINE + "-state");
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** One version of one order, as the orders example's schema wants it; key|value for the console producer. */
    private static String order(int order, int version) {
        return orderId(order) + "|" + String.format(Locale.ROOT,
                "{\"order_id\":\"%s\",\"customer_id\":\"c-%d\",\"status\":\"%s\",\"amount\":%s,\"items\":%d,\"updated_at\":\"%s\"}",
                orderId(order), order % 17, STATUSES.get(version), amount(order, version), 1 + version,
                T0.plusSeconds(60L * version + order));
    }

    private static String orderId(int order) {
        return String.format(Locale.ROOT, "ord-%08x", 0xa0000000L + order);
    }

    /** Never a whole number, so Java and PostgreSQL print it the same way. */
    private static String amount(int order, int version) {
        return Double.toString(order + 0.25 * (version + 1));
    }

    /** Records the schema rejects (they go to the dead-letter table, once each). */
    private static List<String> broken(String tag) {
        return List.of(tag + "-1|{not json", tag + "-2|{\"order_id\":\"ORD-1\",\"customer_id\":\"c\",\"status\":\"paid\",\"amount\":1,\"updated_at\":\"" + T0 + "\"}",
                tag + "-3|{\"order_id\":\"ord-00000001\",\"customer_id\":\"c\",\"status\":\"lost\",\"amount\":1,\"updated_at\":\"" + T0 + "\"}");
    }

    @Test
    void theOrdersExampleRunsRescalesAndLosesNoRow() throws Exception {
        Map<String, String> oracle = new TreeMap<>();
        List<String> first = new ArrayList<>();
        for (int version = 0; version < 2; version++) {
            for (int order = 0; order < ORDERS; order++) {
                first.add(order(order, version));
                oracle.put(orderId(order), STATUSES.get(version) + "|" + amount(order, version));
            }
        }
        first.addAll(broken("a"));
        cluster.produce(first);

        StreamingPipeline example = cluster.client.resources(StreamingPipeline.class)
                .load(K3sCluster.repo().resolve("examples/orders-upsert.yaml").toFile()).item();
        // The example as written, but sized for a test machine.
        example.getSpec().resources.jobManager.cpu = "0.5";
        example.getSpec().resources.jobManager.memory = "1Gi";
        example.getSpec().resources.taskManager.cpu = "0.5";
        example.getSpec().resources.taskManager.memory = "1536Mi";
        example.getSpec().resources.taskManager.slots = 2;
        Resource<StreamingPipeline> pipeline = cluster.client.resources(StreamingPipeline.class).inNamespace(K3sCluster.NAMESPACE)
                .resource(example);
        pipeline.create();

        awaitRunning(pipeline, 2, Duration.ofMinutes(10));
        await("the first versions of every order in orders_latest", Duration.ofMinutes(3), () -> rows().equals(oracle));

        List<String> second = new ArrayList<>();
        for (int order = 0; order < ORDERS; order++) {
            second.add(order(order, 2));
            oracle.put(orderId(order), STATUSES.get(2) + "|" + amount(order, 2));
        }
        second.addAll(broken("b"));
        pipeline.edit(p -> {
            p.getSpec().parallelism = 3;
            return p;
        });
        // Produced while the job stops with a savepoint and starts again at parallelism 3.
        cluster.produce(second);

        awaitRunning(pipeline, 3, Duration.ofMinutes(10));
        StreamingPipelineStatus status = pipeline.get().getStatus();
        assertThat(status.lastSavepoint).as("the rescale's savepoint").isNotNull();
        assertThat(status.lastSavepoint.reason).isEqualTo("upgrade");
        await("every order at its newest version after the rescale", Duration.ofMinutes(3), () -> rows().equals(oracle));
        assertThat(rows()).containsExactlyEntriesOf(oracle);
        assertThat(cluster.query("SELECT count(*) FROM orders_rejects")).containsExactly("6");
    }

    private static Map<String, String> rows() {
        Map<String, String> rows = new TreeMap<>();
        try {
            for (String row : cluster.query("SELECT order_id, status, amount FROM orders_latest ORDER BY order_id")) {
                int bar = row.indexOf('|');
                rows.put(row.substring(0, bar), row.substring(bar + 1));
            }
        } catch (Exception notYet) {
            LOG.debug("orders_latest not readable yet: {}", notYet.getMessage());
        }
        return rows;
    }

    /** Ready=True for the current generation, the job RUNNING at the given parallelism. */
    private static void awaitRunning(Resource<StreamingPipeline> pipeline, int parallelism, Duration timeout) {
        await(PIPELINE + " running at parallelism " + parallelism, timeout, () -> {
            StreamingPipeline current = pipeline.get();
            StreamingPipelineStatus status = current.getStatus();
            return status != null && Objects.equals(status.observedGeneration, current.getMetadata().getGeneration())
                    && "Running".equals(status.phase) && status.job != null && "RUNNING".equals(status.job.state)
                    && Objects.equals(status.job.parallelism, parallelism)
                    && status.conditions.stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
        });
    }

    private static void await(String what, Duration timeout, Supplier<Boolean> condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.get()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("Not within " + timeout + ": " + what + "\n" + cluster.diagnostics());
            }
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        LOG.info("{}: done", what);
    }
}
