package io.streampipe.standin;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the kubelet would give the Flink main container of a FlinkDeployment's pod template: its environment (values,
 * and Secret and ConfigMap keys resolved from the API server) and its volumes (ConfigMaps and Secrets written out as
 * files, persistent volume claims as directories that outlive the cluster). Values are read when a cluster starts, as
 * a pod reads them when it starts.
 */
final class PodEnvironment {
    static final String MAIN_CONTAINER = "flink-main-container";

    private final Map<String, String> env;

    private PodEnvironment(Map<String, String> env) {
        this.env = env;
    }

    /** The environment variables, secrets included: for the Flink JVMs only, never for a log. */
    Map<String, String> env() {
        return env;
    }

    /**
     * @param podDirectory where this start's ConfigMap and Secret volumes are written
     * @param claims       where persistent volume claims live, one directory each
     * @throws PodStartException what the kubelet would report for a missing Secret, ConfigMap or key
     */
    static PodEnvironment prepare(KubernetesClient client, String namespace, PodTemplateSpec template, Path podDirectory,
                                  Path claims, LocalPaths paths) {
        Optional<Container> main = Optional.ofNullable(template).map(PodTemplateSpec::getSpec)
                .flatMap(spec -> spec.getContainers().stream().filter(c -> MAIN_CONTAINER.equals(c.getName())).findFirst());
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar variable : main.map(Container::getEnv).orElse(List.of())) {
            env.put(variable.getName(), value(client, namespace, variable));
        }
        List<Volume> volumes = template == null || template.getSpec() == null ? List.of() : template.getSpec().getVolumes();
        for (VolumeMount mount : main.map(Container::getVolumeMounts).orElse(List.of())) {
            Volume volume = volumes.stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
                    .orElseThrow(() -> new PodStartException("volume mount " + mount.getName() + " names no volume of the pod template"));
            paths.mount(mount.getMountPath(), volumeDirectory(client, namespace, volume, podDirectory, claims));
        }
        return new PodEnvironment(env);
    }

    private static String value(KubernetesClient client, String namespace, EnvVar variable) {
        if (variable.getValueFrom() == null) {
            return variable.getValue() == null ? "" : variable.getValue();
        }
        var secretRef = variable.getValueFrom().getSecretKeyRef();
        if (secretRef != null) {
            Map<String, String> data = secretData(client, namespace, secretRef.getName());
            String value = data.get(secretRef.getKey());
            if (value == null) {
                throw new PodStartException("couldn't find key " + secretRef.getKey() + " in Secret " + namespace + "/" + secretRef.getName());
            }
            return value;
        }
        var configMapRef = variable.getValueFrom().getConfigMapKeyRef();
        if (configMapRef != null) {
            String value = configMapData(client, namespace, configMapRef.getName()).get(configMapRef.getKey());
            if (value == null) {
                throw new PodStartException("couldn't find key " + configMapRef.getKey() + " in ConfigMap " + namespace + "/" + configMapRef.getName());
            }
            return value;
        }
        throw new PodStartException("env " + variable.getName() + ": only value, secretKeyRef and configMapKeyRef are supported by the stand-in");
    }

    private static Path volumeDirectory(KubernetesClient client, String namespace, Volume volume, Path podDirectory, Path claims) {
        try {
            if (volume.getConfigMap() != null) {
                return writeFiles(podDirectory.resolve("volumes").resolve(volume.getName()),
                        configMapData(client, namespace, volume.getConfigMap().getName()));
            }
            if (volume.getSecret() != null) {
                return writeFiles(podDirectory.resolve("volumes").resolve(volume.getName()),
                        secretData(client, namespace, volume.getSecret().getSecretName()));
            }
            if (volume.getPersistentVolumeClaim() != null) {
                return Files.createDirectories(claims.resolve(namespace).resolve(volume.getPersistentVolumeClaim().getClaimName()));
            }
            if (volume.getEmptyDir() != null) {
                return Files.createDirectories(podDirectory.resolve("volumes").resolve(volume.getName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new PodStartException("volume " + volume.getName() + ": only configMap, secret, persistentVolumeClaim and emptyDir are supported by the stand-in");
    }

    private static Path writeFiles(Path directory, Map<String, String> files) throws IOException {
        Files.createDirectories(directory);
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(directory.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
        }
        return directory;
    }

    private static Map<String, String> configMapData(KubernetesClient client, String namespace, String name) {
        ConfigMap configMap = client.configMaps().inNamespace(namespace).withName(name).get();
        if (configMap == null) {
            throw new PodStartException("configmap \"" + name + "\" not found");
        }
        return configMap.getData() == null ? Map.of() : configMap.getData();
    }

    private static Map<String, String> secretData(KubernetesClient client, String namespace, String name) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
            throw new PodStartException("secret \"" + name + "\" not found");
        }
        Map<String, String> data = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((key, value) -> data.put(key, new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
        }
        if (secret.getStringData() != null) {
            data.putAll(secret.getStringData());
        }
        return data;
    }

    /** A pod that cannot start, with the kubelet's reason. */
    static final class PodStartException extends RuntimeException {
        PodStartException(String message) {
            super(message);
        }
    }
}
