package io.streampipe.job.window;

/**
 * Running state of every aggregate of one key and window: a fixed number of primitives, however many events
 * the window holds. A Flink POJO of primitive arrays, so its serializer is not Kryo and can evolve.
 */
public class Accumulator {
    /** Events in the window (the value of {@code count}). */
    public long events;
    /** Per aggregate: how many events had a non-null value of its field. */
    public long[] counts;
    /** Per aggregate: the running sum (sum, avg), minimum (min) or maximum (max). */
    public double[] values;

    public Accumulator() {
    }

    Accumulator(int aggregates) {
        counts = new long[aggregates];
        values = new double[aggregates];
    }
}
