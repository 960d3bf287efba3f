package io.streampipe.operator.plan;

import io.streampipe.api.SpecValidator;
import io.streampipe.api.v1alpha1.CheckpointingSpec;
import io.streampipe.api.v1alpha1.Patterns;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.UpgradeSpec;
import io.streampipe.operator.desired.DeploymentInputs;
import io.streampipe.operator.desired.SecretReferences;
import io.streampipe.operator.status.Reasons;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the API server cannot check: Secrets and their keys exist, storage fits the upgrade mode, max parallelism stays
 * the pinned one; plus the spec rules themselves (for specs that did not pass the CRD's validation). Pure: the caller
 * hands in the key names of the Secrets it can see, never their values.
 */
public final class Preflight {
    private static final Pattern FLINK_DEPLOYMENT_NAME = Pattern.compile(Patterns.PIPELINE_NAME);

    private Preflight() {
    }

    /**
     * @param secretKeys     key names of each Secret in the pipeline's namespace, by Secret name (absent: no such Secret)
     * @param pinnedMaxParallelism status.maxParallelism, or null before the first deploy
     */
    public static List<Problem> problems(StreamingPipeline pipeline, Map<String, Set<String>> secretKeys,
                                         Integer pinnedMaxParallelism) {
        StreamingPipelineSpec spec = pipeline.getSpec();
        List<Problem> problems = new ArrayList<>();
        String name = pipeline.getMetadata().getName();
        if (name == null || !FLINK_DEPLOYMENT_NAME.matcher(name).matches()) {
            problems.add(new Problem(Reasons.INVALID_SPEC, "metadata.name: '" + name + "' cannot name the FlinkDeployment:"
                    + " the Flink Kubernetes Operator takes a letter first, then lower case letters, digits and '-', at most 45"
                    + " characters; re-create the pipeline under such a name"));
        }
        SpecValidator.problems(spec).forEach(message -> problems.add(new Problem(Reasons.INVALID_SPEC, message)));
        if (!problems.isEmpty()) {
            return problems;
        }
        String namespace = pipeline.getMetadata().getNamespace();
        for (SecretReferences.SecretKeyUse use : SecretReferences.of(spec)) {
            Set<String> keys = secretKeys.get(use.secret());
            if (keys == null) {
                add(problems, new Problem(Reasons.SECRET_NOT_FOUND,
                        use.field() + ": Secret " + namespace + "/" + use.secret() + " does not exist"));
            } else if (!keys.contains(use.key())) {
                add(problems, new Problem(Reasons.SECRET_KEY_NOT_FOUND,
                        use.field() + ": Secret " + namespace + "/" + use.secret() + " has no key '" + use.key() + "'"));
            }
        }
        storageFitsUpgradeMode(spec, problems);
        if (pinnedMaxParallelism != null && spec.maxParallelism != null && !pinnedMaxParallelism.equals(spec.maxParallelism)) {
            problems.add(new Problem(Reasons.MAX_PARALLELISM_CHANGED, "spec.maxParallelism: " + spec.maxParallelism
                    + " differs from " + pinnedMaxParallelism + ", pinned at first deploy; changing it would break keyed state"));
        }
        int maxParallelism = pinnedMaxParallelism != null ? pinnedMaxParallelism
                : spec.maxParallelism != null ? spec.maxParallelism : DeploymentInputs.DEFAULT_MAX_PARALLELISM;
        if (spec.parallelism > maxParallelism) {
            problems.add(new Problem(Reasons.PARALLELISM_ABOVE_MAX_PARALLELISM, "spec.parallelism: " + spec.parallelism
                    + " exceeds the pinned maximum parallelism " + maxParallelism));
        }
        return problems;
    }

    /** Last-state upgrades restore from HA metadata and checkpoints that every JobManager must reach again. */
    private static void storageFitsUpgradeMode(StreamingPipelineSpec spec, List<Problem> problems) {
        CheckpointingSpec.Storage storage = spec.checkpointing.storage;
        if (spec.upgrade.mode == UpgradeSpec.Mode.LAST_STATE && storage.path != null && storage.path.startsWith("file://")) {
            problems.add(new Problem(Reasons.STORAGE_UNFIT_FOR_UPGRADE_MODE,
                    "spec.checkpointing.storage.path: upgrade mode last-state needs shared storage (s3, gcs, azure or pvc), not the local "
                            + storage.path));
        }
    }

    private static void add(List<Problem> problems, Problem problem) {
        if (!problems.contains(problem)) {
            problems.add(problem);
        }
    }
}
