package io.streampipe.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.managed.ManagedWorkflowAndDependentResourceContext;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.dependent.Updater;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.desired.DesiredState;
import io.streampipe.operator.status.Reasons;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A child of the pipeline whose desired form comes from {@link DesiredState}, computed once per reconcile by the
 * reconciler. Children carry an owner reference (garbage collection removes them with the pipeline) but are never
 * deleted by the operator itself, so switching an optional child off (the PVC) cannot destroy state.
 *
 * <p>"Matches" is decided by comparing JSON trees of what streampipe sets, so that an unchanged pipeline causes no
 * write: the Flink operator's model classes do not compare by value, and the server adds fields we never set.
 */
abstract class PipelineDependent<R extends HasMetadata> extends KubernetesDependentResource<R, StreamingPipeline>
        implements Creator<R, StreamingPipeline>, Updater<R, StreamingPipeline>, SecondaryToPrimaryMapper<R> {

    private final SecondaryToPrimaryMapper<R> byOwner = Mappers.fromOwnerReferences(StreamingPipeline.class);

    PipelineDependent(Class<R> type) {
        super(type);
    }

    /** This child, taken from the reconcile's desired state. */
    abstract R select(DesiredState desired);

    /** Whether the streampipe-set part of the child (spec, data) is as desired; labels and ownership are checked here. */
    abstract boolean sameContent(R actual, R desired);

    static void putDesiredState(Context<StreamingPipeline> context, DesiredState desired) {
        context.managedWorkflowAndDependentResourceContext().put(DesiredState.class, desired);
        context.managedWorkflowAndDependentResourceContext().put(AppliedChanges.class, new AppliedChanges());
    }

    static AppliedChanges changes(Context<StreamingPipeline> context) {
        return context.managedWorkflowAndDependentResourceContext().getMandatory(AppliedChanges.class, AppliedChanges.class);
    }

    @Override
    protected R desired(StreamingPipeline primary, Context<StreamingPipeline> context) {
        ManagedWorkflowAndDependentResourceContext managed = context.managedWorkflowAndDependentResourceContext();
        // A copy: the framework adds owner references and annotations to what it is given.
        return Serialization.clone(select(managed.getMandatory(DesiredState.class, DesiredState.class)));
    }

    @Override
    public Matcher.Result<R> match(R actual, R desired, StreamingPipeline primary, Context<StreamingPipeline> context) {
        boolean matches = sameContent(actual, desired)
                && containsAll(actual.getMetadata().getLabels(), desired.getMetadata().getLabels())
                && ownedBy(actual, primary);
        return Matcher.Result.computed(matches, desired);
    }

    @Override
    protected boolean addOwnerReference() {
        return true;
    }

    @Override
    public Set<ResourceID> toPrimaryResourceIDs(R resource) {
        return byOwner.toPrimaryResourceIDs(resource);
    }

    @Override
    protected void onCreated(StreamingPipeline primary, R created, Context<StreamingPipeline> context) {
        super.onCreated(primary, created, context);
        changes(context).add(Reasons.CREATED, created);
    }

    @Override
    protected void onUpdated(StreamingPipeline primary, R updated, R actual, Context<StreamingPipeline> context) {
        super.onUpdated(primary, updated, actual, context);
        changes(context).add(Reasons.UPDATED, updated);
    }

    private static boolean containsAll(Map<String, String> actual, Map<String, String> desired) {
        return desired == null || desired.isEmpty() || actual != null && actual.entrySet().containsAll(desired.entrySet());
    }

    private static boolean ownedBy(HasMetadata child, StreamingPipeline owner) {
        return child.getMetadata().getOwnerReferences() != null && child.getMetadata().getOwnerReferences().stream()
                .map(OwnerReference::getUid)
                .anyMatch(uid -> Objects.equals(uid, owner.getMetadata().getUid()));
    }
}
