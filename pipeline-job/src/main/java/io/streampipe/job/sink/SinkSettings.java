package io.streampipe.job.sink;

import io.streampipe.api.Durations;
import io.streampipe.api.v1alpha1.SinkSpec;

import java.io.Serializable;

/**
 * When a sink writes and how often it tries a batch again.
 *
 * @param batchRows       a batch is written when it holds this many distinct rows
 * @param batchIntervalMs and when rows have waited this long (0: only when full, or at a flush)
 * @param maxRetries      attempts after the first for a batch that failed with an error a retry can fix
 */
public record SinkSettings(int batchRows, long batchIntervalMs, int maxRetries) implements Serializable {
    public SinkSettings {
        if (batchRows < 1 || batchIntervalMs < 0 || maxRetries < 0) {
            throw new IllegalArgumentException("batch.size must be at least 1, batch.interval and maxRetries not negative");
        }
    }

    /** The spec's {@code batch.size}, {@code batch.interval} and {@code maxRetries}. */
    public static SinkSettings of(SinkSpec.Postgres postgres) {
        return new SinkSettings(postgres.batch.size,
                Durations.parse("spec.sink.postgres.batch.interval", postgres.batch.interval).toMillis(), postgres.maxRetries);
    }
}
