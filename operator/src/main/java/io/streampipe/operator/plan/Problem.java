package io.streampipe.operator.plan;

/**
 * A reason the pipeline cannot be applied as specified, found before anything is written. It becomes the Ready=False
 * condition: {@code reason} is one of {@link io.streampipe.operator.status.Reasons}, {@code message} names the offending field.
 */
public record Problem(String reason, String message) {
}
