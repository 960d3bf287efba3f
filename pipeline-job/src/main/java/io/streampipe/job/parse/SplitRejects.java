package io.streampipe.job.parse;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends accepted events on and rejects to the dead-letter side output. Chained to the source, after watermarks
 * were generated per Kafka partition. Also publishes {@code watermarkLagMs}: how far the event-time clock is behind
 * the wall clock.
 */
public final class SplitRejects extends ProcessFunction<Either<Row, Reject>, Row> {
    private static final long serialVersionUID = 1L;
    public static final String WATERMARK_LAG_METRIC = "watermarkLagMs";

    private final OutputTag<Reject> rejects;
    private transient volatile long currentWatermark;

    public SplitRejects(OutputTag<Reject> rejects) {
        this.rejects = rejects;
    }

    @Override
    public void open(OpenContext openContext) {
        currentWatermark = Long.MIN_VALUE;
        getRuntimeContext().getMetricGroup().gauge(WATERMARK_LAG_METRIC, (Gauge<Long>) this::watermarkLag);
    }

    @Override
    public void processElement(Either<Row, Reject> record, Context context, Collector<Row> out) {
        currentWatermark = context.timerService().currentWatermark();
        if (record.isLeft()) {
            out.collect(record.left());
        } else {
            context.output(rejects, record.right());
        }
    }

    private long watermarkLag() {
        long watermark = currentWatermark;
        return watermark == Long.MIN_VALUE ? -1 : System.currentTimeMillis() - watermark;
    }
}
