package io.streampipe.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The window benchmark's data: sensor readings (6 JSON fields) from {@code sensors} sensors, in event-time order at
 * {@code eventsPerSecond} of event time, deterministic from a seed; and what the sliding-window table must hold.
 *
 * <p>After the readings, each partition gets {@link #SENTINELS_PER_PARTITION} sentinel readings one slide after the
 * last reading, then a clock reading an hour later that moves the watermark past every window. The sentinels' last
 * windows end after every other window, so they fire last on every subtask: when all sentinel windows are in the
 * table, every window is.
 */
final class SensorEvents {
    static final int SENTINELS_PER_PARTITION = 32;
    static final long SLIDE_MILLIS = 10_000;
    static final int WINDOWS_PER_EVENT = 30;
    private static final long BASE_MILLIS = 1_795_132_800_000L;
    private static final String[] SITES = {"plant-1", "plant-2", "plant-3", "warehouse-a", "warehouse-b"};

    private final int events;
    private final int sensors;
    private final int partitions;
    private final double eventsPerSecond;
    private final long seed;
    private final List<String> sentinelIds = new ArrayList<>();

    SensorEvents(int events, int sensors, int partitions, double eventsPerSecond, long seed) {
        this.events = events;
        this.sensors = sensors;
        this.partitions = partitions;
        this.eventsPerSecond = eventsPerSecond;
        this.seed = seed;
        for (int p = 0; p < partitions; p++) {
            for (int s = 0; s < SENTINELS_PER_PARTITION; s++) {
                sentinelIds.add(sentinelId(p, s));
            }
        }
    }

    int realEvents() {
        return events;
    }

    /** Readings, sentinels and clock readings. */
    int size() {
        return events + partitions * (SENTINELS_PER_PARTITION + 1);
    }

    List<String> sentinelIds() {
        return sentinelIds;
    }

    long lastTime() {
        return time(events - 1);
    }

    private long time(int index) {
        return BASE_MILLIS + (long) (index * 1000.0 / eventsPerSecond);
    }

    static String sensorId(int sensor) {
        return "s-" + sensor;
    }

    /** The sensor id of a partition's clock reading, which moves the watermark past every window. */
    static String clockId(int partition) {
        return "s-99999" + partition;
    }

    private static String sentinelId(int partition, int index) {
        return "s-9" + String.format("%02d%03d", partition, index);
    }

    /** A record to produce: partition, key and JSON value. */
    record Reading(int partition, String key, String json) {
    }

    Reading reading(int index) {
        if (index < events) {
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
            int sensor = r.nextInt(sensors);
            String id = sensorId(sensor);
            return new Reading(OrderEvents.partitionOf(id, partitions), id, json(id, SITES[sensor % SITES.length],
                    temperature(index, sensor, r), Math.round(r.nextDouble() * 1000) / 10.0, 20 + r.nextInt(81), time(index)));
        }
        int extra = index - events;
        int partition = extra / (SENTINELS_PER_PARTITION + 1);
        int within = extra % (SENTINELS_PER_PARTITION + 1);
        if (within < SENTINELS_PER_PARTITION) {
            String id = sentinelId(partition, within);
            return new Reading(partition, id, json(id, "sentinel", 0, 0, 0, lastTime() + 2 * SLIDE_MILLIS));
        }
        String clock = clockId(partition);
        return new Reading(partition, clock, json(clock, "clock", 0, 0, 0, lastTime() + 3_600_000));
    }

    /** A slow daily-ish wave per sensor plus noise, two decimals. */
    private static double temperature(int index, int sensor, SplittableRandom r) {
        double wave = 15 * Math.sin(index / 1e6 + sensor);
        return Math.round((20 + wave + r.nextGaussian()) * 100) / 100.0;
    }

    private static String json(String id, String site, double temperature, double humidity, int battery, long time) {
        return "{\"sensor_id\":\"" + id + "\",\"site\":\"" + site + "\",\"temperature\":" + temperature + ",\"humidity\":"
                + humidity + ",\"battery\":" + battery + ",\"ts\":\"" + Instant.ofEpochMilli(time) + "\"}";
    }

    /** Rows the result table must end with, sum of the readings column, and the sum over windows of avg·count. */
    record Expected(long rows, long readings, double temperatureSum) {
    }

    Expected expected() {
        BitSet[] windows = new BitSet[sensors];
        long firstSlide = Math.floorDiv(BASE_MILLIS, SLIDE_MILLIS) - WINDOWS_PER_EVENT;
        double temperatureSum = 0;
        for (int i = 0; i < events; i++) {
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
            int sensor = r.nextInt(sensors);
            temperatureSum += temperature(i, sensor, r);
            int slide = (int) (Math.floorDiv(time(i), SLIDE_MILLIS) - firstSlide);
            if (windows[sensor] == null) {
                windows[sensor] = new BitSet();
            }
            windows[sensor].set(slide - WINDOWS_PER_EVENT + 1, slide + 1);
        }
        long rows = 0;
        for (BitSet set : windows) {
            rows += set == null ? 0 : set.cardinality();
        }
        long sentinelWindows = (long) sentinelIds.size() * WINDOWS_PER_EVENT;
        return new Expected(rows + sentinelWindows, (long) events * WINDOWS_PER_EVENT + sentinelWindows,
                temperatureSum * WINDOWS_PER_EVENT);
    }
}
