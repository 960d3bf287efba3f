package io.streampipe.k3s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A K3s cluster in Docker with what a user installs: the Flink Kubernetes Operator from its released Helm chart, the
 * streampipe chart of this repository with our images (imported from the OCI tarballs e2e/bin/images builds), and, in
 * the pipeline's namespace, Kafka (SASL/SCRAM as the orders example expects) and PostgreSQL.
 *
 * <p>What it needs is checked first; when something is missing the scenario is skipped with the reason (or fails, with
 * {@code -Dstreampipe.k3s.required=true}, e.g. in a release pipeline that built the images).
 */
final class K3sCluster implements AutoCloseable {
    static final String NAMESPACE = "shop";
    static final String KAFKA_USER = "orders-reader";
    private static final Logger LOG = LoggerFactory.getLogger(K3sCluster.class);
    private static final String K3S_IMAGE = System.getProperty("streampipe.k3s.image", "rancher/k3s:v1.31.4-k3s1");
    private static final String POSTGRES_IMAGE = "postgres:16-alpine";
    /** Where the state PVC's volume lives on the K3s node (see {@link #stateVolume}). */
    private static final String STATE_DIR = "/var/lib/streampipe-state";

    private final K3sContainer k3s;
    private final Path kubeconfig;
    final KubernetesClient client;
    final String kafkaPassword = "k3s-e2e-kafka-" + Long.toHexString(System.nanoTime());
    final String postgresPassword = "k3s-e2e-pg-" + Long.toHexString(System.nanoTime());

    private K3sCluster(K3sContainer k3s, Path kubeconfig, KubernetesClient client) {
        this.k3s = k3s;
        this.kubeconfig = kubeconfig;
        this.client = client;
    }

    /** Skips the calling test (with the reason) unless everything the scenario needs is at hand. */
    static void assumeRunnable() {
        requireOrSkip(DockerClientFactory.instance().isDockerAvailable(),
                "no Docker engine is reachable (Testcontainers found none), and this scenario runs K3s in Docker");
        requireOrSkip(Files.isRegularFile(operatorImageTar()) && Files.isRegularFile(jobImageTar()),
                "the images are not built: expected " + operatorImageTar() + " and " + jobImageTar() + " (build them with e2e/bin/images)");
        requireOrSkip(Files.isExecutable(helm()), "no helm at " + helm() + " (e2e/bin/install-binaries builds it)");
    }

    private static void requireOrSkip(boolean present, String reason) {
        if (Boolean.getBoolean("streampipe.k3s.required")) {
            assertThat(present).as(reason).isTrue();
        }
        Assumptions.assumeTrue(present, "K3s scenario skipped: " + reason);
    }

