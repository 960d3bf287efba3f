package io.streampipe.job.sink;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * {@code sinkBatches}, {@code sinkRowsWritten}, {@code staleRecordsSkipped}, {@code sinkBatchLatencyMs} (histogram over the last 500 batches) and
 * {@code sinkLastBatchLatencyMs}. Updated from the sink's writer thread, read by reporters.
 */
final class SinkMetrics {
    /**
     * Records not written because their row has a newer version: a later one in the same batch (with an event time,
     * the newer one), or a newer one in the table (the upsert's guard). With {@code sinkRowsWritten} it adds up to
     * the records the sink received.
     */
    public static final String STALE_METRIC = "staleRecordsSkipped";

    private final Counter batches;
    private final Counter rows;
    private final Counter stale;
    private final Histogram latency;
    private volatile long lastLatencyMs;

    SinkMetrics(MetricGroup group) {
        batches = group.counter("sinkBatches");
        rows = group.counter("sinkRowsWritten");
        stale = group.counter(STALE_METRIC);
        latency = group.histogram("sinkBatchLatencyMs", new DescriptiveStatisticsHistogram(500));
        group.gauge("sinkLastBatchLatencyMs", (Gauge<Long>) () -> lastLatencyMs);
    }

    synchronized void batchWritten(int rowCount, int staleCount, long latencyMs) {
        batches.inc();
        rows.inc(rowCount);
        stale.inc(staleCount);
        latency.update(latencyMs);
        lastLatencyMs = latencyMs;
    }
}
