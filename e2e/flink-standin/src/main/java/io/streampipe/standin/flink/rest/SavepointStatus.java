package io.streampipe.standin.flink.rest;

import java.util.Optional;

/**
 * {@code GET /jobs/:jobid/savepoints/:triggerid}: a savepoint (or stop-with-savepoint) in progress, done with a
 * location, or failed with a cause.
 */
public record SavepointStatus(boolean completed, Optional<String> location, Optional<String> failureCause) {
    public boolean failed() {
        return completed && failureCause.isPresent();
    }
}
