package io.streampipe.operator.it;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.PipelineResources;
import io.streampipe.operator.testing.Examples;
import io.streampipe.testkit.kube.AuditLog;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.FlinkDeploymentList;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** What the integration tests do to and read from the API server, as a user (and as the Flink operator) would. */
final class Cluster {
    /** The user the test clients (and the operator under test) authenticate as. */
    static final String USER = "streampipe-admin";
    /** The Secrets the examples reference, with made-up values the tests look for in places they must never appear. */
    static final Map<String, Map<String, String>> SECRETS = Map.of(
            "analytics-db", Map.of("username", "analytics", "password", "pg-secret-value-1"),
            "shop-db", Map.of("username", "shop", "password", "pg-secret-value-2"),
            "kafka-orders-reader", Map.of("username", "reader", "password", "kafka-secret-value"),
            "flink-state-s3", Map.of("accessKeyId", "AKIAEXAMPLE", "secretAccessKey", "s3-secret-value"));

    final KubernetesClient client;
    final String namespace;

    Cluster(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
                .serverSideApply();
    }

    MixedOperation<FlinkDeployment, FlinkDeploymentList, Resource<FlinkDeployment>> flinkDeployments() {
        return client.resources(FlinkDeployment.class, FlinkDeploymentList.class);
    }

    void createSecret(String name) {
        client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(name).endMetadata()
                .withStringData(SECRETS.get(name)).build()).create();
    }

    void createAllSecrets() {
        SECRETS.keySet().forEach(this::createSecret);
    }

    StreamingPipeline createPipeline(String example) {
        return createPipeline(example, Function.identity());
    }

    StreamingPipeline createPipeline(String example, Function<StreamingPipeline, StreamingPipeline> change) {
        StreamingPipeline pipeline = change.apply(Examples.load(example));
        pipeline.getMetadata().setNamespace(namespace);
        return client.resource(pipeline).create();
    }

    Resource<StreamingPipeline> pipeline(String name) {
        return client.resources(StreamingPipeline.class).inNamespace(namespace).withName(name);
    }

    /** Changes a pipeline as a user would, trying again when the operator wrote it in the meantime. */
    void edit(String name, java.util.function.Consumer<StreamingPipeline> change) {
        io.streampipe.testkit.kube.Edits.edit(pipeline(name), p -> {
            change.accept(p);
            return p;
        });
    }

    FlinkDeployment flinkDeployment(String name) {
        return flinkDeployments().inNamespace(namespace).withName(name).get();
    }

    ConfigMap configMap(String name) {
        return client.configMaps().inNamespace(namespace).withName(name).get();
    }

    /** The job ConfigMap version the pipeline's FlinkDeployment names, or null. */
    ConfigMap jobConfig(String pipeline) {
        FlinkDeployment deployment = flinkDeployment(pipeline);
        return deployment == null ? null : configMap(deployment.getSpec().getPodTemplate().getSpec().getVolumes().stream()
                .filter(volume -> volume.getConfigMap() != null).findFirst().orElseThrow().getConfigMap().getName());
    }

    /** Every job ConfigMap version of the pipeline. */
    java.util.List<ConfigMap> jobConfigs(String pipeline) {
        return client.configMaps().inNamespace(namespace).list().getItems().stream()
                .filter(configMap -> configMap.getMetadata().getName().startsWith(pipeline + "-job-")).toList();
    }

    /** Writes a FlinkDeployment status through the status subresource, as the Flink Kubernetes Operator does. */
    void writeFlinkStatus(String name, Function<FlinkDeployment, FlinkDeploymentStatus> status) {
        Eventually.until(() -> {
            FlinkDeployment deployment = flinkDeployment(name);
            deployment.setStatus(status.apply(deployment));
            flinkDeployments().inNamespace(namespace).resource(deployment).updateStatus();
        });
    }

    List<Event> events(String pipeline) {
        return client.v1().events().inNamespace(namespace).withLabel(PipelineResources.LABEL_PIPELINE, pipeline).list().getItems();
    }

    /** Writes to this namespace by the operator (and tests) after the given audit event index. */
    static List<AuditLog.Event> writesSince(AuditLog log, int mark, String namespace) {
        List<AuditLog.Event> events = log.events();
        return events.subList(Math.min(mark, events.size()), events.size()).stream()
                .filter(AuditLog.Event::isWrite)
                .filter(event -> USER.equals(event.user()))
                .filter(event -> namespace.equals(event.namespace()))
                .toList();
    }
}
