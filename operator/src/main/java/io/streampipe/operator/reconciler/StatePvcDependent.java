package io.streampipe.operator.reconciler;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.desired.DesiredState;

import java.util.Objects;
import java.util.Optional;

/**
 * The checkpoint PVC, present only with {@code storage.pvc}. Most of a claim's spec is immutable once bound, so only the
 * requested size is compared (growing it expands the volume where the storage class allows).
 */
@KubernetesDependent(informer = @Informer(labelSelector = PipelineResources.LABEL_COMPONENT + "=" + PipelineResources.COMPONENT_STATE_VOLUME))
public class StatePvcDependent extends PipelineDependent<PersistentVolumeClaim> {
    public StatePvcDependent() {
        super(PersistentVolumeClaim.class);
    }

    @Override
    PersistentVolumeClaim select(DesiredState desired) {
        return desired.statePvc().orElseThrow();
    }

    @Override
    boolean sameContent(PersistentVolumeClaim actual, PersistentVolumeClaim desired) {
        return Objects.equals(requestedStorage(actual), requestedStorage(desired));
    }

    private static Optional<Quantity> requestedStorage(PersistentVolumeClaim claim) {
        return Optional.ofNullable(claim.getSpec()).map(spec -> spec.getResources())
                .map(resources -> resources.getRequests()).map(requests -> requests.get("storage"))
                .map(quantity -> new Quantity(Quantity.getAmountInBytes(quantity).toPlainString()));
    }

    /** The PVC is reconciled only when the spec asks for one; switching to other storage leaves an existing one alone. */
    public static class Requested implements Condition<PersistentVolumeClaim, StreamingPipeline> {
        @Override
        public boolean isMet(DependentResource<PersistentVolumeClaim, StreamingPipeline> dependent, StreamingPipeline primary,
                             Context<StreamingPipeline> context) {
            return context.managedWorkflowAndDependentResourceContext().getMandatory(DesiredState.class, DesiredState.class)
                    .statePvc().isPresent();
        }
    }
}
