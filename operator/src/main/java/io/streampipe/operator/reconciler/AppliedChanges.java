package io.streampipe.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.streampipe.operator.status.StatusEvents.Change;

import java.util.ArrayList;
import java.util.List;

/**
 * What one reconcile created or updated, collected by the dependents so that the reconciler logs and reports each
 * change once ("Created FlinkDeployment analytics/sensor-anomalies"), all of them in one Event
 * ({@link io.streampipe.operator.status.StatusEvents#of}).
 */
final class AppliedChanges {
    private final List<Change> changes = new ArrayList<>();

    synchronized void add(String verb, HasMetadata resource) {
        changes.add(new Change(verb, resource.getKind(), resource.getMetadata().getNamespace(), resource.getMetadata().getName()));
    }

    synchronized List<Change> all() {
        return List.copyOf(changes);
    }
}
