package org.apache.flink.autoscaler.validation;

import org.apache.flink.configuration.Configuration;

import java.util.Optional;

/**
 * FKO stand-in only: FKO 1.16.1's {@code DefaultValidator} checks autoscaler options with this class of
 * flink-autoscaler 1.16.1, which is not served (1.10.0 lacks it). The stand-in runs no autoscaler, so there is
 * nothing to check.
 */
public class AutoscalerValidator {
    public Optional<String> validateAutoscalerOptions(Configuration configuration) {
        return Optional.empty();
    }
}