    static K3sCluster start() throws Exception {
        K3sContainer k3s = new K3sContainer(DockerImageName.parse(K3S_IMAGE).asCompatibleSubstituteFor("rancher/k3s"));
        k3s.start();
        Path kubeconfig = Files.createTempFile("k3s-e2e-kubeconfig", ".yaml");
        Files.writeString(kubeconfig, k3s.getKubeConfigYaml());
        KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml())).build();
        K3sCluster cluster = new K3sCluster(k3s, kubeconfig, client);
        cluster.importImage(operatorImageTar());
        cluster.importImage(jobImageTar());
        return cluster;
    }

    /** Our images into the node's containerd, so that pods with pull policy IfNotPresent start from them. */
    private void importImage(Path tarball) throws Exception {
        String inContainer = "/tmp/" + tarball.getParent().getParent().getFileName() + "-image.tar";
        k3s.copyFileToContainer(MountableFile.forHostPath(tarball), inContainer);
        exec("ctr", "-n", "k8s.io", "images", "import", inContainer);
        LOG.info("Imported {} into K3s", tarball);
    }

    /** The image references containerd holds, to check that the chart's defaults are what was imported. */
    List<String> images() throws Exception {
        return exec("ctr", "-n", "k8s.io", "images", "list", "-q").lines().toList();
    }

    /** The Flink Kubernetes Operator from its released chart, watching the pipeline namespace, without its webhook. */
    void installFlinkOperator() throws Exception {
        namespace(NAMESPACE);
        String version = System.getProperty("streampipe.k3s.fkoVersion");
        String chart = System.getProperty("streampipe.k3s.fkoChart", "https://archive.apache.org/dist/flink/flink-kubernetes-operator-"
                + version + "/flink-kubernetes-operator-" + version + "-helm.tgz");
        helm("install", "flink-kubernetes-operator", chart, "--namespace", "flink-operator", "--create-namespace",
                "--set", "webhook.create=false", "--set", "watchNamespaces={" + NAMESPACE + "}", "--wait", "--timeout", "10m");
    }

    private static final String[] STREAMPIPE_VALUES = {"--namespace", "streampipe-system", "--set", "replicaCount=1",
            "--set", "watchNamespaces={" + NAMESPACE + "}"};

    /** This repository's chart, with its default images (which {@link #images()} must hold). */
    void installStreampipe() throws Exception {
        List<String> args = new ArrayList<>(List.of("install", "streampipe", chart()));
        args.addAll(List.of(STREAMPIPE_VALUES));
        args.addAll(List.of("--create-namespace", "--wait", "--timeout", "5m"));
        helm(args.toArray(String[]::new));
    }

    /**
     * The images the chart deploys with its defaults, as helm renders them: the operator's container image and its
     * default pipeline-job image (STREAMPIPE_DEFAULT_IMAGE).
     */
    List<String> chartImages() throws Exception {
        List<String> args = new ArrayList<>(List.of("template", "streampipe", chart()));
        args.addAll(List.of(STREAMPIPE_VALUES));
        List<String> lines = helm(args.toArray(String[]::new)).lines().map(String::trim).toList();
        List<String> images = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("image: ")) {
                images.add(unquote(lines.get(i).substring("image: ".length())));
            } else if (lines.get(i).equals("- name: STREAMPIPE_DEFAULT_IMAGE") && lines.get(i + 1).startsWith("value: ")) {
                images.add(unquote(lines.get(i + 1).substring("value: ".length())));
            }
        }
        assertThat(images).as("images in the rendered chart").hasSize(2);
        return images;
    }

    private static String unquote(String value) {
        return value.replace("\"", "");
    }

    private static String chart() {
        return repo().resolve("charts/streampipe").toString();
    }

    /**
     * Kafka in KRaft mode with a SASL_PLAINTEXT/SCRAM-SHA-512 listener for the pipeline (kafka:9092, user
     * {@value #KAFKA_USER}) and a PLAINTEXT one for the test's producer (9093); PostgreSQL with database shop.
     */
    void installDataServices() throws Exception {
        String kafkaVersion = System.getProperty("streampipe.k3s.kafkaVersion");
        apply(Manifests.kafka(kafkaVersion, KAFKA_USER, kafkaPassword));
        apply(Manifests.postgres(POSTGRES_IMAGE, postgresPassword));
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName("kafka-orders-reader").endMetadata()
                .withStringData(Map.of("username", KAFKA_USER, "password", kafkaPassword)).build()).create();
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName("shop-db").endMetadata()
                .withStringData(Map.of("username", "shop", "password", postgresPassword)).build()).create();
        for (String app : List.of("kafka", "postgres")) {
            client.apps().deployments().inNamespace(NAMESPACE).withName(app).waitUntilReady(5, TimeUnit.MINUTES);
        }
        execIn("kafka", "/opt/kafka/bin/kafka-topics.sh", "--bootstrap-server", "localhost:9093", "--create", "--topic", "orders",
                "--partitions", "4", "--replication-factor", "1");
    }

    /**
     * K3s's local-path provisioner gives ReadWriteOnce volumes only; the state PVC the operator creates asks for
     * ReadWriteMany (JobManager and TaskManagers share it). On this one-node cluster a hostPath volume, pre-bound to
     * that claim and writable by Flink's user, is the same thing.
     */
    void stateVolume(String claim) throws Exception {
        exec("sh", "-c", "mkdir -p " + STATE_DIR + "/" + claim + " && chmod 777 " + STATE_DIR + "/" + claim);
        apply(Manifests.preBoundVolume(NAMESPACE, claim, STATE_DIR + "/" + claim));
    }

    /** Records into the orders topic, key|value per line, through the PLAINTEXT listener from inside the Kafka pod. */
    void produce(List<String> keyedLines) throws Exception {
        String data = Base64.getEncoder().encodeToString((String.join("\n", keyedLines) + "\n").getBytes(StandardCharsets.UTF_8));
        execIn("kafka", "sh", "-c", "echo " + data + " | base64 -d | /opt/kafka/bin/kafka-console-producer.sh --bootstrap-server localhost:9093"
                + " --topic orders --property parse.key=true --property key.separator='|'");
    }

    /** A query's rows, fields separated by |, from psql in the PostgreSQL pod. */
    List<String> query(String sql) throws Exception {
        return execIn("postgres", "psql", "-U", "shop", "-d", "shop", "-At", "-F", "|", "-c", sql).lines().toList();
    }

    /** What an operator of this cluster would look at, for a failure message. */
    String diagnostics() {
        StringBuilder out = new StringBuilder();
        for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
            out.append(pod.getMetadata().getNamespace()).append('/').append(pod.getMetadata().getName()).append(' ')
                    .append(pod.getStatus().getPhase()).append('\n');
        }
        client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .map(e -> e.getLastTimestamp() + " " + e.getInvolvedObject().getKind() + "/" + e.getInvolvedObject().getName()
                        + " " + e.getReason() + ": " + e.getMessage())
                .sorted().forEach(line -> out.append(line).append('\n'));
        try {
            out.append(client.apps().deployments().inNamespace("streampipe-system").withName("streampipe-operator").getLog());
        } catch (RuntimeException noLog) {
            out.append("(no operator log: ").append(noLog.getMessage()).append(")\n");
        }
        return out.toString();
    }

    private void namespace(String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).serverSideApply();
    }

    private void apply(String manifests) {
        List<HasMetadata> objects = client.load(new ByteArrayInputStream(manifests.getBytes(StandardCharsets.UTF_8))).items();
        for (HasMetadata object : objects) {
            client.resource(object).fieldManager("k3s-e2e").forceConflicts().serverSideApply();
        }
    }

    private String execIn(String app, String... command) throws Exception {
        Pod pod = client.pods().inNamespace(NAMESPACE).withLabel("app", app).list().getItems().get(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ExecWatch watch = client.pods().inNamespace(NAMESPACE).withName(pod.getMetadata().getName())
                .writingOutput(out).writingError(err).exec(command)) {
            int code = watch.exitCode().get(2, TimeUnit.MINUTES);
            assertThat(code).as("%s in %s: %s", String.join(" ", command), app, err.toString(StandardCharsets.UTF_8)).isZero();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private String exec(String... command) throws Exception {
        Container.ExecResult result = k3s.execInContainer(command);
        assertThat(result.getExitCode()).as("%s: %s", String.join(" ", command), result.getStderr()).isZero();
        return result.getStdout();
    }

    private String helm(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(helm().toString(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(Duration.ofMinutes(15).toMinutes(), TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as("%s%n%s%n%s", String.join(" ", args), output, diagnostics()).isZero();
        LOG.info("helm {}: {}", args[0] + " " + args[1], output.lines().limit(3).collect(Collectors.joining(" / ")));
        return output;
    }

    static Path repo() {
        return Path.of(System.getProperty("streampipe.repo", "../.."));
    }

    private static Path operatorImageTar() {
        return Path.of(System.getProperty("streampipe.k3s.operatorImageTar", repo().resolve("operator/target/operator-image.tar").toString()));
    }

    private static Path jobImageTar() {
        return Path.of(System.getProperty("streampipe.k3s.jobImageTar", repo().resolve("pipeline-job/target/pipeline-job-image.tar").toString()));
    }

    private static Path helm() {
        return Path.of(System.getProperty("streampipe.k3s.helm", System.getProperty("user.home") + "/.cache/streampipe/helm-v3.16.4/bin/helm"));
    }

    @Override
    public void close() throws IOException {
        client.close();
        k3s.stop();
        Files.deleteIfExists(kubeconfig);
    }
}
