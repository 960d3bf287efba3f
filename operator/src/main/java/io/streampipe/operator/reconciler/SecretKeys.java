package io.streampipe.operator.reconciler;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.desired.SecretReferences;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The Secrets pipelines reference, watched so that a Secret that appears (or gains a key) triggers the pipelines that
 * wait for it. The cache keeps only key names: values are dropped before they are stored, so the operator never holds,
 * and cannot log, a credential.
 */
final class SecretKeys {
    static final String EVENT_SOURCE = "referenced-secrets";
    private static final String INDEX = "referenced-secrets";

    private SecretKeys() {
    }

    static InformerEventSource<Secret, StreamingPipeline> eventSource(EventSourceContext<StreamingPipeline> context) {
        context.getPrimaryCache().addIndexer(INDEX, pipeline -> referenced(pipeline).stream()
                .map(secret -> Cache.namespaceKeyFunc(pipeline.getMetadata().getNamespace(), secret)).toList());
        var configuration = InformerEventSourceConfiguration.from(Secret.class, StreamingPipeline.class)
                .withName(EVENT_SOURCE)
                .withItemStore(new KeysOnlyStore())
                .withSecondaryToPrimaryMapper(secret -> context.getPrimaryCache()
                        .byIndex(INDEX, Cache.metaNamespaceKeyFunc(secret)).stream()
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper((StreamingPipeline pipeline) -> referenced(pipeline).stream()
                        .map(secret -> new ResourceID(secret, pipeline.getMetadata().getNamespace()))
                        .collect(Collectors.toSet()))
                .build();
        return new InformerEventSource<>(configuration, context);
    }

    /** Key names of the referenced Secrets that exist, by Secret name. */
    static Map<String, Set<String>> of(Context<StreamingPipeline> context) {
        return context.getSecondaryResources(Secret.class).stream().collect(Collectors.toMap(
                secret -> secret.getMetadata().getName(),
                secret -> secret.getData() == null ? Set.of() : Set.copyOf(secret.getData().keySet())));
    }

    /** The Secrets of the spec, and of the last stable spec, which a rollback applies again. */
    static Set<String> referenced(StreamingPipeline pipeline) {
        Set<String> secrets = new java.util.TreeSet<>();
        if (pipeline.getSpec() != null) {
            SecretReferences.of(pipeline.getSpec()).forEach(use -> secrets.add(use.secret()));
        }
        if (pipeline.getStatus() != null && pipeline.getStatus().lastStable != null && pipeline.getStatus().lastStable.spec != null) {
            try {
                SecretReferences.of(io.fabric8.kubernetes.client.utils.Serialization.unmarshal(pipeline.getStatus().lastStable.spec,
                        io.streampipe.api.v1alpha1.StreamingPipelineSpec.class)).forEach(use -> secrets.add(use.secret()));
            } catch (RuntimeException unreadable) {
                // A status written by hand: the current spec's Secrets are still watched.
            }
        }
        return secrets;
    }

    /** An informer store that keeps each Secret's name, version and key names, never its values. */
    static final class KeysOnlyStore extends BasicItemStore<Secret> {
        KeysOnlyStore() {
            super(Cache::metaNamespaceKeyFunc);
        }

        @Override
        public Secret put(String key, Secret secret) {
            return super.put(key, keysOnly(secret));
        }

        static Secret keysOnly(Secret secret) {
            Map<String, String> keys = new TreeMap<>();
            List.of(secret.getData(), secret.getStringData()).stream()
                    .filter(Objects::nonNull)
                    .flatMap(map -> map.keySet().stream())
                    .forEach(key -> keys.put(key, ""));
            return new SecretBuilder()
                    .withMetadata(new ObjectMetaBuilder()
                            .withName(secret.getMetadata().getName())
                            .withNamespace(secret.getMetadata().getNamespace())
                            .withUid(secret.getMetadata().getUid())
                            .withResourceVersion(secret.getMetadata().getResourceVersion())
                            .build())
                    .withType(secret.getType())
                    .withData(keys)
                    .build();
        }
    }
}
