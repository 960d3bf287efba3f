package io.streampipe.job.source;

import io.streampipe.job.parse.Reject;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.types.Either;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EventTimeWatermarksTest {
    private final EventTimeWatermarks strategy = new EventTimeWatermarks(1, Duration.ofSeconds(5), null);
    private final List<Long> watermarks = new ArrayList<>();
    private final WatermarkOutput output = new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
        }

        @Override
        public void markActive() {
        }
    };

    private static Either<Row, Reject> event(long time) {
        return Either.Left(Row.of("k", time));
    }

    private static Either<Row, Reject> reject() {
        return Either.Right(new Reject("t", 0, 1, 999_999_999L, 0, "x", "bad"));
    }

    @Test
    void eventsCarryTheirFieldRejectsTheKafkaTime() {
        TimestampAssigner<Either<Row, Reject>> assigner = strategy.createTimestampAssigner(null);
        assertThat(assigner.extractTimestamp(event(42_000), 7)).isEqualTo(42_000);
        assertThat(assigner.extractTimestamp(reject(), 7)).isEqualTo(7);
    }

    @Test
    void rejectsNeverMoveTheWatermark() {
        WatermarkGenerator<Either<Row, Reject>> generator = strategy.createWatermarkGenerator(null);
        generator.onEvent(event(20_000), 20_000, output);
        generator.onEvent(reject(), 999_999_999L, output);
        generator.onPeriodicEmit(output);
        assertThat(watermarks).containsExactly(20_000L - 5_000 - 1);
    }
}
