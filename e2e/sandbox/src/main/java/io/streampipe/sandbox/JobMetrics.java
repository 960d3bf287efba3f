package io.streampipe.sandbox;

import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A metric reporter the local run's MiniCluster loads ({@code metrics.reporter.local-run.factory.class}): it keeps
 * the job's counters (recordsAccepted, recordsRejected, lateRecords, …) so the run can print them, and the Kafka
 * source's per-partition offset gauges, which appear once a partition is assigned.
 */
public final class JobMetrics implements MetricReporter, MetricReporterFactory {
    static final String REPORTER_NAME = "local-run";
    private static final String ASSIGNED_PARTITION_METRIC = "currentOffset";
    private static final Map<String, Metric> METRICS = new ConcurrentHashMap<>();

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return new JobMetrics();
    }

    @Override
    public void open(MetricConfig config) {
    }

    @Override
    public void close() {
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Counter || ASSIGNED_PARTITION_METRIC.equals(name)) {
            METRICS.put(id(name, group), metric);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        METRICS.remove(id(name, group), metric);
    }

    /** The job id, then the metric's full name (host, task manager, job, operator, subtask, name). */
    private static String id(String name, MetricGroup group) {
        return group.getAllVariables().get("<job_id>") + " " + group.getMetricIdentifier(name);
    }

    /** The sum of a counter over the subtasks of the job that are running. */
    static long sum(JobID job, String counter) {
        return METRICS.entrySet().stream()
                .filter(e -> e.getKey().startsWith(job + " ") && e.getKey().endsWith("." + counter))
                .filter(e -> e.getValue() instanceof Counter)
                .mapToLong(e -> ((Counter) e.getValue()).getCount())
                .sum();
    }

    /** How many Kafka partitions the job's source readers have been assigned. */
    static long assignedPartitions(JobID job) {
        return METRICS.entrySet().stream()
                .filter(e -> e.getKey().startsWith(job + " ") && e.getKey().endsWith("." + ASSIGNED_PARTITION_METRIC))
                .filter(e -> e.getValue() instanceof Gauge<?>)
                .count();
    }
}
