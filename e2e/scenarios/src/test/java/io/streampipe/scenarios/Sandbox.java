package io.streampipe.scenarios;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.api.v1alpha1.StreamingPipelineStatus;
import io.streampipe.operator.OperatorConfig;
import io.streampipe.operator.StreampipeOperator;
import io.streampipe.operator.desired.OperatorDefaults;
import io.streampipe.sandbox.services.SandboxServices;
import io.streampipe.standin.FlinkOperatorStandIn;
import io.streampipe.testkit.kube.KubeApiServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The sandbox a scenario runs on, in this JVM: a real API server (the test's), the sandbox's Kafka at {@code kafka:9092}
 * and PostgreSQL at {@code postgres:5432} with the Secrets the examples name, the Flink Kubernetes Operator's stand-in
 * running each FlinkDeployment as Flink JVMs, and our operator's real main. Plus what a user at a terminal does: change a
 * pipeline, read its status, wait for it.
 */
final class Sandbox implements AutoCloseable {
    static final String NAMESPACE = "default";
    static final Duration PATIENCE = Duration.ofMinutes(6);

    /** Loopback addresses of this JVM's own, so a sandbox someone runs on this machine is left alone. */
    static final String NETWORK = "127." + ThreadLocalRandom.current().nextInt(100, 250) + "."
            + ThreadLocalRandom.current().nextInt(1, 250) + ".";

    static {
        writeHostsFile();
    }

    final KubernetesClient client;
    private final KubeApiServer apiServer;
    private final SandboxServices services;
    private final FlinkOperatorStandIn standIn;
    private Operator operator;

    private Sandbox(KubeApiServer apiServer, SandboxServices services, FlinkOperatorStandIn standIn) {
        this.apiServer = apiServer;
        this.client = apiServer.client();
        this.services = services;
        this.standIn = standIn;
    }

    static Sandbox start(KubeApiServer apiServer, Path work) throws Exception {
        SandboxServices services = SandboxServices.start(apiServer.kubeconfig(), Path.of(System.getProperty("streampipe.sandboxState")),
                examples(), NAMESPACE, NETWORK + "2", NETWORK + "3");
        FlinkOperatorStandIn standIn = FlinkOperatorStandIn.start(apiServer.kubeconfig(), work.resolve("flink"),
                Path.of(System.getProperty("streampipe.jobJar")),
                // This JVM's hosts file, so that the JobManagers' REST Services the stand-in adds resolve for the operator.
                Optional.of(Path.of(System.getProperty("jdk.net.hosts.file"))), Duration.ofMillis(500));
        Sandbox sandbox = new Sandbox(apiServer, services, standIn);
        sandbox.startOperator();
        return sandbox;
    }

    static Path examples() {
        return Path.of(System.getProperty("streampipe.examples"));
    }

    void startOperator() {
        OperatorConfig config = new OperatorConfig(Set.of(), new OperatorDefaults("ghcr.io/streampipe/pipeline-job:0.1.0", "1.20.3", "flink"),
                false, "streampipe-operator", NAMESPACE, 0, Duration.ofSeconds(5), "operator-under-test",
                "http://{name}-rest.{namespace}:8081", Duration.ofSeconds(3));
        operator = StreampipeOperator.start(config,
                new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(apiServer.kubeconfig().toFile())).build(),
                new SimpleMeterRegistry());
    }

    /** Stops our operator, as its pod going away would: what it knows lives in the API server, nothing in the JVM. */
    void stopOperator() {
        operator.stop();
        operator = null;
    }

    FlinkOperatorStandIn standIn() {
        return standIn;
    }

    /**
     * Changes a pipeline as a user would: read, change, write, and read again when the write lost to another (the
     * operator writes status, which moves the resourceVersion fabric8's edit checks). Returns the new generation.
     */
    long edit(String name, Consumer<StreamingPipeline> change) {
        return io.streampipe.testkit.kube.Edits.edit(client.resources(StreamingPipeline.class).inNamespace(NAMESPACE).withName(name), p -> {
            change.accept(p);
            return p;
        }).getMetadata().getGeneration();
    }

    StreamingPipelineStatus status(String name) {
        StreamingPipeline pipeline = client.resources(StreamingPipeline.class).inNamespace(NAMESPACE).withName(name).get();
        return pipeline == null ? null : pipeline.getStatus();
    }

    static String condition(StreamingPipelineStatus status, String type) {
        return status.conditions.stream().filter(c -> c.getType().equals(type)).map(Condition::getStatus).findFirst().orElse(null);
    }

    StreamingPipelineStatus awaitStatus(String name, String what, Predicate<StreamingPipelineStatus> condition)
            throws InterruptedException {
        return awaitStatus(name, what, PATIENCE, condition);
    }

    StreamingPipelineStatus awaitStatus(String name, String what, Duration patience, Predicate<StreamingPipelineStatus> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        StreamingPipelineStatus last = null;
        while (System.nanoTime() < deadline) {
            last = status(name);
            if (last != null && condition.test(last)) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError(name + " not " + what + " within " + patience + "; last status: "
                + (last == null ? null : Serialization.asYaml(last)));
    }

    static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        awaitTrue(what, PATIENCE, condition);
    }

    static void awaitTrue(String what, java.time.Duration patience, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Not " + what + " within " + patience);
            }
            Thread.sleep(250);
        }
    }

    String secretValue(String secret, String key) {
        Secret found = client.secrets().inNamespace(NAMESPACE).withName(secret).get();
        String data = found.getData() != null ? found.getData().get(key) : null;
        return data != null ? new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8) : found.getStringData().get(key);
    }

    @Override
    public void close() {
        if (operator != null) {
            operator.stop();
        }
        standIn.close();
        services.close();
    }

    /** This JVM's names (-Djdk.net.hosts.file): the services' as the manifests name them, and the machine's own. */
    private static void writeHostsFile() {
        try {
            String machine = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            Files.writeString(Path.of(System.getProperty("jdk.net.hosts.file")), String.join("\n",
                    "127.0.0.1 localhost " + machine, NETWORK + "2 kafka", NETWORK + "3 postgres", ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
