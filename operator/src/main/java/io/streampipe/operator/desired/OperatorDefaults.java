package io.streampipe.operator.desired;

import java.util.Objects;

/**
 * What the operator's own configuration contributes to every desired state.
 *
 * @param image               pipeline-job image used when the spec names none
 * @param flinkPatchVersion   Flink version of that image, e.g. 1.20.3: the built-in filesystem plugin jars are named after it
 * @param serviceAccount      service account of the Flink pods when the spec names none
 */
public record OperatorDefaults(String image, String flinkPatchVersion, String serviceAccount) {
    public static final String DEFAULT_SERVICE_ACCOUNT = "flink";

    public OperatorDefaults {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(flinkPatchVersion, "flinkPatchVersion");
        Objects.requireNonNull(serviceAccount, "serviceAccount");
    }
}
