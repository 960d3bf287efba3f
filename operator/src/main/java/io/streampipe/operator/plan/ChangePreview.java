package io.streampipe.operator.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.Plan;
import io.streampipe.api.v1alpha1.UpgradeSpec;
import io.streampipe.operator.desired.DeploymentInputs;
import org.apache.flink.kubernetes.operator.api.diff.DiffType;
import org.apache.flink.kubernetes.operator.api.diff.SpecDiff;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobSpec;
import org.apache.flink.kubernetes.operator.api.spec.JobState;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the operator does with the current generation, in words, decided from the spec, the status and the
 * FlinkDeployment before anything is written: {@code status.plan}. Whether the Flink operator restarts the job is read
 * from its own diff rules: the job fields its API marks {@code @SpecDiff(IGNORE)} and the {@code kubernetes.operator.*}
 * configuration keys (FKO's ReflectiveDiffBuilder) change nothing in the running job.
 */
public final class ChangePreview {
    private static final List<String> IGNORED_JOB_FIELDS = Arrays.stream(JobSpec.class.getDeclaredFields())
            .filter(field -> field.isAnnotationPresent(SpecDiff.class) && field.getAnnotation(SpecDiff.class).value() == DiffType.IGNORE)
            .map(Field::getName)
            .toList();

    private ChangePreview() {
    }

    /**
     * @param desiredHash the hash of the desired state about to be applied
     * @param inputs      its inputs (a start without state, a resume savepoint)
     * @param desired     the FlinkDeployment spec about to be written
     * @param problems    what blocks applying it
     * @param rollback    whether the generation is being rolled back
     * @param backup      the backup savepoint of a change that discards state, if any
     */
    public static Plan of(StreamingPipeline pipeline, String desiredHash, DeploymentInputs inputs, FlinkDeploymentSpec desired,
                          FlinkObservation flink, List<Problem> problems, boolean rollback, Optional<StreamingPipelineStatus.Backup> backup) {
        Plan plan = decide(pipeline, desiredHash, inputs, desired, flink, problems, rollback, backup);
        if (plan.warning == null && pipeline.getStatus() != null) {
            plan.warning = TransactionTimeoutRisk.of(pipeline.getSpec(), pipeline.getStatus(), plan.action).orElse(null);
        }
        return plan;
    }

    private static Plan decide(StreamingPipeline pipeline, String desiredHash, DeploymentInputs inputs, FlinkDeploymentSpec desired,
                               FlinkObservation flink, List<Problem> problems, boolean rollback, Optional<StreamingPipelineStatus.Backup> backup) {
        StreamingPipelineSpec spec = pipeline.getSpec();
        StreamingPipelineStatus status = Optional.ofNullable(pipeline.getStatus()).orElseGet(StreamingPipelineStatus::new);
        Plan plan = new Plan();
        plan.generation = pipeline.getMetadata().getGeneration();
        plan.dropsState = "nothing";
        if (!problems.isEmpty()) {
            return refused(pipeline, problems);
        }
        boolean sameAsApplied = desiredHash.equals(status.lastAppliedSpecHash);
        if (sameAsApplied && status.plan != null && status.plan.generation != null) {
            // Nothing new for the Flink operator: what was decided for the change still describes it.
            Plan kept = Serialization.clone(status.plan);
            kept.generation = plan.generation;
            return kept;
        }
        if (!flink.exists()) {
            plan.action = "FirstDeployment";
            plan.message = inputs.resumeSavepoint() != null ? "Deploy the job from the final savepoint " + inputs.resumeSavepoint()
                    + " of a deleted pipeline of this name" : "Deploy the job; it starts from the source's starting offsets";
            return plan;
        }
        plan.expectedDowntime = expectedDowntime(status);
        if (rollback) {
            plan.action = "Rollback";
            plan.dropsState = "what the failed upgrade's job did after the upgrade savepoint (the sink rewrites the same rows)";
            plan.message = status.rollback != null ? status.rollback.reason : "Roll back to the last stable spec";
            return plan;
        }
        FlinkDeploymentSpec current = flink.deployment().getSpec();
        JobState wanted = desired.getJob().getState();
        if (wanted != current.getJob().getState()) {
            plan.action = wanted == JobState.SUSPENDED ? "Suspend" : "Resume";
            plan.message = wanted == JobState.SUSPENDED ? "Stop the job with a savepoint and keep it" : "Start the job again from its last savepoint";
            plan.expectedDowntime = null;
            return plan;
        }
        if (withoutIgnored(desired).equals(withoutIgnored(current))) {
            if (status.plan != null && plan.generation.equals(status.plan.generation) && !"InPlace".equals(status.plan.action)) {
                // A follow-up of the same change (e.g. upgradeMode or allowNonRestoredState back once Flink deployed it):
                // the plan of the generation still describes what was done.
                return status.plan;
            }
            plan.action = "InPlace";
            plan.message = "Only fields the Flink operator applies without restarting the job change";
            plan.expectedDowntime = "0s";
            return plan;
        }
        backup.filter(b -> b.reason != null).ifPresent(b -> plan.backup = b.savepoint != null ? b.savepoint
                : "a savepoint of the running job is taken first (" + b.step + ")");
        if (spec.restore != null && !spec.restore.token.equals(status.appliedTokens == null ? null : status.appliedTokens.restore)) {
            plan.action = "RedeployFromSavepoint";
            plan.dropsState = "the running job's state, replaced by " + spec.restore.savepointPath;
            plan.message = "Cancel the job and start it from " + spec.restore.savepointPath;
        } else if (inputs.startWithoutState() || spec.upgrade.mode == UpgradeSpec.Mode.STATELESS) {
            plan.action = "StatelessRedeploy";
            plan.dropsState = "all of it: windows, pending late firings and the Kafka offsets in state";
            plan.message = inputs.startWithoutState() && spec.offsetReset != null && !spec.offsetReset.keepState
                    ? "Start without state from the offset reset's position" : "Start the new job without state";
        } else if (spec.upgrade.mode == UpgradeSpec.Mode.LAST_STATE) {
            plan.action = "LastStateUpgrade";
            plan.message = "Restart from the latest checkpoint with the new spec";
        } else {
            plan.action = "SavepointUpgrade";
            plan.dropsState = inputs.allowNonRestoredState() ? "the Kafka source's offsets (a new source epoch); the windows are kept" : "nothing";
            plan.message = "Stop the job with a savepoint and start the new spec from it";
        }
        return plan;
    }

    /** The plan of a change that is not applied: what blocks it. */
    public static Plan refused(StreamingPipeline pipeline, List<Problem> problems) {
        Plan plan = new Plan();
        plan.generation = pipeline.getMetadata().getGeneration();
        plan.action = "Refused";
        plan.dropsState = "nothing";
        plan.message = problems.stream().map(Problem::message).collect(Collectors.joining("; "));
        return plan;
    }

    /** The spec without what the Flink operator's diff ignores. */
    static JsonNode withoutIgnored(FlinkDeploymentSpec spec) {
        ObjectNode tree = Serialization.jsonMapper().valueToTree(spec);
        if (tree.get("job") instanceof ObjectNode job) {
            IGNORED_JOB_FIELDS.forEach(job::remove);
        }
        if (tree.get("flinkConfiguration") instanceof ObjectNode configuration) {
            List<String> operatorKeys = new java.util.ArrayList<>();
            configuration.fieldNames().forEachRemaining(key -> {
                if (key.startsWith("kubernetes.operator.")) {
                    operatorKeys.add(key);
                }
            });
            operatorKeys.forEach(configuration::remove);
        }
        return tree;
    }

    private static String expectedDowntime(StreamingPipelineStatus status) {
        if (status.lastUpgradeDowntime != null) {
            return "about " + status.lastUpgradeDowntime + ", as the last upgrade";
        }
        if (status.lastCheckpoint != null && status.lastCheckpoint.duration != null) {
            return "the savepoint (the last checkpoint took " + status.lastCheckpoint.duration + ") plus the new job's start";
        }
        return null;
    }
}
