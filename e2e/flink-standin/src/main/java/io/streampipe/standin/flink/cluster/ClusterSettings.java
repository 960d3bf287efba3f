package io.streampipe.standin.flink.cluster;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one {@link LocalFlinkCluster} runs.
 *
 * @param workDirectory            where the cluster keeps its configuration, logs, uploaded jars and temporary files;
 *                                 the caller owns it (it is kept after {@link LocalFlinkCluster#stop()})
 * @param flinkConfiguration       the FlinkDeployment's flinkConfiguration as the caller mapped it for this machine
 *                                 (file:// storage, no Kubernetes HA); the keys the cluster owns are listed in
 *                                 {@link ClusterConfiguration}
 * @param taskManagers             TaskManager JVMs started with the cluster
 * @param slotsPerTaskManager      {@code taskmanager.numberOfTaskSlots}
 * @param environment              added to the environment of every JVM (the job's secrets, resolved by the caller)
 * @param hostsFile                passed to every JVM as {@code -Djdk.net.hosts.file}, so that names like
 *                                 {@code kafka} resolve to a loopback address; it replaces DNS for those JVMs, so it
 *                                 should map {@code localhost} too
 * @param jobManagerProcessMemory  {@code jobmanager.memory.process.size}; the default gives a heap of 384m
 * @param taskManagerProcessMemory {@code taskmanager.memory.process.size} of each TaskManager
 * @param startTimeout             how long {@link LocalFlinkCluster#start()} waits for the TaskManagers to register
 */
public record ClusterSettings(
        Path workDirectory,
        Map<String, String> flinkConfiguration,
        int taskManagers,
        int slotsPerTaskManager,
        Map<String, String> environment,
        Optional<Path> hostsFile,
        String jobManagerProcessMemory,
        String taskManagerProcessMemory,
        Duration startTimeout,
        Optional<InetSocketAddress> restEndpoint) {

    /** JVM overhead 192m + metaspace 256m + off-heap 128m + heap 384m, by Flink's own arithmetic. */
    public static final String DEFAULT_JOB_MANAGER_MEMORY = "960m";
    public static final String DEFAULT_TASK_MANAGER_MEMORY = "1g";
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(120);

    public ClusterSettings {
        Objects.requireNonNull(workDirectory, "workDirectory");
        flinkConfiguration = Map.copyOf(flinkConfiguration);
        environment = Map.copyOf(environment);
        Objects.requireNonNull(hostsFile, "hostsFile");
        Objects.requireNonNull(jobManagerProcessMemory, "jobManagerProcessMemory");
        Objects.requireNonNull(taskManagerProcessMemory, "taskManagerProcessMemory");
        Objects.requireNonNull(startTimeout, "startTimeout");
        Objects.requireNonNull(restEndpoint, "restEndpoint");
        if (taskManagers < 1 || slotsPerTaskManager < 1) {
            throw new IllegalArgumentException("A cluster needs at least one TaskManager with one slot, got "
                    + taskManagers + " with " + slotsPerTaskManager);
        }
    }

    /** One TaskManager with one slot, the default memory, no extra environment, no hosts file. */
    public static ClusterSettings of(Path workDirectory) {
        return new ClusterSettings(workDirectory, Map.of(), 1, 1, Map.of(), Optional.empty(),
                DEFAULT_JOB_MANAGER_MEMORY, DEFAULT_TASK_MANAGER_MEMORY, DEFAULT_START_TIMEOUT, Optional.empty());
    }

    public ClusterSettings withWorkDirectory(Path directory) {
        return new ClusterSettings(directory, flinkConfiguration, taskManagers, slotsPerTaskManager, environment,
                hostsFile, jobManagerProcessMemory, taskManagerProcessMemory, startTimeout, restEndpoint);
    }

    public ClusterSettings withFlinkConfiguration(Map<String, String> configuration) {
        return new ClusterSettings(workDirectory, configuration, taskManagers, slotsPerTaskManager, environment,
                hostsFile, jobManagerProcessMemory, taskManagerProcessMemory, startTimeout, restEndpoint);
    }

    public ClusterSettings withTaskManagers(int count, int slotsEach) {
        return new ClusterSettings(workDirectory, flinkConfiguration, count, slotsEach, environment, hostsFile,
                jobManagerProcessMemory, taskManagerProcessMemory, startTimeout, restEndpoint);
    }

    public ClusterSettings withEnvironment(Map<String, String> variables) {
        return new ClusterSettings(workDirectory, flinkConfiguration, taskManagers, slotsPerTaskManager, variables,
                hostsFile, jobManagerProcessMemory, taskManagerProcessMemory, startTimeout, restEndpoint);
    }

    public ClusterSettings withHostsFile(Path file) {
        return new ClusterSettings(workDirectory, flinkConfiguration, taskManagers, slotsPerTaskManager, environment,
                Optional.of(file), jobManagerProcessMemory, taskManagerProcessMemory, startTimeout, restEndpoint);
    }

    public ClusterSettings withProcessMemory(String jobManager, String taskManager) {
        return new ClusterSettings(workDirectory, flinkConfiguration, taskManagers, slotsPerTaskManager, environment,
                hostsFile, jobManager, taskManager, startTimeout, restEndpoint);
    }

    public ClusterSettings withStartTimeout(Duration timeout) {
        return new ClusterSettings(workDirectory, flinkConfiguration, taskManagers, slotsPerTaskManager, environment,
                hostsFile, jobManagerProcessMemory, taskManagerProcessMemory, timeout, restEndpoint);
    }

    /**
     * The address the REST API binds to and is reached at, instead of a free port on 127.0.0.1: what a Kubernetes
     * Service in front of the JobManager gives its clients, a stable host and port of its own.
     */
    public ClusterSettings withRestEndpoint(InetSocketAddress endpoint) {
        return new ClusterSettings(workDirectory, flinkConfiguration, taskManagers, slotsPerTaskManager, environment,
                hostsFile, jobManagerProcessMemory, taskManagerProcessMemory, startTimeout, Optional.of(endpoint));
    }

    /** Names the environment variables but never shows their values (they are secrets). */
    @Override
    public String toString() {
        return "ClusterSettings[workDirectory=" + workDirectory + ", taskManagers=" + taskManagers + " x "
                + slotsPerTaskManager + " slots, memory JM " + jobManagerProcessMemory + " / TM "
                + taskManagerProcessMemory + ", environment " + new TreeMap<>(environment).keySet()
                + hostsFile.map(file -> ", hosts " + file).orElse("") + ", " + flinkConfiguration.size()
                + " configuration keys]";
    }
}
