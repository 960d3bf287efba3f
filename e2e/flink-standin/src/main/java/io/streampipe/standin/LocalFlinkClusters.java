package io.streampipe.standin;

import io.streampipe.standin.flink.cluster.ClusterSettings;
import io.streampipe.standin.flink.cluster.LocalFlinkCluster;
import io.streampipe.standin.flink.rest.CheckpointStats;
import io.streampipe.standin.flink.rest.FlinkRestClient;
import io.streampipe.standin.flink.rest.JarRun;
import io.streampipe.standin.flink.rest.JobExceptions;
import io.streampipe.standin.flink.rest.JobSummary;
import io.streampipe.standin.flink.rest.SavepointStatus;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.SavepointFormatType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * {@link FlinkClusters} on this machine: each FlinkDeployment's cluster is a {@link LocalFlinkCluster} (a JobManager
 * JVM and TaskManager JVMs) to which the job jar is uploaded and run over REST, the way an application cluster's
 * JobManager would run it. Locations cross the boundary in the FlinkDeployment's terms (s3://…) and are mapped to local
 * directories inside.
 */
final class LocalFlinkClusters implements FlinkClusters, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalFlinkClusters.class);

    private final Optional<Path> hostsFile;
    private final RestServices restServices;
    private final LocalPaths objectStore;
    private final Map<String, Entry> clusters = new ConcurrentHashMap<>();
    private final ExecutorService starter = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "flink-cluster-start");
        thread.setDaemon(true);
        return thread;
    });

    LocalFlinkClusters(Path workDirectory, Optional<Path> hostsFile) {
        this.hostsFile = hostsFile;
        this.restServices = new RestServices(hostsFile);
        this.objectStore = new LocalPaths(workDirectory, workDirectory.resolve("no-pod"));
    }

    private static final class Entry {
        final ApplicationClusters.Prepared prepared;
        final LocalFlinkCluster cluster;
        volatile boolean ready;
        volatile String failure;

        Entry(ApplicationClusters.Prepared prepared, LocalFlinkCluster cluster) {
            this.prepared = prepared;
            this.cluster = cluster;
        }
    }

    @Override
    public void submitApplicationCluster(String name, ApplicationClusters.Prepared prepared) {
        deleteCluster(name);
        ApplicationCluster application = prepared.application();
        Path directory = prepared.clusterDirectory().resolve("flink-" + application.jobId());
        ClusterSettings settings = ClusterSettings.of(directory)
                .withFlinkConfiguration(application.flinkConfiguration())
                .withTaskManagers(application.taskManagers(), application.slotsPerTaskManager())
                .withEnvironment(application.environment());
        if (hostsFile.isPresent()) {
            settings = settings.withHostsFile(hostsFile.get());
        }
        String[] namespaceAndName = name.split("/", 2);
        Optional<InetSocketAddress> restEndpoint = restServices.claim(namespaceAndName[0], namespaceAndName[1]);
        if (restEndpoint.isPresent()) {
            settings = settings.withRestEndpoint(restEndpoint.get());
        }
        Entry entry = new Entry(prepared, new LocalFlinkCluster(settings));
        clusters.put(name, entry);
        starter.execute(() -> start(name, entry));
    }

    /** What the JobManager pod of an application cluster does: start, then run the application. */
    private void start(String name, Entry entry) {
        ApplicationCluster application = entry.prepared.application();
        try {
            entry.cluster.start();
            FlinkRestClient rest = entry.cluster.rest();
            String jarId = rest.uploadJar(Path.of(application.jar()));
            JarRun run = JarRun.of(application.entryClass(), application.args())
                    .withParallelism(application.parallelism())
                    .withJobId(application.jobId());
            if (application.savepointPath() != null) {
                run = run.fromSavepoint(application.savepointPath(), application.allowNonRestoredState());
            }
            rest.runJar(jarId, run);
            entry.ready = true;
            LOG.info("Cluster {} runs job {}{}", name, application.jobId(),
                    application.savepointPath() == null ? " without state" : " from " + application.savepointPath());
        } catch (RuntimeException e) {
            entry.failure = e.getMessage();
            LOG.warn("Cluster {} could not run its application: {}", name, e.getMessage());
        }
    }

    @Override
    public ClusterState clusterState(String name) {
        Entry entry = clusters.get(name);
        if (entry == null) {
            return ClusterState.of(Phase.MISSING);
        }
        if (entry.failure != null) {
            return new ClusterState(Phase.FAILED, entry.failure);
        }
        if (!entry.ready) {
            return ClusterState.of(Phase.STARTING);
        }
        boolean jobManagerAlive = entry.cluster.jobManagerAlive();
        return ClusterState.of(jobManagerAlive ? Phase.READY : Phase.MISSING);
    }

    @Override
    public Optional<JobInfo> jobStatus(String name, String jobId) {
        return rest(name).listJobs().stream().filter(job -> job.id().equals(jobId)).findFirst()
                .map(job -> new JobInfo(job.id(), job.name(), JobStatus.valueOf(job.state()), job.startTime()));
    }

    @Override
    public List<String[]> jobFailure(String name, String jobId) {
        Optional<JobExceptions.Failure> latest = rest(name).exceptions(jobId).latest();
        // JobStatusObserver reports the JobResult's throwable, a SerializedThrowable whose message is the failure's.
        return latest.map(failure -> List.<String[]>of(new String[]{"org.apache.flink.util.SerializedThrowable", failure.summary()}))
                .orElse(List.of());
    }

    @Override
    public String stopWithSavepoint(String name, String jobId, String directory, SavepointFormatType format, boolean drain,
                                    Duration timeout) {
        Entry entry = entry(name);
        FlinkRestClient rest = entry.cluster.rest();
        String trigger = rest.stopWithSavepoint(jobId, entry.prepared.paths().toLocal(directory), format);
        return entry.prepared.paths().toRemote(rest.awaitSavepoint(jobId, trigger, timeout));
    }

    @Override
    public boolean cancel(String name, String jobId) {
        FlinkRestClient rest = rest(name);
        Optional<JobSummary> job = rest.listJobs().stream().filter(j -> j.id().equals(jobId)).findFirst();
        if (job.isEmpty() || JobStatus.valueOf(job.get().state()).isGloballyTerminalState()) {
            return false;
        }
        rest.cancel(jobId);
        return true;
    }

    @Override
    public String triggerSavepoint(String name, String jobId, String directory, SavepointFormatType format) {
        Entry entry = entry(name);
        return entry.cluster.rest().triggerSavepoint(jobId, entry.prepared.paths().toLocal(directory), format);
    }

    @Override
    public SavepointResult savepointResult(String name, String jobId, String triggerId) {
        try {
            Entry entry = entry(name);
            SavepointStatus status = entry.cluster.rest().savepointStatus(jobId, triggerId);
            if (!status.completed()) {
                return new SavepointResult(true, null, null);
            }
            return status.failureCause().map(cause -> new SavepointResult(false, null, cause))
                    .orElseGet(() -> new SavepointResult(false, entry.prepared.paths().toRemote(status.location().orElseThrow()), null));
        } catch (RuntimeException e) {
            // SnapshotObserver: an exception while fetching counts as a failed savepoint
            return new SavepointResult(false, null, e.getMessage());
        }
    }

    @Override
    public Optional<String> lastCheckpoint(String name, String jobId) {
        Entry entry = entry(name);
        CheckpointStats stats = entry.cluster.rest().checkpoints(jobId);
        // CheckpointHistoryWrapper.getLatestCompletedCheckpoint: the highest id among the latest completed, savepoint
        // and restored ones that has an external path
        record Candidate(long id, String path) {
        }
        List<Candidate> candidates = new ArrayList<>();
        stats.latestCompleted().ifPresent(c -> candidates.add(new Candidate(c.id(), c.externalPath())));
        stats.latestSavepoint().ifPresent(c -> candidates.add(new Candidate(c.id(), c.externalPath())));
        stats.latestRestored().ifPresent(r -> candidates.add(new Candidate(r.id(), r.externalPath())));
        return candidates.stream().filter(c -> c.path() != null && !c.path().isBlank() && !c.path().startsWith("<"))
                .max(Comparator.comparingLong(Candidate::id)).map(c -> entry.prepared.paths().toRemote(c.path()));
    }

    @Override
    public void deleteCluster(String name) {
        Entry entry = clusters.remove(name);
        if (entry != null) {
            entry.cluster.stop();
            String[] namespaceAndName = name.split("/", 2);
            restServices.release(namespaceAndName[0], namespaceAndName[1]);
            LOG.info("Deleted cluster {}", name);
        }
    }

    @Override
    public boolean disposeSavepoint(String name, String location) {
        Entry entry = clusters.get(name);
        String local = entry != null ? entry.prepared.paths().toLocal(location) : objectStore.toLocal(location);
        Path path = Path.of(local.startsWith("file:") ? java.net.URI.create(local).getPath() : local);
        try (Stream<Path> files = Files.exists(path) ? Files.walk(path) : Stream.empty()) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
            LOG.info("Disposed savepoint {} ({})", location, path);
            return true;
        } catch (IOException e) {
            LOG.warn("Could not dispose savepoint {}: {}", location, e.getMessage());
            return false;
        }
    }

    /** Stops every cluster: the stand-in's end is the end of its clusters, as a node's end is its pods'. */
    @Override
    public void close() {
        new ArrayList<>(clusters.keySet()).forEach(this::deleteCluster);
        starter.shutdownNow();
    }

    /** The REST API of a cluster that runs its application; empty while it starts, after it failed, or without one. */
    Optional<java.net.URI> restUrl(String name) {
        Entry entry = clusters.get(name);
        return entry != null && entry.ready && entry.failure == null ? Optional.of(entry.cluster.restUrl()) : Optional.empty();
    }

    /** Why a cluster could not start or run its application, if it could not. */
    Optional<String> failure(String name) {
        return Optional.ofNullable(clusters.get(name)).map(entry -> entry.failure);
    }

    /** The cluster, for tests and the sandbox's fault injection (kill a TaskManager). */
    Optional<LocalFlinkCluster> cluster(String name) {
        return Optional.ofNullable(clusters.get(name)).map(entry -> entry.cluster);
    }

    /** How the cluster's application was run (jar, entry class, arguments as this machine sees them), without its state. */
    Optional<Map.Entry<Path, JarRun>> application(String name) {
        return Optional.ofNullable(clusters.get(name)).map(entry -> entry.prepared.application()).map(application ->
                Map.entry(Path.of(application.jar()), JarRun.of(application.entryClass(), application.args())
                        .withParallelism(application.parallelism())));
    }

    private Entry entry(String name) {
        Entry entry = clusters.get(name);
        if (entry == null || !entry.ready) {
            throw new IllegalStateException("FlinkDeployment " + name + " has no running cluster");
        }
        return entry;
    }

    private FlinkRestClient rest(String name) {
        return entry(name).cluster.rest();
    }
}
