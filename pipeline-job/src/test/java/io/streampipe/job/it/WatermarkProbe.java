package io.streampipe.job.it;

import io.streampipe.job.OperatorUids;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A metric reporter the test MiniCluster loads: it keeps the {@code currentInputWatermark} gauge of every
 * window subtask ({@code window-slices} or {@code window-aggregate}), so a test can wait until the job's event-time clock has really reached a value
 * instead of guessing with sleeps, and the job's own counters, so a test can check them.
 */
public final class WatermarkProbe implements MetricReporter, MetricReporterFactory {
    private static final Map<String, Gauge<?>> WINDOW_WATERMARKS = new ConcurrentHashMap<>();
    private static final Map<String, Counter> COUNTERS = new ConcurrentHashMap<>();

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        return new WatermarkProbe();
    }

    @Override
    public void open(MetricConfig config) {
    }

    @Override
    public void close() {
    }

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (isWindowWatermark(name, group) && metric instanceof Gauge<?> gauge) {
            WINDOW_WATERMARKS.put(id(group), gauge);
        }
        if (metric instanceof Counter counter) {
            COUNTERS.put(id(group) + "/" + group.getAllVariables().get("<operator_name>") + "/" + name, counter);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        if (isWindowWatermark(name, group)) {
            WINDOW_WATERMARKS.remove(id(group));
        }
        COUNTERS.remove(id(group) + "/" + group.getAllVariables().get("<operator_name>") + "/" + name);
    }

    /** The sum over the job's running subtasks of the counter {@code name}. */
    public static long counter(JobID job, String name) {
        return COUNTERS.entrySet().stream()
                .filter(e -> e.getKey().startsWith(job + "/") && e.getKey().endsWith("/" + name))
                .mapToLong(e -> e.getValue().getCount()).sum();
    }

    /**
     * The sum over the job's running subtasks of the counter {@code name} of the operators whose name starts with
     * {@code operator} (Flink adds a suffix to a sink's name, e.g. for its writer).
     */
    public static long counter(JobID job, String operator, String name) {
        return COUNTERS.entrySet().stream()
                .filter(e -> e.getKey().startsWith(job + "/") && e.getKey().endsWith("/" + name))
                .filter(e -> e.getKey().split("/", 4)[3].startsWith(operator))
                .mapToLong(e -> e.getValue().getCount()).sum();
    }

    /** The lowest input watermark over the job's window subtasks; Long.MIN_VALUE until they all report one. */
    public static long windowWatermark(JobID job, int parallelism) {
        var gauges = WINDOW_WATERMARKS.entrySet().stream().filter(e -> e.getKey().startsWith(job + "/")).toList();
        if (gauges.size() < parallelism) {
            return Long.MIN_VALUE;
        }
        return gauges.stream().mapToLong(e -> ((Number) e.getValue().getValue()).longValue()).min().orElse(Long.MIN_VALUE);
    }

    private static boolean isWindowWatermark(String name, MetricGroup group) {
        return name.equals("currentInputWatermark")
                && List.of(OperatorUids.WINDOW_SLICES, OperatorUids.WINDOW_AGGREGATE)
                .contains(group.getAllVariables().get("<operator_name>"));
    }

    private static String id(MetricGroup group) {
        Map<String, String> variables = group.getAllVariables();
        return variables.get("<job_id>") + "/" + variables.get("<subtask_index>") + "/" + variables.get("<attempt_num>");
    }
}
