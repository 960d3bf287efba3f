package io.streampipe.testkit.kube;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit 5 extension giving a test class a real Kubernetes API server: kube-apiserver and etcd on
 * free loopback ports, with the Flink Kubernetes Operator CRDs (and any CRDs the test names)
 * installed and Established. One control plane per test class, started before all its tests and
 * stopped after them.
 *
 * <pre>{@code
 * class MyTest {
 *     @RegisterExtension
 *     static final KubeApiServer apiServer = new KubeApiServer()
 *             .withCrds(Path.of("../crds/streamingpipelines.streampipe.io-v1.yml"));
 *
 *     @Test
 *     void createsAFlinkDeployment() {
 *         KubernetesClient client = apiServer.client();
 *         ...
 *         assertThat(apiServer.auditLog().writes()).hasSize(1);
 *     }
 * }
 * }</pre>
 *
 * <p>Or {@code @ExtendWith(KubeApiServer.class)} with a {@link KubernetesClient} (or {@code
 * KubeApiServer}) parameter on test or lifecycle methods, for the defaults.
 *
 * <p>{@link #auditLog()} gives the requests made so far (level Metadata, or Request with the
 * body for what {@link #withRequestBodiesAudited} names), e.g. to assert that a reconcile in
 * steady state writes nothing.
 *
 * <p>It is an API server only: no kube-controller-manager, scheduler or kubelet. Hence pods never
 * run, namespace deletion never finishes (namespaces stay Terminating), ownerReferences are not
 * garbage-collected (deleting an owner leaves its children), and no service-account tokens or
 * default service accounts are created (the ServiceAccount admission plugin is off). The
 * {@code default} namespace exists; others can be created. The client authenticates as user
 * {@code streampipe-admin} in group {@code system:masters}; authorization is RBAC.
 *
 * <p>The first use on a machine builds the binaries from source (tens of minutes); afterwards a
 * start takes a few seconds.
 */
public final class KubeApiServer implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    /** The CRDs the Flink Kubernetes Operator installs, as shipped in flink-kubernetes-operator-api. */
    public static final List<String> FLINK_OPERATOR_CRD_RESOURCES = List.of(
            "META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml",
            "META-INF/fabric8/flinksessionjobs.flink.apache.org-v1.yml",
            "META-INF/fabric8/flinkstatesnapshots.flink.apache.org-v1.yml");

    private static final Logger LOG = LoggerFactory.getLogger(KubeApiServer.class);
    private static final long CRD_ESTABLISHED_TIMEOUT_SECONDS = 30;

    private final boolean flinkOperatorCrds;
    private final List<Path> crdFiles;
    private final List<AuditLog.Resource> auditedBodies;

    private Path stateDir;
    private ControlPlane controlPlane;
    private KubernetesClient client;

    /** A control plane with the Flink Kubernetes Operator CRDs. */
    public KubeApiServer() {
        this(true, List.of(), List.of());
    }

    private KubeApiServer(boolean flinkOperatorCrds, List<Path> crdFiles, List<AuditLog.Resource> auditedBodies) {
        this.flinkOperatorCrds = flinkOperatorCrds;
        this.crdFiles = List.copyOf(crdFiles);
        this.auditedBodies = List.copyOf(auditedBodies);
    }

    /** This configuration plus the CRDs in the given YAML files (one or more documents each). */
    public KubeApiServer withCrds(Path... yamlFiles) {
        List<Path> all = new ArrayList<>(crdFiles);
        all.addAll(Arrays.asList(yamlFiles));
        return new KubeApiServer(flinkOperatorCrds, all, auditedBodies);
    }

    /** This configuration without the Flink Kubernetes Operator CRDs. */
    public KubeApiServer withoutFlinkOperatorCrds() {
        return new KubeApiServer(false, crdFiles, auditedBodies);
    }

    /**
     * This configuration with the body of every write to these resources in the audit log
     * ({@link AuditLog.Event#requestObject()}); the rest stays at level Metadata.
     */
    public KubeApiServer withRequestBodiesAudited(AuditLog.Resource... resources) {
        List<AuditLog.Resource> all = new ArrayList<>(auditedBodies);
        all.addAll(Arrays.asList(resources));
        return new KubeApiServer(flinkOperatorCrds, crdFiles, all);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        long startNanos = System.nanoTime();
        // Parsing the large Flink CRDs takes seconds in a fresh JVM; do it while the control plane starts.
        CompletableFuture<List<CustomResourceDefinition>> crds = CompletableFuture.supplyAsync(this::loadCrds);
        stateDir = Files.createTempDirectory("streampipe-kube-");
        controlPlane = ControlPlane.start(stateDir, auditedBodies);
        client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(controlPlane.kubeconfig().toFile()))
                .build();
        installCrds(joinUnwrapped(crds));
        LOG.info("Started kube-apiserver {} for {} in {} ms (state in {})", controlPlane.server(),
                context.getDisplayName(), (System.nanoTime() - startNanos) / 1_000_000, stateDir);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (client != null) {
            client.close();
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
        if (stateDir != null) {
            deleteRecursively(stateDir);
        }
        client = null;
        controlPlane = null;
        stateDir = null;
    }

    /** A client authenticated as cluster admin ({@code system:masters}). */
    public KubernetesClient client() {
        return started(client);
    }

    public AuditLog auditLog() {
        return new AuditLog(started(controlPlane).auditLog());
    }

    /** A kubeconfig for other clients (an operator under test, kubectl). */
    public Path kubeconfig() {
        return started(controlPlane).kubeconfig();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == KubernetesClient.class || type == KubeApiServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == KubeApiServer.class ? this : client();
    }

    private List<CustomResourceDefinition> loadCrds() {
        List<URL> sources = new ArrayList<>();
        if (flinkOperatorCrds) {
            FLINK_OPERATOR_CRD_RESOURCES.stream().map(KubeApiServer::classpathResource).forEach(sources::add);
        }
        crdFiles.stream().map(KubeApiServer::fileUrl).forEach(sources::add);

        KubernetesSerialization serialization = new KubernetesSerialization();
        List<CustomResourceDefinition> loaded = new ArrayList<>();
        for (URL url : sources) {
            Object parsed;
            try (InputStream yaml = url.openStream()) {
                parsed = serialization.unmarshal(yaml);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not read CRDs from " + url, e);
            }
            // A file with several YAML documents parses to a list.
            List<?> documents = parsed instanceof List<?> list ? list : Collections.singletonList(parsed);
            for (Object document : documents) {
                if (document instanceof CustomResourceDefinition crd) {
                    loaded.add(crd);
                } else if (document != null) {
                    throw new IllegalArgumentException(url + " holds a " + document.getClass().getSimpleName()
                            + ", not an apiextensions.k8s.io/v1 CustomResourceDefinition");
                }
            }
        }
        return loaded;
    }

    private void installCrds(List<CustomResourceDefinition> crds) {
        var crdApi = client.apiextensions().v1().customResourceDefinitions();
        for (CustomResourceDefinition crd : crds) {
            crdApi.resource(crd).create();
        }
        for (CustomResourceDefinition crd : crds) {
            crdApi.withName(crd.getMetadata().getName())
                    .waitUntilCondition(KubeApiServer::isEstablished, CRD_ESTABLISHED_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        for (CustomResourceDefinition crd : crds) {
            awaitDiscovery(crd);
        }
        LOG.info("Installed CRDs {}", crds.stream().map(crd -> crd.getMetadata().getName()).toList());
    }

    private static <T> T joinUnwrapped(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * Established is not yet served: the API server's discovery document for a new group follows a moment later, and
     * a client that looks a kind up there in that moment (fabric8's {@code genericKubernetesResources(apiVersion,
     * kind)}) fails with "Could not find the metadata". A loaded machine made that moment long enough to fail tests.
     */
    private void awaitDiscovery(CustomResourceDefinition crd) {
        String kind = crd.getSpec().getNames().getKind();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CRD_ESTABLISHED_TIMEOUT_SECONDS);
        for (var version : crd.getSpec().getVersions().stream().filter(v -> Boolean.TRUE.equals(v.getServed())).toList()) {
            String groupVersion = crd.getSpec().getGroup() + "/" + version.getName();
            while (!discovered(groupVersion, kind)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(kind + " (" + groupVersion + ") is Established but not in the API server's"
                            + " discovery after " + CRD_ESTABLISHED_TIMEOUT_SECONDS + " s");
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + kind + " in discovery", e);
                }
            }
        }
    }

    private boolean discovered(String groupVersion, String kind) {
        try {
            var resources = client.getApiResources(groupVersion);
            return resources != null && resources.getResources().stream().anyMatch(resource -> kind.equals(resource.getKind()));
        } catch (KubernetesClientException notYet) {
            return false;
        }
    }

    private static boolean isEstablished(CustomResourceDefinition crd) {
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(condition -> "Established".equals(condition.getType()) && "True".equals(condition.getStatus()));
    }

    private static URL classpathResource(String name) {
        URL url = KubeApiServer.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalStateException(name + " is not on the classpath; it comes with org.apache.flink:flink-kubernetes-operator-api");
        }
        return url;
    }

    private static URL fileUrl(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("No CRD file " + file.toAbsolutePath());
        }
        try {
            return file.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(file.toString(), e);
        }
    }

    private static <T> T started(T part) {
        if (part == null) {
            throw new IllegalStateException("The API server is not running: register KubeApiServer on a static field"
                    + " (@RegisterExtension static final ...) and use it from tests or @BeforeAll/@AfterAll methods");
        }
        return part;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
