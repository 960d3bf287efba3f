package io.streampipe.testkit.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;

import java.net.HttpURLConnection;
import java.util.function.UnaryOperator;

/**
 * A change to a resource as a person or a controller makes it: read, change, write, and when the write lost to
 * another writer (fabric8's {@code edit} sends the resourceVersion it read, and the API server answers 409 Conflict
 * when someone wrote in between, e.g. an operator writing status), read and change again. Any other error is thrown.
 */
public final class Edits {
    private static final int ATTEMPTS = 10;

    private Edits() {
    }

    public static <T extends HasMetadata> T edit(Resource<T> resource, UnaryOperator<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return resource.edit(change);
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
