package org.apache.flink.autoscaler.validation;

import org.apache.flink.configuration.Configuration;

import java.util.Optional;

/**
 * Placeholder for the autoscaler's validator, which FKO 1.16's DefaultValidator constructs and calls: the
 * flink-autoscaler 1.16.1 jar that holds the real one is not served, and streampipe never enables the autoscaler, so
 * its options have nothing to validate. Test scope only; it lets {@link io.streampipe.operator.testing.FkoValidation}
 * run FKO's own DefaultValidator from the served operator jar.
 */
public class AutoscalerValidator {
    public Optional<String> validateAutoscalerOptions(Configuration configuration) {
        return Optional.empty();
    }
}
