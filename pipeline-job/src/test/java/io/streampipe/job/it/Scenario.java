package io.streampipe.job.it;

import io.streampipe.testkit.data.KafkaBroker;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Produces a windowed scenario step by step and feeds the same events to the {@link WindowOracle} with the
 * watermark range the job can be in while it processes them. Watermarks advance only through clock steps: an
 * event at the clock time in every partition, so every partition (and so the job) agrees on the watermark. After a
 * clock step the scenario waits until every window subtask has received that watermark (read from its metrics), so
 * every earlier record has been processed too; no step relies on a sleep being long enough.
 */
public final class Scenario {
    private static final Duration CLOCK_TIMEOUT = Duration.ofSeconds(90);
    static final String CLOCK_USER = "clock-";

    private final KafkaBroker kafka;
    private final String topic;
    private final int partitions;
    private final long bound;
    private final WindowOracle oracle;
    private final List<Ev> malformed = new ArrayList<>();
    private long certainWatermark = Long.MIN_VALUE;
    private JobClient job;
    private int parallelism;
    private long maxSeen = Long.MIN_VALUE;

    public Scenario(KafkaBroker kafka, String topic, int partitions, Duration maxOutOfOrderness, WindowOracle oracle) {
        this.kafka = kafka;
        this.topic = topic;
        this.partitions = partitions;
        this.bound = maxOutOfOrderness.toMillis();
        this.oracle = oracle;
    }

    /** Produces events (any event times) and waits; malformed ones are only remembered. */
    public Scenario step(Ev... events) {
        return stepAt(null, events);
    }

    /** {@link #step} with the given Kafka record timestamp (null: the producer's clock). */
    public Scenario stepAt(Long kafkaTimestamp, Ev... events) {
        produce(List.of(events), kafkaTimestamp);
        long stepMax = maxSeen;
        for (Ev event : events) {
            if (!event.malformed()) {
                stepMax = Math.max(stepMax, event.time());
            }
        }
        long high = Math.max(certainWatermark, stepMax == Long.MIN_VALUE ? Long.MIN_VALUE : stepMax - bound - 1);
        for (Ev event : events) {
            if (event.malformed()) {
                malformed.add(event);
            } else {
                oracle.add(event, certainWatermark, high);
            }
        }
        maxSeen = stepMax;
        return this;
    }

    /** An event at {@code minute} in every partition: afterwards the watermark is minute - bound - 1 ms. */
    public Scenario clock(double minute) {
        List<Ev> ticks = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            ticks.add(Ev.ev(CLOCK_USER + p, minute, 0, p));
        }
        long clock = ticks.get(0).time();
        if (clock < maxSeen) {
            throw new IllegalStateException("A clock step must not go back: " + minute);
        }
        produce(ticks);
        for (Ev tick : ticks) {
            oracle.add(tick, certainWatermark, clock - bound - 1);
        }
        maxSeen = clock;
        certainWatermark = clock - bound - 1;
        awaitWatermark(certainWatermark);
        return this;
    }

    /** The job the clock steps wait for. */
    public Scenario runningIn(JobClient job, int parallelism) {
        this.job = job;
        this.parallelism = parallelism;
        return this;
    }

    private void awaitWatermark(long watermark) {
        long deadline = System.nanoTime() + CLOCK_TIMEOUT.toNanos();
        while (WatermarkProbe.windowWatermark(job.getJobID(), parallelism) < watermark) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("The window operator of job " + job.getJobID() + " did not reach watermark "
                        + java.time.Instant.ofEpochMilli(watermark) + " within " + CLOCK_TIMEOUT.toSeconds() + " s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** The job restarted from a savepoint or checkpoint: its watermark starts from nothing again. */
    public Scenario restarted() {
        certainWatermark = Long.MIN_VALUE;
        return this;
    }

    /** Produces without waiting and without telling the oracle (for records produced while the job is down). */
    public void produce(List<Ev> events) {
        produce(events, null);
    }

    private void produce(List<Ev> events, Long kafkaTimestamp) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (Ev event : events) {
            records.add(new ProducerRecord<>(topic, event.partition(), kafkaTimestamp, event.user(), event.json()));
        }
        kafka.produce(records);
    }

    public long watermark() {
        return certainWatermark;
    }

    public List<Ev> malformed() {
        return malformed;
    }

    public WindowOracle oracle() {
        return oracle;
    }
}
