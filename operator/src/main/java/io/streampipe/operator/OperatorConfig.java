package io.streampipe.operator;

import io.streampipe.api.Durations;
import io.streampipe.operator.desired.OperatorDefaults;
import io.streampipe.operator.flink.HttpJobManagerClient;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's settings, from environment variables (as the Helm chart sets them).
 *
 * <ul>
 *   <li>{@code STREAMPIPE_WATCH_NAMESPACES}: comma-separated namespaces to watch; empty or unset: all</li>
 *   <li>{@code STREAMPIPE_DEFAULT_IMAGE}: pipeline-job image for pipelines that name none</li>
 *   <li>{@code STREAMPIPE_FLINK_VERSION}: Flink version of that image (names the built-in filesystem plugin jars)</li>
 *   <li>{@code STREAMPIPE_FLINK_SERVICE_ACCOUNT}: service account of Flink pods for pipelines that name none</li>
 *   <li>{@code STREAMPIPE_LEADER_ELECTION}: {@code true} (default) to elect a leader among replicas through a Lease</li>
 *   <li>{@code STREAMPIPE_LEASE_NAME}, {@code STREAMPIPE_LEASE_NAMESPACE} (default: {@code POD_NAMESPACE})</li>
 *   <li>{@code STREAMPIPE_HTTP_PORT}: port of /healthz, /readyz and /metrics (default 8080)</li>
 *   <li>{@code STREAMPIPE_RESYNC_INTERVAL}: longest time between two reconciles of an unchanged pipeline (default 10m)</li>
 *   <li>{@code STREAMPIPE_FLINK_REST_URL}: where a pipeline's JobManager answers REST calls; {@code {name}} and
 *       {@code {namespace}} are the FlinkDeployment's (default {@code http://{name}-rest.{namespace}:8081}, the REST
 *       Service Flink creates for each cluster)</li>
 *   <li>{@code STREAMPIPE_JOB_POLL_INTERVAL}: how often a running job's JobManager is asked for checkpoints, restarts
 *       and exceptions (default 30s)</li>
 *   <li>{@code STREAMPIPE_RECONCILE_THREADS}: how many pipelines are reconciled at once, and how many dependents applied
 *       at once (default 10; java-operator-sdk's own default is 50 of each). A reconcile is mostly CPU (desired state,
 *       JSON) and short API calls, and the pod has about one core: more threads only contend (e2e/bench/README.md,
 *       "Operator at scale").</li>
 *   <li>{@code POD_NAME}: this replica's identity in the Lease and in Events</li>
 * </ul>
 */
public record OperatorConfig(Set<String> watchNamespaces, OperatorDefaults defaults, boolean leaderElection,
                             String leaseName, String leaseNamespace, int httpPort, Duration resyncInterval, String instance,
                             String flinkRestUrl, Duration jobPollInterval, int reconcileThreads) {
    /** The pipeline-job image of this operator's version, as the build names it (pom.xml {@code pipeline-job.image}). */
    public static final String DEFAULT_IMAGE = BuildInfo.PIPELINE_JOB_IMAGE;
    public static final String DEFAULT_FLINK_VERSION = "1.20.3";
    public static final int DEFAULT_RECONCILE_THREADS = 10;

    /** With the default number of reconcile threads. */
    public OperatorConfig(Set<String> watchNamespaces, OperatorDefaults defaults, boolean leaderElection, String leaseName,
                          String leaseNamespace, int httpPort, Duration resyncInterval, String instance, String flinkRestUrl,
                          Duration jobPollInterval) {
        this(watchNamespaces, defaults, leaderElection, leaseName, leaseNamespace, httpPort, resyncInterval, instance, flinkRestUrl,
                jobPollInterval, DEFAULT_RECONCILE_THREADS);
    }

    /** With the default JobManager REST address and poll interval. */
    public OperatorConfig(Set<String> watchNamespaces, OperatorDefaults defaults, boolean leaderElection, String leaseName,
                          String leaseNamespace, int httpPort, Duration resyncInterval, String instance) {
        this(watchNamespaces, defaults, leaderElection, leaseName, leaseNamespace, httpPort, resyncInterval, instance,
                HttpJobManagerClient.DEFAULT_URL_TEMPLATE, Duration.ofSeconds(30));
    }

    public static OperatorConfig fromEnvironment(Map<String, String> env) {
        Set<String> namespaces = Arrays.stream(env.getOrDefault("STREAMPIPE_WATCH_NAMESPACES", "").split(","))
                .map(String::trim).filter(ns -> !ns.isEmpty()).collect(Collectors.toUnmodifiableSet());
        OperatorDefaults defaults = new OperatorDefaults(
                env.getOrDefault("STREAMPIPE_DEFAULT_IMAGE", DEFAULT_IMAGE),
                env.getOrDefault("STREAMPIPE_FLINK_VERSION", DEFAULT_FLINK_VERSION),
                env.getOrDefault("STREAMPIPE_FLINK_SERVICE_ACCOUNT", OperatorDefaults.DEFAULT_SERVICE_ACCOUNT));
        return new OperatorConfig(namespaces, defaults,
                Boolean.parseBoolean(env.getOrDefault("STREAMPIPE_LEADER_ELECTION", "true")),
                env.getOrDefault("STREAMPIPE_LEASE_NAME", "streampipe-operator"),
                env.getOrDefault("STREAMPIPE_LEASE_NAMESPACE", env.get("POD_NAMESPACE")),
                Integer.parseInt(env.getOrDefault("STREAMPIPE_HTTP_PORT", "8080")),
                Durations.parse("STREAMPIPE_RESYNC_INTERVAL", env.getOrDefault("STREAMPIPE_RESYNC_INTERVAL", "10m")),
                env.getOrDefault("POD_NAME", "streampipe-operator"),
                env.getOrDefault("STREAMPIPE_FLINK_REST_URL", HttpJobManagerClient.DEFAULT_URL_TEMPLATE),
                Durations.parse("STREAMPIPE_JOB_POLL_INTERVAL", env.getOrDefault("STREAMPIPE_JOB_POLL_INTERVAL", "30s")),
                positive("STREAMPIPE_RECONCILE_THREADS", env.getOrDefault("STREAMPIPE_RECONCILE_THREADS",
                        Integer.toString(DEFAULT_RECONCILE_THREADS))));
    }

    private static int positive(String name, String value) {
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a whole number of at least 1, got '" + value + "'");
    }

    public boolean watchAllNamespaces() {
        return watchNamespaces.isEmpty();
    }
}
