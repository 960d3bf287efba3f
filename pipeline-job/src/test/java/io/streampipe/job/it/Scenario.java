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
 *
 * <p>A restart (restore from a savepoint or checkpoint, at any parallelism) changes nothing here: the window
 * operator keeps the watermark it had reached ({@code window-clock}), so events read after the restart are judged
 * against it, as if the job had never stopped.
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
    private final List<Ev> produced = new ArrayList<>();
    private List<String> clockUsers;
    /** Added to an event's time to make its Kafka timestamp; null: the producer's clock. */
    private Duration kafkaTimeShift;
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
        this.clockUsers = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            clockUsers.add(CLOCK_USER + p);
        }
    }

    /** The keys of the clock events, one per partition (to choose the window subtask they land on). */
    public Scenario withClockUsers(List<String> users) {
        if (users.size() != partitions) {
            throw new IllegalArgumentException("one clock user per partition: " + users);
        }
        this.clockUsers = List.copyOf(users);
        return this;
    }

    /**
     * Every record's Kafka timestamp is its event time plus {@code shift} (a shift into the future keeps the broker's
     * retention off records of {@link Ev#T0}): an offset reset to {@link #kafkaTimestamp} of a minute then starts each
     * partition at its first record produced at or after that event time.
     */
    public Scenario withKafkaTimestampsFromEventTimes(Duration shift) {
        this.kafkaTimeShift = shift;
        return this;
    }

    /** The Kafka timestamp of a record of event time {@code minute} ({@link #withKafkaTimestampsFromEventTimes}). */
    public java.time.Instant kafkaTimestamp(double minute) {
        return java.time.Instant.ofEpochMilli(Ev.ev("", minute, 0, 0).time()).plus(kafkaTimeShift);
    }

    /**
     * The job starts again without state (an offset reset with {@code keepState: false}) and reads each partition from
     * its first record {@code firstRead} accepts on, as Kafka's offsets-for-timestamp do (or retention, having removed
     * the records before it): a scenario for the new job, whose fresh oracle sees those records under a watermark that
     * starts over, anywhere from nothing to what the records read give.
     */
    public Scenario restartedWithoutState(WindowOracle fresh, java.util.function.Predicate<Ev> firstRead) {
        Scenario restarted = new Scenario(kafka, topic, partitions, Duration.ofMillis(bound), fresh);
        restarted.clockUsers = clockUsers;
        restarted.kafkaTimeShift = kafkaTimeShift;
        restarted.produced.addAll(produced);
        boolean[] reading = new boolean[partitions];
        List<Ev> read = new ArrayList<>();
        long maxRead = Long.MIN_VALUE;
        for (Ev event : produced) {
            reading[event.partition()] |= firstRead.test(event);
            if (reading[event.partition()] && !event.malformed()) {
                read.add(event);
                maxRead = Math.max(maxRead, event.time());
            }
        }
        long high = maxRead == Long.MIN_VALUE ? Long.MIN_VALUE : maxRead - bound - 1;
        for (Ev event : read) {
            fresh.add(event, Long.MIN_VALUE, high);
        }
        restarted.maxSeen = Math.max(maxSeen, maxRead);
        return restarted;
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
        int[] all = new int[partitions];
        for (int p = 0; p < partitions; p++) {
            all[p] = p;
        }
        return clockIn(minute, all);
    }

    /**
     * A clock step in some partitions only: the others must be idle (no event for longer than the idle timeout),
     * which the wait for the watermark covers, since an active partition without events holds the watermark back.
     */
    public Scenario clockIn(double minute, int... partitionsWithTicks) {
        List<Ev> ticks = new ArrayList<>();
        for (int p : partitionsWithTicks) {
            ticks.add(Ev.ev(clockUsers.get(p), minute, 0, p));
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

    /**
     * The job reads again every record produced so far (an offset rewind to the earliest offsets): the oracle sees
     * each event a second time, judged against the watermark the window operator kept.
     */
    public Scenario rereadFromEarliest() {
        long high = Math.max(certainWatermark, maxSeen == Long.MIN_VALUE ? Long.MIN_VALUE : maxSeen - bound - 1);
        for (Ev event : List.copyOf(produced)) {
            if (!event.malformed()) {
                oracle.add(event, certainWatermark, high);
            }
        }
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

    /** Produces without waiting and without telling the oracle (for records produced while the job is down). */
    public void produce(List<Ev> events) {
        produce(events, null);
    }

    private void produce(List<Ev> events, Long kafkaTimestamp) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (Ev event : events) {
            Long timestamp = kafkaTimestamp != null || kafkaTimeShift == null ? kafkaTimestamp
                    : (Long) (event.time() + kafkaTimeShift.toMillis());
            records.add(new ProducerRecord<>(topic, event.partition(), timestamp, event.user(), event.json()));
            produced.add(event);
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
