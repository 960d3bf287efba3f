package io.streampipe.job.source;

import io.streampipe.job.parse.Reject;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.types.Either;
import org.apache.flink.types.Row;

import java.time.Duration;

/**
 * Bounded out-of-orderness watermarks with idleness, generated per Kafka partition in the source. Rejects are
 * invisible to the generator: they neither move the watermark nor keep a partition from becoming idle.
 */
public final class EventTimeWatermarks implements WatermarkStrategy<Either<Row, Reject>> {
    private static final long serialVersionUID = 1L;

    private final int timeIndex;
    private final WatermarkStrategy<Either<Row, Reject>> events;

    /**
     * @param timeIndex position of the event-time field in the event row, or -1 when there is no event time
     *                  (then no watermarks at all)
     */
    public EventTimeWatermarks(int timeIndex, Duration maxOutOfOrderness, Duration idleTimeout) {
        this.timeIndex = timeIndex;
        WatermarkStrategy<Either<Row, Reject>> base = timeIndex < 0
                ? WatermarkStrategy.noWatermarks()
                : WatermarkStrategy.forBoundedOutOfOrderness(maxOutOfOrderness);
        this.events = idleTimeout == null || timeIndex < 0 ? base : base.withIdleness(idleTimeout);
    }

    @Override
    public WatermarkGenerator<Either<Row, Reject>> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
        return new EventsOnly(events.createWatermarkGenerator(context));
    }

    @Override
    public TimestampAssigner<Either<Row, Reject>> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
        return new EventTime(timeIndex);
    }

    /** The event-time field for events; rejects keep the Kafka timestamp (they never reach a window). */
    static final class EventTime implements SerializableTimestampAssigner<Either<Row, Reject>> {
        private static final long serialVersionUID = 1L;
        private final int timeIndex;

        EventTime(int timeIndex) {
            this.timeIndex = timeIndex;
        }

        @Override
        public long extractTimestamp(Either<Row, Reject> record, long kafkaTimestamp) {
            if (record.isRight() || timeIndex < 0) {
                return kafkaTimestamp;
            }
            return (Long) record.left().getField(timeIndex);
        }
    }

    /** Forwards only events to the wrapped generator. */
    static final class EventsOnly implements WatermarkGenerator<Either<Row, Reject>> {
        private final WatermarkGenerator<Either<Row, Reject>> events;

        EventsOnly(WatermarkGenerator<Either<Row, Reject>> events) {
            this.events = events;
        }

        @Override
        public void onEvent(Either<Row, Reject> record, long timestamp, WatermarkOutput output) {
            if (record.isLeft()) {
                events.onEvent(record, timestamp, output);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            events.onPeriodicEmit(output);
        }
    }
}
