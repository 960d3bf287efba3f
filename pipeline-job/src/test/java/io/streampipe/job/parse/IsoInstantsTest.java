package io.streampipe.job.parse;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fast path must agree with java.time on every input: same millis, same refusals. */
class IsoInstantsTest {

    @Test
    void agreesWithJavaTimeOnTheCommonShapes() {
        for (String text : List.of("2026-11-20T10:15:30Z", "2026-11-20T10:15:30.1Z", "2026-11-20T10:15:30.12Z",
                "2026-11-20T10:15:30.123Z", "2026-11-20T10:15:30.123456789Z", "2026-11-20T10:15:30.999+01:00",
                "1969-12-31T23:59:59.999Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2024-02-29T12:00:00-08:30",
                "2000-02-29T00:00:00+18:00", "1900-03-01T00:00:00-18:00", "1970-01-01T00:00:00.0005Z")) {
            assertThat(IsoInstants.fast(text)).as(text).isNotEqualTo(Long.MIN_VALUE);
            assertThat(IsoInstants.toEpochMillis(text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant().toEpochMilli());
        }
    }

    @Test
    void leavesEverythingElseToJavaTime() {
        for (String text : List.of("2026-11-20T10:15Z", "2026-11-20t10:15:30Z", "2026-11-20T10:15:30z", "2026-11-20T10:15:30+01:00:30",
                "2026-11-20T10:15:30+0100", "+12026-11-20T10:15:30Z", "2026-11-20T10:15:30.Z", "2026-11-20T10:15:30.1234567891Z")) {
            assertThat(IsoInstants.fast(text)).as(text).isEqualTo(Long.MIN_VALUE);
            assertSameOutcome(text);
        }
    }

    @Test
    void refusesWhatJavaTimeRefuses() {
        for (String text : List.of("2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-20T24:00:00Z",
                "2026-11-20T10:60:00Z", "2026-11-20T10:15:60Z", "2026-11-20T10:15:30+19:00", "2026-11-20T10:15:30+18:01",
                "2026-11-20 10:15:30Z", "2026-11-2OT10:15:30Z", "1900-02-29T00:00:00Z", "2026-11-20T10:15:30", "")) {
            assertThat(IsoInstants.fast(text)).as(text).isEqualTo(Long.MIN_VALUE);
            assertThatThrownBy(() -> IsoInstants.toEpochMillis(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
    }

    @Test
    void agreesWithJavaTimeOnRandomInstantsAndOffsets() {
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 100_000; i++) {
            Instant instant = Instant.ofEpochMilli(random.nextLong(-62_135_596_800_000L, 253_402_300_799_999L));
            ZoneOffset offset = ZoneOffset.ofTotalSeconds(random.nextInt(-18 * 60, 18 * 60 + 1) * 60);
            String text = OffsetDateTime.ofInstant(instant, offset).toString();
            assertSameOutcome(text);
        }
    }

    private static void assertSameOutcome(String text) {
        Long expected;
        try {
            expected = OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            expected = null;
        }
        if (expected == null) {
            assertThatThrownBy(() -> IsoInstants.toEpochMillis(text)).as(text).isInstanceOf(DateTimeParseException.class);
        } else {
            assertThat(IsoInstants.toEpochMillis(text)).as(text).isEqualTo(expected);
        }
    }
}
