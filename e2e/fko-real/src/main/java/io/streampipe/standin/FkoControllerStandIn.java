package io.streampipe.standin;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.streampipe.standin.fko.real.objectstore.ObjectStorePlugin;
import org.apache.flink.autoscaler.JobAutoScaler;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.artifact.ArtifactManager;
import org.apache.flink.kubernetes.operator.autoscaler.KubernetesJobAutoScalerContext;
import org.apache.flink.kubernetes.operator.config.FlinkConfigManager;
import org.apache.flink.kubernetes.operator.controller.FlinkDeploymentController;
import org.apache.flink.kubernetes.operator.controller.FlinkResourceContext;
import org.apache.flink.kubernetes.operator.health.CanaryResourceManager;
import org.apache.flink.kubernetes.operator.metrics.MetricManager;
import org.apache.flink.kubernetes.operator.metrics.OperatorMetricUtils;
import org.apache.flink.kubernetes.operator.observer.deployment.FlinkDeploymentObserverFactory;
import org.apache.flink.kubernetes.operator.reconciler.Reconciler;
import org.apache.flink.kubernetes.operator.reconciler.deployment.ApplicationReconciler;
import org.apache.flink.kubernetes.operator.reconciler.deployment.ReconcilerFactory;
import org.apache.flink.kubernetes.operator.service.FlinkResourceContextFactory;
import org.apache.flink.kubernetes.operator.service.FlinkService;
import org.apache.flink.kubernetes.operator.utils.EventRecorder;
import org.apache.flink.kubernetes.operator.utils.StatusRecorder;
import org.apache.flink.kubernetes.operator.validation.DefaultValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The sandbox's second Flink Kubernetes Operator stand-in: <b>FKO 1.16.1's own controller, wired by hand; FlinkService
 * replaced.</b> Its {@code FlinkDeploymentController}, observers, reconcilers, status recorder, event recorder and
 * {@code DefaultValidator} run from the served {@code flink-kubernetes-operator:1.16.1} jar, wired as FKO's
 * {@code FlinkOperator.registerDeploymentController} wires them, under the nearest served java-operator-sdk (5.3.2,
 * FKO wants 5.5.0) and flink-autoscaler (1.10.0, FKO wants 1.16.1). What differs from FKO:
 * <ul>
 *   <li>its FlinkService is {@link LocalFlinkService}: local Flink clusters instead of pods;</li>
 *   <li>no autoscaler (a no-op {@code JobAutoScaler}; {@code ApplicationReconciler.cleanup} skips
 *       {@code autoscaler.cleanup(ctx)}, which flink-autoscaler 1.10.0 lacks), and {@code DefaultValidator}'s
 *       autoscaler check is a placeholder class ({@code org.apache.flink.autoscaler.validation.AutoscalerValidator});</li>
 *   <li>no FlinkSessionJob controller, leader election, health probe, metrics reporters or webhook;</li>
 *   <li>quicker loops: the operator options below (FKO's defaults are 60 s, 10 s, 10 s).</li>
 * </ul>
 *
 * <pre>
 * java -cp … io.streampipe.standin.FkoControllerStandIn --kubeconfig FILE --work-dir DIR --job-jar JAR [--hosts-file FILE]
 * </pre>
 */
public final class FkoControllerStandIn implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FkoControllerStandIn.class);
    /** Operator options of this stand-in (KubernetesOperatorConfigOptions); all else is FKO's default. */
    static final Map<String, String> OPERATOR_OPTIONS = Map.of(
            "kubernetes.operator.reconcile.interval", "2 s",
            "kubernetes.operator.observer.progress-check.interval", "1 s",
            "kubernetes.operator.observer.rest-ready.delay", "1 s");

    private final Operator operator;
    private final JobManagerDeployments jobManagers;
    private final LocalFlinkClusters clusters;
    private final KubernetesClient client;
    private final ExecutorService executor;

    private FkoControllerStandIn(Operator operator, JobManagerDeployments jobManagers, LocalFlinkClusters clusters,
                                 KubernetesClient client, ExecutorService executor) {
        this.operator = operator;
        this.jobManagers = jobManagers;
        this.clusters = clusters;
        this.client = client;
        this.executor = executor;
    }

    public static FkoControllerStandIn start(Path kubeconfig, Path workDirectory, Path jobJar, Optional<Path> hostsFile) throws Exception {
        if (!Files.isRegularFile(jobJar)) {
            throw new IllegalArgumentException("--job-jar " + jobJar + " is no file; build it with mvn -pl pipeline-job package");
        }
        Files.createDirectories(workDirectory);
        KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
        Path plugins = ObjectStorePlugin.write(workDirectory.resolve("flink-plugins"));
        LocalFlinkClusters clusters = new LocalFlinkClusters(workDirectory, hostsFile);
        JobManagerDeployments jobManagers = new JobManagerDeployments(client, clusters);

        // FlinkOperator: the configuration manager and the recorders
        Configuration operatorConfiguration = Configuration.fromMap(OPERATOR_OPTIONS);
        FlinkConfigManager configManager = new FlinkConfigManager(operatorConfiguration);
        var metricGroup = OperatorMetricUtils.initOperatorMetrics(configManager.getDefaultConfig());
        EventRecorder eventRecorder = EventRecorder.create(client, List.of());
        var metricManager = MetricManager.createFlinkDeploymentMetricManager(configManager.getDefaultConfig(), metricGroup);
        StatusRecorder<FlinkDeployment, org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus> statusRecorder =
                StatusRecorder.create(client, metricManager, List.of());

        ExecutorService executor = Executors.newCachedThreadPool();
        FlinkService flinkService = new LocalFlinkService(client, new ArtifactManager(configManager), executor,
                configManager.getOperatorConfiguration(), eventRecorder, clusters,
                new ApplicationClusters(client, workDirectory, jobJar), jobManagers,
                workDirectory.resolve("object-store"), plugins);
        var contextFactory = new FlinkResourceContextFactory(configManager, metricGroup, eventRecorder) {
            @Override
            protected FlinkService getFlinkService(FlinkResourceContext<?> ctx) {
                return flinkService;
            }
        };

        JobAutoScaler<ResourceID, KubernetesJobAutoScalerContext> noAutoscaler = new JobAutoScaler<>() {
            @Override
            public void scale(KubernetesJobAutoScalerContext context) {
            }

            @Override
            public void cleanup(ResourceID key) {
            }
        };
        ApplicationReconciler applicationReconciler = new ApplicationReconciler(eventRecorder, statusRecorder, noAutoscaler) {
            /** ApplicationReconciler.cleanup calls autoscaler.cleanup(ctx), which flink-autoscaler 1.10.0 lacks. */
            @Override
            public DeleteControl cleanup(FlinkResourceContext<FlinkDeployment> ctx) {
                return cleanupInternal(ctx);
            }
        };
        var reconcilerFactory = new ReconcilerFactory(eventRecorder, statusRecorder, noAutoscaler) {
            @Override
            public Reconciler<FlinkDeployment> getOrCreate(FlinkDeployment deployment) {
                return deployment.getSpec().getJob() != null ? applicationReconciler : super.getOrCreate(deployment);
            }
        };
        var controller = new FlinkDeploymentController(Set.of(new DefaultValidator(configManager)), contextFactory,
                reconcilerFactory, new FlinkDeploymentObserverFactory(eventRecorder), statusRecorder, eventRecorder,
                new CanaryResourceManager<>(configManager), configManager);

        // FlinkOperator.overrideOperatorConfigs / overrideControllerConfigs
        var operatorConf = configManager.getOperatorConfiguration();
        Operator operator = new Operator(overrider -> overrider.withKubernetesClient(client)
                .withUseSSAToPatchPrimaryResource(false)
                .withCloseClientOnStop(false));
        operator.register(controller, overrider -> {
            overrider.settingNamespaces(operatorConf.getWatchedNamespaces());
            overrider.withRateLimiter(operatorConf.getRateLimiter());
            overrider.withLabelSelector(operatorConf.getLabelSelector());
        });
        operator.start();
        LOG.info("Flink Kubernetes Operator stand-in started: FKO 1.16.1's own controller, wired by hand; FlinkService replaced"
                + " by local clusters under {}, job jar {}{}", workDirectory, jobJar,
                hostsFile.map(file -> ", host names from " + file).orElse(""));
        return new FkoControllerStandIn(operator, jobManagers, clusters, client, executor);
    }

    @Override
    public void close() {
        operator.stop();
        jobManagers.close();
        clusters.close();
        executor.shutdownNow();
        client.close();
        LOG.info("Flink Kubernetes Operator stand-in (FKO 1.16.1's controller) stopped");
    }

    public static void main(String[] args) throws Exception {
        StandInOptions options = StandInOptions.parse(args, false);
        FkoControllerStandIn standIn = start(options.kubeconfig(), options.workDirectory(), options.jobJar(),
                options.hostsFile());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            standIn.close();
            stopped.countDown();
        }, "standin-shutdown"));
        stopped.await();
    }
}
