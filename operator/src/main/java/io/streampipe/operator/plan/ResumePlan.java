package io.streampipe.operator.plan;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.AppliedTokens;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus.ResumedFrom;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.desired.FinalSavepointRecord;
import io.streampipe.operator.desired.StateSchema;
import io.streampipe.operator.status.Reasons;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a newly created pipeline starts from the final savepoint a deleted pipeline of the same name left
 * ({@code deletion.policy: savepoint} records it in the owner-less ConfigMap {@code <name>-final-savepoint}). It does,
 * once, unless the spec opts out ({@code deletion.resumeFromFinalSavepoint: false}) or names a restore of its own: a
 * restore whose token the deleted pipeline had applied (Git keeps it in the manifest) is not one, and counts as applied. A
 * savepoint taken with another state schema is refused like an incompatible upgrade, naming the fields, unless the
 * spec allows incompatible state (then the pipeline starts without it). Decided before the first deployment and kept
 * in {@code status.resumedFrom}; the record is marked consumed afterwards, so no later pipeline starts from it again.
 */
public record ResumePlan(Optional<ResumedFrom> resume, Optional<Problem> problem) {
    private static final ResumePlan NONE = new ResumePlan(Optional.empty(), Optional.empty());

    /** Whether the decision needs the record: the pipeline has never been deployed and has not decided yet. */
    public static boolean needsRecord(StreamingPipeline pipeline) {
        StreamingPipelineStatus status = pipeline.getStatus();
        StreamingPipelineSpec spec = pipeline.getSpec();
        boolean undecided = status == null || status.resumedFrom == null && status.lastAppliedSpecHash == null;
        return undecided && spec.deletion.resumeFromFinalSavepoint;
    }

    public static ResumePlan of(StreamingPipeline pipeline, Optional<ConfigMap> record) {
        StreamingPipelineStatus status = pipeline.getStatus();
        if (status != null && status.resumedFrom != null) {
            return new ResumePlan(Optional.of(status.resumedFrom), Optional.empty());
        }
        if (!needsRecord(pipeline) || record.isEmpty()) {
            return NONE;
        }
        Map<String, String> data = Optional.ofNullable(record.get().getData()).orElse(Map.of());
        String savepoint = data.get(FinalSavepointRecord.SAVEPOINT_PATH);
        String deletedUid = data.get(FinalSavepointRecord.PIPELINE_UID);
        if (savepoint == null || savepoint.isBlank() || data.containsKey(FinalSavepointRecord.CONSUMED_BY)
                || deletedUid != null && deletedUid.equals(pipeline.getMetadata().getUid())) {
            return NONE;
        }
        StreamingPipelineSpec spec = pipeline.getSpec();
        if (spec.restore != null && !java.util.Objects.equals(spec.restore.token, data.get(FinalSavepointRecord.RESTORE_TOKEN))) {
            return NONE; // a restore the deleted pipeline never applied: the user asks for that savepoint
        }
        String recordName = PipelineResources.namespace(pipeline) + "/" + record.get().getMetadata().getName();
        List<String> incompatible = StateSchema.fromJson(data.get(FinalSavepointRecord.STATE_SCHEMA))
                .map(StateSchema.of(pipeline.getSpec())::incompatibleChangesFrom).orElse(List.of());
        if (!incompatible.isEmpty()) {
            if (pipeline.getSpec().upgrade.allowIncompatibleState) {
                return NONE;
            }
            return new ResumePlan(Optional.empty(), Optional.of(new Problem(Reasons.INCOMPATIBLE_STATE_CHANGE,
                    String.join(", ", incompatible) + ": the final savepoint " + savepoint + " of the deleted pipeline (ConfigMap "
                            + recordName + ") cannot be restored into this spec; set spec.deletion.resumeFromFinalSavepoint: false"
                            + " or spec.upgrade.allowIncompatibleState: true to start without it")));
        }
        ResumedFrom resume = new ResumedFrom();
        resume.savepoint = savepoint;
        resume.record = recordName;
        resume.deletedPipelineUid = deletedUid;
        resume.consumed = false;
        resume.sourceEpoch = data.get(FinalSavepointRecord.SOURCE_EPOCH);
        resume.maxParallelism = Optional.ofNullable(data.get(FinalSavepointRecord.MAX_PARALLELISM)).flatMap(ResumePlan::integer).orElse(null);
        resume.appliedTokens = new AppliedTokens();
        resume.appliedTokens.savepoint = data.get(FinalSavepointRecord.SAVEPOINT_TOKEN);
        resume.appliedTokens.offsetReset = data.get(FinalSavepointRecord.OFFSET_RESET_TOKEN);
        resume.appliedTokens.restore = data.get(FinalSavepointRecord.RESTORE_TOKEN);
        return new ResumePlan(Optional.of(resume), Optional.empty());
    }

    private static Optional<Integer> integer(String text) {
        try {
            return Optional.of(Integer.parseInt(text.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty(); // a record edited by hand: the spec's or the default max parallelism then
        }
    }
}
