package io.streampipe.operator.status;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;

/** Whether a status patch is needed: only when the new status differs from the stored one, compared as JSON trees. */
public final class StatusDiff {
    private StatusDiff() {
    }

    public static boolean changed(StreamingPipelineStatus stored, StreamingPipelineStatus computed) {
        if (stored == null) {
            return computed != null;
        }
        return !Serialization.jsonMapper().valueToTree(stored).equals(Serialization.jsonMapper().valueToTree(computed));
    }
}
