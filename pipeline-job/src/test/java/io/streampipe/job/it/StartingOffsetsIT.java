package io.streampipe.job.it;

import io.streampipe.job.PipelineJob;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every starting-offset policy, on the no-window pipeline (latest version per key, an older version never wins).
 */
class StartingOffsetsIT {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();
    @RegisterExtension
    static final MiniClusterExtension FLINK = Pipelines.miniCluster();

    @Test
    void earliestReadsTheWholeTopicAndTheNewestVersionOfEachKeyWins() throws Exception {
        String topic = Pipelines.unique("earliest");
        KAFKA.createTopic(topic, 4);
        List<Orders.Order> orders = Orders.versions("e", 12, 0);
        Orders.produce(KAFKA, topic, orders, null);
        JobClient job = PipelineJob.start(Orders.spec(KAFKA, POSTGRES, topic, topic, topic, "{policy: earliest}"),
                Pipelines.options(POSTGRES, 2));
        try {
            Pipelines.awaitEqual(() -> Orders.table(POSTGRES, topic), Orders.latest(orders));
            assertThat(Orders.table(POSTGRES, topic)).allMatch(row -> row.contains("|shipped|"));
        } finally {
            job.cancel().get();
        }
        // A replay of older versions by a job without state (new group, same table) must not overwrite newer rows.
        String olderTopic = Pipelines.unique("older");
        KAFKA.createTopic(olderTopic, 4);
        List<Orders.Order> replay = new ArrayList<>(orders.stream().filter(o -> !o.status().equals("shipped")).toList());
        // New orders last in every partition: once they are in the table, the older versions before them were read.
        for (int p = 0; p < 4; p++) {
            replay.add(new Orders.Order("o-marker-" + p, "created", 1, 0, p));
        }
        Orders.produce(KAFKA, olderTopic, replay, null);
        job = PipelineJob.start(Orders.spec(KAFKA, POSTGRES, olderTopic, olderTopic, topic, "{policy: earliest}"),
                Pipelines.options(POSTGRES, 2));
        try {
            List<Orders.Order> all = new ArrayList<>(orders);
            all.addAll(replay);
            Pipelines.awaitEqual(() -> Orders.table(POSTGRES, topic), Orders.latest(all));
            assertThat(Orders.table(POSTGRES, topic)).filteredOn(row -> row.startsWith("o-e-")).allMatch(row -> row.contains("|shipped|"));
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void latestSkipsWhatWasInTheTopicBeforeTheStart() throws Exception {
        String topic = Pipelines.unique("latest");
        KAFKA.createTopic(topic, 4);
        List<Orders.Order> before = Orders.versions("before", 8, 0);
        Orders.produce(KAFKA, topic, before, null);
        JobClient job = PipelineJob.start(Orders.spec(KAFKA, POSTGRES, topic, topic, topic, "{policy: latest}"),
                Pipelines.options(POSTGRES, 2));
        try {
            awaitReadingEveryPartition(topic);
            List<Orders.Order> after = Orders.versions("after", 8, 1000);
            Orders.produce(KAFKA, topic, after, null);
            Pipelines.awaitEqual(() -> withoutProbes(Orders.table(POSTGRES, topic)), Orders.latest(after));
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void committedResumesAfterTheGroupsOffsetsAndFallsBackToEarliestWithoutThem() throws Exception {
        String topic = Pipelines.unique("committed");
        String group = topic + "-group";
        KAFKA.createTopic(topic, 4);
        List<Orders.Order> first = Orders.versions("first", 8, 0);
        Orders.produce(KAFKA, topic, first, null);
        String firstTable = topic + "_a";
        JobClient job = PipelineJob.start(Orders.spec(KAFKA, POSTGRES, topic, group, firstTable,
                "{policy: committed, committedFallback: earliest}"), Pipelines.options(POSTGRES, 2));
        try {
            Pipelines.awaitEqual(() -> Orders.table(POSTGRES, firstTable), Orders.latest(first));
            // Offsets reach the group on completed checkpoints.
            Pipelines.awaitEqual(() -> committed(group), (long) first.size());
        } finally {
            job.cancel().get();
        }
        List<Orders.Order> second = Orders.versions("second", 8, 1000);
        Orders.produce(KAFKA, topic, second, null);
        String secondTable = topic + "_b";
        job = PipelineJob.start(Orders.spec(KAFKA, POSTGRES, topic, group, secondTable,
                "{policy: committed, committedFallback: earliest}"), Pipelines.options(POSTGRES, 2));
        try {
            Pipelines.awaitEqual(() -> Orders.table(POSTGRES, secondTable), Orders.latest(second));
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void timestampStartsInTheMiddleOfTheTopic() throws Exception {
        String topic = Pipelines.unique("timestamp");
        KAFKA.createTopic(topic, 4);
        Instant middle = Instant.parse("2026-11-20T12:00:00Z");
        List<Orders.Order> older = Orders.versions("older", 8, 0);
        List<Orders.Order> newer = Orders.versions("newer", 8, 1000);
        Orders.produce(KAFKA, topic, older, middle.minusSeconds(60).toEpochMilli());
        Orders.produce(KAFKA, topic, newer, middle.toEpochMilli());
        JobClient job = PipelineJob.start(Orders.spec(KAFKA, POSTGRES, topic, topic, topic,
                "{policy: timestamp, timestamp: \"" + middle + "\"}"), Pipelines.options(POSTGRES, 2));
        try {
            Pipelines.awaitEqual(() -> Orders.table(POSTGRES, topic), Orders.latest(newer));
        } finally {
            job.cancel().get();
        }
    }

    /** Sum of the group's committed offsets over all partitions. */
    private static long committed(String group) {
        try {
            Map<?, OffsetAndMetadata> offsets = KAFKA.admin().listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * With {@code latest}, the source finds the end of each partition when it starts reading it: probe every
     * partition until a probe of each has arrived, so later records are known to be read.
     */
    private static void awaitReadingEveryPartition(String topic) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int round = 0; System.nanoTime() < deadline; round++) {
            List<Orders.Order> probes = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                probes.add(new Orders.Order("probe-" + p + "-" + round, "created", 0, round, p));
            }
            Orders.produce(KAFKA, topic, probes, null);
            Thread.sleep(1000);
            long partitionsSeen = Orders.table(POSTGRES, topic).stream()
                    .filter(r -> r.startsWith("probe-")).map(r -> r.substring(0, 7)).distinct().count();
            if (partitionsSeen == 4) {
                return;
            }
        }
        throw new AssertionError("The job did not read every partition of " + topic);
    }

    private static List<String> withoutProbes(List<String> rows) {
        return rows.stream().filter(r -> !r.startsWith("probe-")).toList();
    }
}
