package io.streampipe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.streampipe.testkit.kube.AuditLog;
import io.streampipe.testkit.kube.ControlPlane;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

/**
 * {@code bench operator}: N StreamingPipelines on a private kube-apiserver (kube-testkit's {@link ControlPlane}, free
 * ports, audit log at level Metadata, and Request for the pipelines' status patches, so that what each one changed can
 * be told), our operator's real main as a process of its own under the chart's RBAC, JVM
 * options, environment and memory limit (rendered with helm, as the sandbox does), and the Flink operator stand-in in
 * {@code --no-clusters} mode: FKO 1.16's status writes, no Flink. Measured: operator start to every pipeline
 * reconciled, the operator's API requests per pipeline (audit log, its impersonated ServiceAccount only) at creation,
 * over three resyncs in steady state and for a change to a tenth of the pipelines, and its RSS and CPU seconds (/proc).
 */
final class OperatorBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAMESPACE = "bench";
    private static final String RELEASE = "streampipe";
    private static final String RELEASE_NAMESPACE = "streampipe-system";
    private static final String OPERATOR_ACCOUNT = "system:serviceaccount:" + RELEASE_NAMESPACE + ":" + RELEASE + "-operator";
    private static final ResourceDefinitionContext PIPELINES = new ResourceDefinitionContext.Builder()
            .withGroup("streampipe.io").withVersion("v1alpha1").withPlural("streamingpipelines").withKind("StreamingPipeline")
            .withNamespaced(true).build();
    /** The one resource whose writes are audited with their body: a status patch says what it changed. */
    private static final AuditLog.Resource PIPELINE_STATUS = new AuditLog.Resource("streampipe.io", "streamingpipelines/status");
    private static final ResourceDefinitionContext FLINK_DEPLOYMENTS = new ResourceDefinitionContext.Builder()
            .withGroup("flink.apache.org").withVersion("v1beta1").withPlural("flinkdeployments").withKind("FlinkDeployment")
            .withNamespaced(true).build();

    private final int pipelines;
    private final double changeShare;
    private final Duration resync;
    private final Duration timeout;
    private final String operatorJavaOptions;
    private final Path repo;
    private final Path operatorClasspath;
    private final Path standinClasspath;
    private final boolean keep;
    private final boolean coldOnly;
    private final boolean standInAfterApplied;

    OperatorBenchmark(Args args) {
        pipelines = args.integer("pipelines", 1000);
        changeShare = Double.parseDouble(args.text("change-share", "0.1"));
        resync = args.duration("resync", "30s");
        timeout = args.duration("timeout", "10m");
        operatorJavaOptions = args.text("operator-java-opts", "");
        keep = args.flag("keep");
        coldOnly = args.flag("cold-only");
        standInAfterApplied = args.flag("standin-after-applied");
        args.requireAllUsed();
        repo = Path.of(System.getProperty("bench.repo", ".")).toAbsolutePath().normalize();
        operatorClasspath = Path.of(required("bench.operator.classpath"));
        standinClasspath = Path.of(required("bench.standin.classpath"));
    }

    void run() throws Exception {
        Machine.report();
        Report.line("pipelines", pipelines);
        Path work = Files.createTempDirectory("streampipe-bench-operator-");
        List<Process> processes = java.util.Collections.synchronizedList(new ArrayList<>());
        // A benchmark stopped with Ctrl-C or SIGTERM leaves no operator or stand-in behind (the control plane has its own hook).
        Thread stopChildren = new Thread(() -> {
            synchronized (processes) {
                processes.forEach(Process::destroyForcibly);
            }
        }, "bench-operator-stop");
        Runtime.getRuntime().addShutdownHook(stopChildren);
        HttpServer jobManagers = null;
        ControlPlane controlPlane = null;
        try {
            Report.progress("starting a private control plane in %s", work);
            controlPlane = ControlPlane.start(work.resolve("control-plane"), List.of(PIPELINE_STATUS));
            KubernetesClient client = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(Files.readString(controlPlane.kubeconfig()))).build();
            installCrds(client);
            Chart chart = installChartRbac(client, controlPlane.kubeconfig(), work);
            client.resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
            client.resource(new SecretBuilder().withNewMetadata().withName("db").withNamespace(NAMESPACE).endMetadata()
                    .withStringData(Map.of("username", "bench", "password", "bench-secret")).build()).create();
            jobManagers = jobManagerStub();

            Process standIn = standInAfterApplied ? null : startStandIn(controlPlane.kubeconfig(), work);
            if (standIn != null) {
                processes.add(standIn);
            }
            Report.progress("creating %d StreamingPipelines", pipelines);
            long createStart = System.nanoTime();
            createPipelines(client);
            Report.line("create_pipelines_s", seconds(System.nanoTime() - createStart));

            Readiness readiness = new Readiness();
            SharedIndexInformer<GenericKubernetesResource> informer = client.genericKubernetesResources(PIPELINES)
                    .inNamespace(NAMESPACE).inform(readiness, 0);
            Generations generations = new Generations();
            SharedIndexInformer<GenericKubernetesResource> deploymentInformer = client.genericKubernetesResources(FLINK_DEPLOYMENTS)
                    .inNamespace(NAMESPACE).inform(generations, 0);

            AuditReader audit = new AuditReader(controlPlane.auditLog());
            audit.skipToEnd();
            Report.progress("starting the operator (chart env, JVM options %s)", chart.javaOptions());
            long startNanos = System.nanoTime();
            Process operator = startOperator(chart, controlPlane.kubeconfig(), jobManagers.getAddress().getPort(), work);
            processes.add(operator);
            readiness.await(Stage.APPLIED, pipelines, p -> true, startNanos, timeout, operator);
            double coldApplied = seconds(System.nanoTime() - startNanos);
            Report.line("cold_start_all_applied_s", coldApplied);
            Report.line("cold_start_applied_p50_s", readiness.percentile(Stage.APPLIED, 0.5, startNanos));
            Usage afterApplied = Usage.of(operator.pid());
            Report.line("cpu_s_to_all_applied", afterApplied.cpuSeconds());
            reportCpuOfAll("cpu_s_to_all_applied_by_process", operator, standIn, controlPlane);
            Machine.reportLoad("load_avg_all_applied");
            checkChildren(client);
            if (standIn == null && !coldOnly) {
                Report.progress("starting the Flink operator stand-in now that every pipeline is applied");
                standIn = startStandIn(controlPlane.kubeconfig(), work);
                processes.add(standIn);
            }
            if (coldOnly) {
                Usage usage = Usage.of(operator.pid());
                List<AuditEvent> creation = audit.readOperatorEvents();
                reportRequests("applied", creation, pipelines);
                Report.line("summary", String.format(java.util.Locale.ROOT,
                        "operator pipelines=%d cold_start_applied=%.1f s (target <= 30 s: %s) cpu_s_cold=%.1f rss=%.0f MB"
                                + " rss_peak=%.0f MB (target <= 300 MB: %s) java_options=%s load_avg=%s", pipelines, coldApplied,
                        coldApplied <= 30 ? "met" : "missed", usage.cpuSeconds(), usage.rssMb(), usage.peakRssMb(),
                        usage.peakRssMb() <= 300 ? "met" : "missed", chart.javaOptions().isEmpty() ? "(none)" : chart.javaOptions(),
                        Machine.loadAverage()));
                return;
            }
            readiness.await(Stage.READY, pipelines, p -> true, startNanos, timeout, operator);
            Report.line("cold_start_all_ready_s", seconds(System.nanoTime() - startNanos));
            Report.line("cold_start_ready_p50_s", readiness.percentile(Stage.READY, 0.5, startNanos));
            Report.line("cold_start_running_before_jobmanager_report", readiness.runningBeforeReport());
            Machine.reportLoad("load_avg_all_ready");
            Thread.sleep(5_000); // what a reconcile in flight writes at the end still belongs to the creation
            Usage afterStart = Usage.of(operator.pid());
            Report.line("rss_after_start_mb", afterStart.rssMb());
            Report.line("cpu_s_after_start", afterStart.cpuSeconds());
            reportCpuOfAll("cpu_s_to_all_ready_by_process", operator, standIn, controlPlane);
            List<AuditEvent> creation = audit.readOperatorEvents();
            reportRequests("creation", creation, pipelines);
            reportStatusChanges("creation", creation);

            Duration steady = resync.multipliedBy(3).plusSeconds(5);
            Report.progress("steady state: %s (three resyncs of %s)", steady, resync);
            Thread.sleep(steady.toMillis());
            Usage afterSteady = Usage.of(operator.pid());
            List<AuditEvent> steadyEvents = audit.readOperatorEvents();
            reportRequests("steady", steadyEvents, pipelines);
            reportStatusChanges("steady", steadyEvents);
            steadyEvents.stream().filter(AuditEvent::isPipelineWrite).limit(20).forEach(write -> Report.line("steady_write",
                    write.time() + " " + write.kind() + " " + write.name() + ": "
                            + (write.changes() == null ? "(no body)" : write.changes().isEmpty() ? "nothing changed" : String.join("; ", write.changes()))));
            long steadyWrites = steadyEvents.stream().filter(AuditEvent::isPipelineWrite).count();
            long steadyLeaseWrites = steadyEvents.stream().filter(AuditEvent::isWrite).count() - steadyWrites;
            Report.line("steady_cpu_s", afterSteady.cpuSeconds() - afterStart.cpuSeconds());
            Report.line("rss_steady_mb", afterSteady.rssMb());
            Machine.reportLoad("load_avg_steady");

            int changed = (int) Math.round(pipelines * changeShare);
            Report.progress("changing %d pipelines (spec.sink.postgres.batch.size)", changed);
            Map<String, String> hashesBefore = readiness.specHashes();
            Map<String, Long> generationsBefore = generations.generations();
            long changeNanos = System.nanoTime();
            List<String> changedNames = changePipelines(client, changed);
            Predicate<String> isChanged = changedNames::contains;
            Predicate<String> newHash = name -> isChanged.test(name)
                    && !Objects.equals(hashesBefore.get(name), readiness.specHashes().get(name));
            readiness.await(Stage.APPLIED, changed, newHash, changeNanos, timeout, operator);
            long deploymentsChanged = generations.awaitNewer(changedNames, generationsBefore, timeout);
            double changeSeconds = seconds(Math.max(System.nanoTime(), deploymentsChanged) - changeNanos);
            Report.line("change_pipelines", changed);
            Report.line("change_all_applied_s", changeSeconds);
            readiness.await(Stage.READY, changed, newHash, changeNanos, timeout, operator);
            Report.line("change_all_ready_s", seconds(System.nanoTime() - changeNanos));
            Thread.sleep(5_000);
            List<AuditEvent> changeEvents = audit.readOperatorEvents();
            reportRequests("change", changeEvents, changed);
            reportStatusChanges("change", changeEvents);
            Usage end = Usage.of(operator.pid());
            Report.line("rss_end_mb", end.rssMb());
            Report.line("rss_peak_mb", end.peakRssMb());
            Report.line("cpu_s_total", end.cpuSeconds());
            Machine.reportLoad("load_avg_end");
            informer.close();
            deploymentInformer.close();
            client.close();

            double cold = coldApplied;
            Report.line("summary", String.format(java.util.Locale.ROOT,
                    "operator pipelines=%d cold_start_applied=%.1f s (target <= 30 s: %s) steady_writes=%d (+%d Lease renewals) over 3 resyncs of %s (target 0: %s)"
                            + " rss_peak=%.0f MB (target <= 300 MB: %s) cpu_s_cold=%.1f change=%d pipelines applied in %.1f s with %d writes"
                            + " load_avg=%s",
                    pipelines, cold, cold <= 30 ? "met" : "missed", steadyWrites, steadyLeaseWrites, resync, steadyWrites == 0 ? "met" : "missed",
                    end.peakRssMb(), end.peakRssMb() <= 300 ? "met" : "missed", afterStart.cpuSeconds(), changed, changeSeconds,
                    changeEvents.stream().filter(AuditEvent::isPipelineWrite).count(), Machine.loadAverage()));
        } finally {
            for (int i = processes.size() - 1; i >= 0; i--) {
                stop(processes.get(i));
            }
            if (jobManagers != null) {
                jobManagers.stop(0);
            }
            if (controlPlane != null) {
                controlPlane.close();
            }
            if (!keep) {
                deleteRecursively(work);
            } else {
                Report.progress("kept %s (logs of the operator and the stand-in, the audit log)", work);
            }
        }
    }

    // --- set-up ---------------------------------------------------------------------------------------------------

    private void installCrds(KubernetesClient client) throws IOException {
        List<CustomResourceDefinition> crds = new ArrayList<>();
        try (InputStream in = Files.newInputStream(repo.resolve("crds/streamingpipelines.streampipe.io-v1.yml"))) {
            crds.add(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class));
        }
        // The FKO CRDs as flink-kubernetes-operator-api ships them, from the jar on the stand-in's classpath.
        String jar = classpathEntries(standinClasspath).stream().filter(e -> e.contains("flink-kubernetes-operator-api"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no flink-kubernetes-operator-api on " + standinClasspath));
        try (JarFile file = new JarFile(jar)) {
            for (String name : List.of("flinkdeployments", "flinksessionjobs", "flinkstatesnapshots")) {
                try (InputStream in = file.getInputStream(file.getEntry("META-INF/fabric8/" + name + ".flink.apache.org-v1.yml"))) {
                    crds.add(client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class));
                }
            }
        }
        var api = client.apiextensions().v1().customResourceDefinitions();
        for (CustomResourceDefinition crd : crds) {
            api.resource(crd).create();
        }
        for (CustomResourceDefinition crd : crds) {
            api.withName(crd.getMetadata().getName()).waitUntilCondition(c -> c != null && c.getStatus() != null
                    && c.getStatus().getConditions() != null && c.getStatus().getConditions().stream().anyMatch(x -> "Established".equals(x.getType())
                    && "True".equals(x.getStatus())), 60, TimeUnit.SECONDS);
        }
    }

    /** What the operator gets from the chart: its environment, its JVM options, its memory limit. */
    record Chart(Map<String, String> env, String javaOptions, long memoryLimitBytes) {
    }

    /** The chart's ServiceAccount and RBAC installed for real, as e2e/bin/sandbox does; the Deployment read for its env. */
    private Chart installChartRbac(KubernetesClient client, Path kubeconfig, Path work) throws Exception {
        Map<String, String> binaries = keyValues(run(work, List.of(repo.resolve("e2e/bin/install-binaries").toString())));
        String helm = binaries.get("HELM_BIN_DIR") + "/helm";
        String version = client.getKubernetesVersion().getGitVersion();
        List<String> render = List.of(helm, "template", RELEASE, repo.resolve("charts/streampipe").toString(),
                "--namespace", RELEASE_NAMESPACE, "--kube-version", version);
        client.resource(new NamespaceBuilder().withNewMetadata().withName(RELEASE_NAMESPACE).endMetadata().build()).create();
        List<String> rbac = new ArrayList<>(render);
        rbac.addAll(List.of("--show-only", "templates/serviceaccount.yaml", "--show-only", "templates/rbac.yaml"));
        for (HasMetadata item : client.load(new ByteArrayInputStream(run(work, rbac).getBytes(StandardCharsets.UTF_8))).items()) {
            client.resource(item).create();
        }
        List<String> deployment = new ArrayList<>(render);
        deployment.addAll(List.of("--show-only", "templates/deployment.yaml"));
        JsonNode rendered = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(run(work, deployment));
        JsonNode container = rendered.path("spec").path("template").path("spec").path("containers").get(0);
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode variable : container.path("env")) {
            if (variable.has("value")) {
                env.put(variable.path("name").asText(), variable.path("value").asText());
            }
        }
        String javaOptions = env.getOrDefault("JAVA_TOOL_OPTIONS", "");
        long limit = memoryBytes(container.path("resources").path("limits").path("memory").asText("0"));
        Report.line("chart_java_options", javaOptions.isEmpty() ? "(none)" : javaOptions);
        Report.line("chart_memory_limit_mb", limit / (1024 * 1024));
        return new Chart(env, javaOptions, limit);
    }

    private static long memoryBytes(String quantity) {
        if (quantity.endsWith("Mi")) {
            return Long.parseLong(quantity.substring(0, quantity.length() - 2)) * 1024 * 1024;
        } else if (quantity.endsWith("Gi")) {
            return Long.parseLong(quantity.substring(0, quantity.length() - 2)) * 1024 * 1024 * 1024;
        }
        return Long.parseLong(quantity);
    }

    /**
     * The JobManagers' REST API as the operator asks it for a running job (checkpoints, restarts, exceptions): the
     * same answer every time, a job with two completed checkpoints (an upgrade's default {@code stableCheckpoints}, so
     * an upgraded job counts as stable at the operator's first look), so a look at an unchanged job changes nothing.
     * A real job's checkpoints advance, and each look that sees a new one writes the status: not measured here.
     */
    private static HttpServer jobManagerStub() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        byte[] checkpoints = ("{\"counts\":{\"completed\":2},\"latest\":{\"completed\":{\"id\":1,\"latest_ack_timestamp\":1767225600000,"
                + "\"end_to_end_duration\":120,\"checkpointed_size\":4096,\"external_path\":\"s3://bench/chk-1\"}}}").getBytes(StandardCharsets.UTF_8);
        byte[] metrics = "[{\"id\":\"numRestarts\",\"value\":\"0\"}]".getBytes(StandardCharsets.UTF_8);
        byte[] exceptions = "{\"exceptionHistory\":{\"entries\":[]}}".getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body = path.endsWith("/checkpoints") ? checkpoints : path.endsWith("/metrics") ? metrics
                    : path.endsWith("/exceptions") ? exceptions : null;
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "jobmanager-stub");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
        return server;
    }

    private Process startStandIn(Path kubeconfig, Path work) throws IOException {
        List<String> command = List.of(javaBin(), "-Xmx1g", "-cp", classpath(standinClasspath, "e2e/flink-standin"),
                "io.streampipe.standin.FlinkOperatorStandIn", "--kubeconfig", kubeconfig.toString(),
                "--work-dir", work.resolve("standin").toString(), "--no-clusters", "--interval", "1s");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("standin.log").toFile()).start();
    }

    private Process startOperator(Chart chart, Path kubeconfig, int jobManagerPort, Path work) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBin()));
        // The pod's memory limit, which the JVM would see as its cgroup's: percentages in the chart's options apply to it.
        if (chart.memoryLimitBytes() > 0) {
            command.add("-XX:MaxRAM=" + chart.memoryLimitBytes());
        }
        command.addAll(List.of("-Dkubernetes.impersonate.username=" + OPERATOR_ACCOUNT,
                "-Dkubernetes.impersonate.group=system:serviceaccounts,system:serviceaccounts:" + RELEASE_NAMESPACE + ",system:authenticated"));
        if (!operatorJavaOptions.isBlank()) {
            command.addAll(List.of(operatorJavaOptions.trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", classpath(operatorClasspath, "operator"), "io.streampipe.operator.StreampipeOperator"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("operator.log").toFile());
        Map<String, String> env = builder.environment();
        env.putAll(chart.env());
        env.put("POD_NAMESPACE", RELEASE_NAMESPACE);
        env.put("POD_NAME", RELEASE + "-operator-bench");
        env.put("STREAMPIPE_HTTP_PORT", "0");
        env.put("KUBECONFIG", kubeconfig.toString());
        env.put("STREAMPIPE_RESYNC_INTERVAL", resync.toSeconds() + "s");
        env.put("STREAMPIPE_FLINK_REST_URL", "http://127.0.0.1:" + jobManagerPort + "/{namespace}/{name}");
        return builder.start();
    }

    private String classpath(Path classpathFile, String module) throws IOException {
        return repo.resolve(module).resolve("target/classes") + ":" + Files.readString(classpathFile).trim();
    }

    private static List<String> classpathEntries(Path classpathFile) throws IOException {
        return List.of(Files.readString(classpathFile).trim().split(":"));
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    // --- the pipelines --------------------------------------------------------------------------------------------

    static String pipelineName(int i) {
        return String.format("p-%04d", i);
    }

    /** A small pipeline as a platform team would run many of: no window, one Secret for the database, S3 storage. */
    static String manifest(int i, int batchSize) {
        String name = pipelineName(i);
        return """
                apiVersion: streampipe.io/v1alpha1
                kind: StreamingPipeline
                metadata: {name: %s, namespace: %s}
                spec:
                  parallelism: 1
                  source:
                    kafka: {bootstrapServers: "kafka:9092", topic: orders-%d, groupId: %s}
                    schema:
                      - {name: order_id, type: string, required: true}
                      - {name: amount, type: double}
                  transform: {keyBy: [order_id]}
                  sink:
                    postgres:
                      jdbcUrl: "jdbc:postgresql://postgres:5432/shop"
                      table: orders_%d
                      credentialsSecretRef: {name: db}
                      batch: {size: %d}
                  deadLetter: {table: rejects_%d}
                  checkpointing:
                    interval: 30s
                    storage: {s3: {bucket: bench}}
                """.formatted(name, NAMESPACE, i % 50, name, i, batchSize, i);
    }

    private void createPipelines(KubernetesClient client) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> created = new ArrayList<>();
            for (int i = 0; i < pipelines; i++) {
                int index = i;
                created.add(pool.submit(() -> client.genericKubernetesResources(PIPELINES).inNamespace(NAMESPACE)
                        .resource(client.getKubernetesSerialization().unmarshal(manifest(index, 500), GenericKubernetesResource.class))
                        .create()));
            }
            for (Future<?> future : created) {
                future.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Every (1/share)-th pipeline gets a new sink batch size: a spec change the job picks up through a savepoint upgrade. */
    private List<String> changePipelines(KubernetesClient client, int count) {
        List<String> names = new ArrayList<>();
        int step = Math.max(1, pipelines / Math.max(1, count));
        for (int i = 0; i < pipelines && names.size() < count; i += step) {
            String name = pipelineName(i);
            client.genericKubernetesResources(PIPELINES).inNamespace(NAMESPACE).withName(name)
                    .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                            "{\"spec\":{\"sink\":{\"postgres\":{\"batch\":{\"size\":1000}}}}}");
            names.add(name);
        }
        return names;
    }

    /** Every pipeline has its FlinkDeployment and its job ConfigMap. */
    private void checkChildren(KubernetesClient client) {
        int deployments = client.genericKubernetesResources(FLINK_DEPLOYMENTS).inNamespace(NAMESPACE).list().getItems().size();
        // The operator's job ConfigMaps, by the label it puts on them (their names end in a content hash).
        long configMaps = client.configMaps().inNamespace(NAMESPACE)
                .withLabel("app.kubernetes.io/component", "job-config").list().getItems().size();
        Report.line("flinkdeployments", deployments);
        Report.line("job_configmaps", configMaps);
        if (deployments != pipelines || configMaps != pipelines) {
            throw new IllegalStateException("expected " + pipelines + " FlinkDeployments and job ConfigMaps, found "
                    + deployments + " and " + configMaps);
        }
    }

    /**
     * What is awaited of a pipeline. APPLIED: the operator has reconciled its current generation: a status for it that
     * names a spec hash and an existing FlinkDeployment (the operator writes one before applying, with no FlinkDeployment
     * the first time, and one after; for a change, {@link Generations} tells when the FlinkDeployment changed). READY:
     * besides, Ready=True with its job RUNNING and no upgrade in progress, which takes the stand-in's loops too, and the
     * JobManager's report in the status ({@code job.restarts} and {@code lastCheckpoint.id}, which only the stub's
     * answer gives): a Running status written when the JobManager did not answer within the operator's timeout lacks
     * them, and the next poll adds them (one status patch that belongs to the creation, not to the steady state).
     */
    enum Stage { APPLIED, READY }

    /** When each FlinkDeployment was first seen at its current generation. */
    static final class Generations implements ResourceEventHandler<GenericKubernetesResource> {
        private final Map<String, long[]> seen = new ConcurrentHashMap<>();

        @Override
        public void onAdd(GenericKubernetesResource deployment) {
            observe(deployment);
        }

        @Override
        public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
            observe(after);
        }

        @Override
        public void onDelete(GenericKubernetesResource deployment, boolean unknown) {
            seen.remove(deployment.getMetadata().getName());
        }

        private void observe(GenericKubernetesResource deployment) {
            long generation = deployment.getMetadata().getGeneration();
            seen.compute(deployment.getMetadata().getName(), (name, known) -> known != null && known[0] == generation
                    ? known : new long[]{generation, System.nanoTime()});
        }

        Map<String, Long> generations() {
            return seen.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue()[0]));
        }

        /** Waits until each named FlinkDeployment has a generation above the one given; the nanoTime of the last. */
        long awaitNewer(List<String> names, Map<String, Long> before, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                long done = names.stream().filter(n -> seen.get(n) != null && seen.get(n)[0] > before.getOrDefault(n, 0L)).count();
                if (done == names.size()) {
                    return names.stream().mapToLong(n -> seen.get(n)[1]).max().orElse(System.nanoTime());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(done + " of " + names.size() + " FlinkDeployments changed within " + timeout);
                }
                Thread.sleep(50);
            }
        }
    }

    /** When each pipeline was first seen at each stage for its current state. */
    static final class Readiness implements ResourceEventHandler<GenericKubernetesResource> {
        private final Map<Stage, Map<String, Long>> seen = Map.of(Stage.APPLIED, new ConcurrentHashMap<>(),
                Stage.READY, new ConcurrentHashMap<>());
        private final Map<String, String> specHashes = new ConcurrentHashMap<>();
        private final java.util.Set<String> runningBeforeReport = ConcurrentHashMap.newKeySet();

        @Override
        public void onAdd(GenericKubernetesResource pipeline) {
            observe(pipeline);
        }

        @Override
        public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
            observe(after);
        }

        @Override
        public void onDelete(GenericKubernetesResource pipeline, boolean unknown) {
            seen.values().forEach(times -> times.remove(pipeline.getMetadata().getName()));
        }

        private void observe(GenericKubernetesResource pipeline) {
            String name = pipeline.getMetadata().getName();
            JsonNode status = JSON.valueToTree(pipeline.getAdditionalProperties().get("status"));
            Long generation = pipeline.getMetadata().getGeneration();
            for (Stage stage : Stage.values()) {
                if (reached(stage, generation, status)) {
                    seen.get(stage).putIfAbsent(name, System.nanoTime());
                } else {
                    seen.get(stage).remove(name);
                }
            }
            if (reached(Stage.APPLIED, generation, status)) {
                specHashes.put(name, status.path("lastAppliedSpecHash").asText());
                if (!hasJobManagerReport(status) && "Running".equals(status.path("phase").asText())) {
                    runningBeforeReport.add(name);
                }
            }
        }

        static boolean reached(Stage stage, Long generation, JsonNode status) {
            if (status == null || status.isMissingNode() || status.isNull() || generation == null
                    || status.path("observedGeneration").asLong(-1) != generation
                    || status.path("lastAppliedSpecHash").asText("").isEmpty()
                    || status.path("flinkDeployment").asText("").isEmpty()) {
                return false;
            }
            if (stage == Stage.APPLIED) {
                return true;
            }
            boolean ready = false;
            for (JsonNode condition : status.path("conditions")) {
                if ("Ready".equals(condition.path("type").asText()) && "True".equals(condition.path("status").asText())) {
                    ready = true;
                }
            }
            return ready && "RUNNING".equals(status.path("job").path("state").asText())
                    && (status.path("upgrade").isMissingNode() || status.path("upgrade").isNull())
                    && hasJobManagerReport(status);
        }

        static boolean hasJobManagerReport(JsonNode status) {
            return status.path("job").path("restarts").isNumber() && status.path("lastCheckpoint").path("id").isNumber();
        }

        /** The pipelines seen in phase Running before their status had the JobManager's report. */
        int runningBeforeReport() {
            return runningBeforeReport.size();
        }

        Map<String, String> specHashes() {
            return Map.copyOf(specHashes);
        }

        /** Waits until {@code count} pipelines that pass {@code which} reached the stage since {@code sinceNanos}. */
        void await(Stage stage, int count, Predicate<String> which, long sinceNanos, Duration timeout, Process operator)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            long lastReport = System.nanoTime();
            while (true) {
                long reached = seen.get(stage).entrySet().stream().filter(e -> which.test(e.getKey()) && e.getValue() >= sinceNanos).count();
                if (reached >= count) {
                    return;
                }
                if (!operator.isAlive()) {
                    throw new IllegalStateException("the operator exited with " + operator.exitValue());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(reached + " of " + count + " pipelines " + stage + " within " + timeout);
                }
                if (System.nanoTime() - lastReport > 5_000_000_000L) {
                    Report.progress("%d of %d %s after %.1f s", reached, count, stage, seconds(System.nanoTime() - sinceNanos));
                    lastReport = System.nanoTime();
                }
                Thread.sleep(50);
            }
        }

        double percentile(Stage stage, double p, long sinceNanos) {
            List<Long> sorted = seen.get(stage).values().stream().filter(t -> t >= sinceNanos).sorted().toList();
            return sorted.isEmpty() ? Double.NaN : seconds(sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size()))) - sinceNanos);
        }
    }

    // --- the audit log --------------------------------------------------------------------------------------------

    /**
     * One request of the operator; for a status patch, {@code changes} says what it changed against the pipeline's
     * status patch before it ({@link StatusChanges}), else it is null.
     */
    record AuditEvent(String verb, String resource, String subresource, String stage, String name, String time, List<String> changes) {
        boolean isWrite() {
            return List.of("create", "update", "patch", "delete", "deletecollection").contains(verb);
        }

        /** A write for the pipelines, not the leader election's Lease renewals (one every 2 s whatever the pipelines do). */
        boolean isPipelineWrite() {
            return isWrite() && !"leases".equals(resource);
        }

        String kind() {
            return verb + " " + resource + (subresource == null ? "" : "/" + subresource);
        }
    }

    /** Reads the audit log from where it was last read: the operator's requests (its impersonated ServiceAccount). */
    static final class AuditReader {
        private final Path path;
        private final Map<String, JsonNode> lastStatus = new java.util.HashMap<>();
        private long offset;

        AuditReader(Path path) {
            this.path = path;
        }

        void skipToEnd() throws IOException {
            offset = Files.size(path);
        }

        List<AuditEvent> readOperatorEvents() throws IOException {
            List<AuditEvent> events = new ArrayList<>();
            byte[] bytes;
            try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r")) {
                long length = file.length();
                bytes = new byte[(int) (length - offset)];
                file.seek(offset);
                file.readFully(bytes);
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            int complete = text.lastIndexOf('\n') + 1;
            offset += text.substring(0, complete).getBytes(StandardCharsets.UTF_8).length;
            for (String line : text.substring(0, complete).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode event = JSON.readTree(line);
                if (!OPERATOR_ACCOUNT.equals(event.path("impersonatedUser").path("username").asText())) {
                    continue;
                }
                String stage = event.path("stage").asText();
                // A watch is logged when it starts and when it ends: count it once, when it starts.
                if ("watch".equals(event.path("verb").asText()) ? !"ResponseStarted".equals(stage) : !"ResponseComplete".equals(stage)) {
                    continue;
                }
                JsonNode object = event.path("objectRef");
                String name = object.path("name").asText(null);
                List<String> changes = null;
                JsonNode body = event.path("requestObject");
                if (body.isObject() && "status".equals(object.path("subresource").asText()) && event.path("responseStatus").path("code").asInt() < 300) {
                    changes = StatusChanges.between(lastStatus.get(name), body.path("status"));
                    lastStatus.put(name, body.path("status"));
                }
                events.add(new AuditEvent(event.path("verb").asText(), object.path("resource").asText(null),
                        object.path("subresource").asText(null), stage, name, event.path("requestReceivedTimestamp").asText(), changes));
            }
            return events;
        }
    }

    private static void reportRequests(String phase, List<AuditEvent> events, int perPipelines) {
        long writes = events.stream().filter(AuditEvent::isWrite).count();
        Report.line(phase + "_requests", events.size());
        Report.line(phase + "_writes", writes);
        Report.line(phase + "_writes_without_lease", events.stream().filter(AuditEvent::isPipelineWrite).count());
        Report.line(phase + "_requests_per_pipeline", (double) events.size() / perPipelines);
        Report.line(phase + "_writes_per_pipeline", (double) writes / perPipelines);
        Map<String, Long> byKind = events.stream().collect(Collectors.groupingBy(AuditEvent::kind, TreeMap::new, Collectors.counting()));
        Report.line(phase + "_requests_by_kind", byKind.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", ")));
    }

    /**
     * The status patches of a phase, counted by the status fields each changed (a condition by its type), e.g.
     * {@code [job.restarts, lastCheckpoint.id]=11}: which of the operator's status writes were for what.
     */
    private static void reportStatusChanges(String phase, List<AuditEvent> events) {
        Map<String, Long> byFields = events.stream().filter(event -> event.changes() != null)
                .map(event -> event.changes().stream().map(StatusChanges::field)
                        .collect(Collectors.toCollection(java.util.TreeSet::new)).toString())
                .collect(Collectors.groupingBy(fields -> fields, TreeMap::new, Collectors.counting()));
        Report.line(phase + "_status_patches_by_fields_changed", byFields.isEmpty() ? "(none)" : byFields.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")));
    }

    /**
     * CPU seconds of every process of the run since it started: the operator, the API server and etcd, the stand-in and
     * this JVM (pipelines created, informers, the JobManager stub), which share the machine's cores.
     */
    private static void reportCpuOfAll(String key, Process operator, Process standIn, ControlPlane controlPlane) throws IOException {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("operator", operator.pid());
        pids.put("kube-apiserver", Long.parseLong(Files.readString(controlPlane.stateDir().resolve("kube-apiserver.pid")).trim()));
        pids.put("etcd", Long.parseLong(Files.readString(controlPlane.stateDir().resolve("etcd.pid")).trim()));
        if (standIn != null) {
            pids.put("standin", standIn.pid());
        }
        pids.put("bench", ProcessHandle.current().pid());
        List<String> cpu = new ArrayList<>();
        for (Map.Entry<String, Long> process : pids.entrySet()) {
            cpu.add(process.getKey() + "=" + Report.number(Usage.of(process.getValue()).cpuSeconds()));
        }
        Report.line(key, String.join(" ", cpu));
    }

    // --- the operator process -------------------------------------------------------------------------------------

    /** RSS now and at its peak (VmHWM), and CPU seconds (user + system), from /proc. */
    record Usage(double rssMb, double peakRssMb, double cpuSeconds) {
        static Usage of(long pid) throws IOException {
            Map<String, String> status = new java.util.HashMap<>();
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    status.put(line.substring(0, colon), line.substring(colon + 1).trim());
                }
            }
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            double cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
            return new Usage(kb(status.get("VmRSS")) / 1024.0, kb(status.get("VmHWM")) / 1024.0, cpu);
        }

        private static long kb(String value) {
            return Long.parseLong(value.replace("kB", "").trim());
        }
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static String run(Path work, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(work, "cmd-", ".out");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
        return Files.readString(out);
    }

    private static Map<String, String> keyValues(String output) {
        Map<String, String> values = new LinkedHashMap<>();
        output.lines().filter(l -> l.indexOf('=') > 0).forEach(l -> values.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        return values;
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("-D" + property + " is not set; run through e2e/bin/bench operator");
        }
        return value;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
