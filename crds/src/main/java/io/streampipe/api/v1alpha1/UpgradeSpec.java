package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** How a spec change reaches the running job. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UpgradeSpec {
    @Default("savepoint")
    @JsonPropertyDescription("savepoint (stop with a savepoint, restore from it), last-state (restore the latest checkpoint; needs HA) or stateless (start empty).")
    public Mode mode = Mode.SAVEPOINT;

    @Default("true")
    @JsonPropertyDescription("Roll back to the last stable spec, from the upgrade's savepoint, when the upgraded job does not become stable within timeout. Works in savepoint mode without Kubernetes HA; without an upgrade savepoint (stateless, last-state) the pipeline is only marked Degraded.")
    public boolean rollbackOnFailure = true;

    @Default("10m")
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("How long the upgraded job has to become stable (stableCheckpoints) before the upgrade counts as failed, counted from when the Flink operator takes the new spec: once the old job has stopped (with its savepoint, in savepoint mode), as the Flink operator's own readiness timeout counts. It is the longest a failing upgrade keeps the pipeline down. The stop-with-savepoint before it runs while the old job still works, and may take up to spec.checkpointing.timeout; an upgrade the Flink operator has not taken after both counts as failed too.")
    public String timeout = "10m";

    @Default("2")
    @Min(0)
    @JsonPropertyDescription("Checkpoints the upgraded job must complete, RUNNING and without a restart, before the upgrade counts as stable (and the spec becomes the one a rollback returns to).")
    public int stableCheckpoints = 2;

    @JsonPropertyDescription("Apply a change that breaks state compatibility (key fields, window type, aggregate set) by starting without state. Without it such a change is refused with a Ready=False condition.")
    public boolean allowIncompatibleState;

    public enum Mode {
        @JsonProperty("savepoint") SAVEPOINT,
        @JsonProperty("last-state") LAST_STATE,
        @JsonProperty("stateless") STATELESS
    }
}
