package io.streampipe.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsAndIdentifiersTest {
    @Test
    void parsesGoStyleDurations() {
        assertThat(Durations.parse("f", "200ms")).isEqualTo(Duration.ofMillis(200));
        assertThat(Durations.parse("f", "1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("f", "2m15s")).isEqualTo(Duration.ofSeconds(135));
        assertThat(Durations.parse("f", "0s")).isEqualTo(Duration.ZERO);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "5 m", "1.5s", "-1s", "10d"})
    void refusesOtherDurationsNamingTheField(String value) {
        assertThatThrownBy(() -> Durations.parse("spec.checkpointing.interval", value))
                .hasMessageStartingWith("spec.checkpointing.interval:");
    }

    @Test
    void quotesValidIdentifiers() {
        assertThat(SqlIdentifiers.quote("f", "sensor_id")).isEqualTo("\"sensor_id\"");
        assertThat(SqlIdentifiers.quoteTable("f", "analytics.alerts")).isEqualTo("\"analytics\".\"alerts\"");
        // Reserved words are fine once quoted.
        assertThat(SqlIdentifiers.quote("f", "select")).isEqualTo("\"select\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Alerts", "a\"b", "x; drop table y", "1abc", "a b", "a.b.c", "", "this_name_is_far_too_long_for_postgres_which_stops_at_63_characters"})
    void refusesAnythingElse(String name) {
        assertThatThrownBy(() -> SqlIdentifiers.quoteTable("spec.sink.postgres.table", name))
                .hasMessageStartingWith("spec.sink.postgres.table:");
    }
}
