package io.streampipe.operator.plan;

/**
 * A reason the pipeline cannot be applied as specified, found before anything is written. It becomes the Ready=False
 * condition: {@code reason} is one CamelCase word, {@code message} names the offending field.
 */
public record Problem(String reason, String message) {
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String SECRET_NOT_FOUND = "SecretNotFound";
    public static final String SECRET_KEY_NOT_FOUND = "SecretKeyNotFound";
    public static final String STORAGE_UNFIT_FOR_UPGRADE_MODE = "StorageUnfitForUpgradeMode";
    public static final String MAX_PARALLELISM_CHANGED = "MaxParallelismChanged";
    public static final String PARALLELISM_ABOVE_MAX_PARALLELISM = "ParallelismAboveMaxParallelism";
    public static final String INCOMPATIBLE_STATE_CHANGE = "IncompatibleStateChange";
}
