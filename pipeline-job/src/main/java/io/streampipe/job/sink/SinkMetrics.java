package io.streampipe.job.sink;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * {@code sinkBatches}, {@code sinkRowsWritten}, {@code sinkBatchLatencyMs} (histogram over the last 500 batches) and
 * {@code sinkLastBatchLatencyMs}. Updated from the flushing thread, read by reporters.
 */
final class SinkMetrics {
    private final Counter batches;
    private final Counter rows;
    private final Histogram latency;
    private volatile long lastLatencyMs;

    SinkMetrics(MetricGroup group) {
        batches = group.counter("sinkBatches");
        rows = group.counter("sinkRowsWritten");
        latency = group.histogram("sinkBatchLatencyMs", new DescriptiveStatisticsHistogram(500));
        group.gauge("sinkLastBatchLatencyMs", (Gauge<Long>) () -> lastLatencyMs);
    }

    synchronized void batchWritten(int rowCount, long latencyMs) {
        batches.inc();
        rows.inc(rowCount);
        latency.update(latencyMs);
        lastLatencyMs = latencyMs;
    }
}
