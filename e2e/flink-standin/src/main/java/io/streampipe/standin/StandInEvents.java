package io.streampipe.standin;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * Kubernetes Events about a FlinkDeployment, as FKO's {@code utils/EventRecorder} and {@code EventUtils} write them:
 * type, reason and message; an identical event again bumps the count of the existing one; {@link #normalOnce} creates
 * one only if its key was never used. The reporting component names the stand-in.
 */
final class StandInEvents {
    static final String COMPONENT = "flink-kubernetes-operator-standin";
    private static final Logger LOG = LoggerFactory.getLogger(StandInEvents.class);

    private final KubernetesClient client;

    StandInEvents(KubernetesClient client) {
        this.client = client;
    }

    void normal(FlinkDeployment deployment, String reason, String message) {
        emit(deployment, "Normal", reason, message, message, false);
    }

    void warning(FlinkDeployment deployment, String reason, String message) {
        emit(deployment, "Warning", reason, message, message, false);
    }

    /** EventRecorder.triggerEventOnce: only the first event with this key is created. */
    void normalOnce(FlinkDeployment deployment, String reason, String key, String message) {
        emit(deployment, "Normal", reason, key, message, true);
    }

    private void emit(FlinkDeployment deployment, String type, String reason, String key, String message, boolean once) {
        String namespace = deployment.getMetadata().getNamespace();
        String name = deployment.getMetadata().getName() + "." + Integer.toHexString(
                (reason + key + type + deployment.getKind() + deployment.getMetadata().getName() + deployment.getMetadata().getUid())
                        .hashCode() & 0x7FFFFFFF);
        String now = Instant.now().toString();
        try {
            Event existing = client.v1().events().inNamespace(namespace).withName(name).get();
            if (existing != null) {
                if (!once) {
                    existing.setCount(existing.getCount() == null ? 2 : existing.getCount() + 1);
                    existing.setLastTimestamp(now);
                    existing.setMessage(message);
                    client.v1().events().inNamespace(namespace).resource(existing).update();
                }
                return;
            }
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                    .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(deployment.getApiVersion())
                            .withKind(deployment.getKind()).withName(deployment.getMetadata().getName())
                            .withNamespace(namespace).withUid(deployment.getMetadata().getUid()).build())
                    .withType(type).withReason(reason).withMessage(message)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource().withComponent(COMPONENT).endSource()
                    .withReportingComponent(COMPONENT)
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.warn("Could not record event {} for FlinkDeployment {}/{}: {}", reason, namespace, deployment.getMetadata().getName(), e.getMessage());
        }
    }
}
