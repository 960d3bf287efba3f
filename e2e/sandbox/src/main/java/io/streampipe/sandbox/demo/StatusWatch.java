package io.streampipe.sandbox.demo;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.streampipe.api.v1alpha1.StreamingPipeline;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Follows one StreamingPipeline through an informer (a list, then a watch that fabric8 re-establishes) and prints its
 * {@link StatusLine} whenever that changes, so that every transition the operator writes is seen, not only those a
 * poll would catch. Notes how long after {@code kubectl apply} Ready first turned True.
 */
final class StatusWatch implements ResourceEventHandler<StreamingPipeline>, AutoCloseable {
    private final String name;
    private final Consumer<String> print;
    private SharedIndexInformer<StreamingPipeline> informer;
    private StreamingPipeline latest;
    private String lastKey;
    private long appliedNanos;
    private boolean readyBeforeApply;
    private Duration readyAfterApply;

    private StatusWatch(String name, Consumer<String> print) {
        this.name = name;
        this.print = print;
    }

    /** Returns once the informer has listed the pipeline (or found none); a pipeline that exists is printed. */
    static StatusWatch start(KubernetesClient client, String namespace, String name, Consumer<String> print) {
        StatusWatch watch = new StatusWatch(name, print);
        watch.informer = client.resources(StreamingPipeline.class).inNamespace(namespace).withName(name).inform(watch);
        return watch;
    }

    /** Marks when {@code kubectl apply} started, the origin of the time to Ready. */
    synchronized void applyStarted(long nanos) {
        appliedNanos = nanos;
        readyBeforeApply = latest != null && isReady(latest);
    }

    /** Time from {@code kubectl apply} until Ready first turned True; empty before that, or if it was Ready already. */
    synchronized Optional<Duration> readyAfterApply() {
        return Optional.ofNullable(readyAfterApply);
    }

    synchronized boolean readyBeforeApply() {
        return readyBeforeApply;
    }

    /** The pipeline as last seen; empty before it exists. */
    synchronized Optional<StreamingPipeline> latest() {
        return Optional.ofNullable(latest);
    }

    static boolean isReady(StreamingPipeline pipeline) {
        List<Condition> conditions = pipeline.getStatus() == null ? null : pipeline.getStatus().conditions;
        return conditions != null && conditions.stream()
                .anyMatch(condition -> "Ready".equals(condition.getType()) && "True".equals(condition.getStatus()));
    }

    @Override
    public void onAdd(StreamingPipeline pipeline) {
        show(pipeline);
    }

    @Override
    public void onUpdate(StreamingPipeline before, StreamingPipeline pipeline) {
        show(pipeline);
    }

    @Override
    public synchronized void onDelete(StreamingPipeline pipeline, boolean finalStateUnknown) {
        latest = null;
        lastKey = null;
        print.accept("spipe/" + name + " deleted");
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }

    private synchronized void show(StreamingPipeline pipeline) {
        latest = pipeline;
        String key = StatusLine.changeKey(pipeline);
        if (!Objects.equals(key, lastKey)) {
            lastKey = key;
            print.accept(StatusLine.of(pipeline));
        }
        if (appliedNanos != 0 && readyAfterApply == null && !readyBeforeApply && isReady(pipeline)) {
            readyAfterApply = Duration.ofNanos(System.nanoTime() - appliedNanos);
            print.accept("Ready=True " + OperatorDemo.seconds(readyAfterApply) + " after kubectl apply");
        }
    }
}
