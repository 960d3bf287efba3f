package io.streampipe.standin.flink.cluster;

import io.streampipe.standin.flink.cluster.ClusterConfiguration.Directories;
import io.streampipe.standin.flink.cluster.JvmCommands.Role;
import io.streampipe.standin.flink.rest.ClusterOverview;
import io.streampipe.standin.flink.rest.FlinkRestClient;
import io.streampipe.standin.flink.rest.FlinkRestException;
import io.streampipe.standin.flink.rest.TaskManagerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One real Flink 1.20 session cluster on this machine: a JobManager JVM
 * ({@code StandaloneSessionClusterEntrypoint}) and TaskManager JVMs ({@code TaskManagerRunner}), started as Flink's
 * scripts start them (there is no Flink distribution here: {@link JvmCommands}), with a generated configuration file
 * ({@link ClusterConfiguration}), bound to 127.0.0.1, the REST API on a free port. Logs go to {@code log/} of the
 * work directory: {@code <jvm>.log} from Flink's logging, {@code <jvm>.out} for stdout and stderr.
 *
 * <p>Nothing outlives it: {@link #stop()} ends every JVM (SIGTERM, SIGKILL after 15 s), a shutdown hook does the same
 * if nobody called it, and a watchdog process per JVM ends it if this JVM is killed outright.
 */
public final class LocalFlinkCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalFlinkCluster.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final Duration MEMORY_CALCULATION_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

    private final ClusterSettings settings;
    private final Directories directories;
    private final Thread shutdownHook = new Thread(this::stopProcesses, "flink-cluster-shutdown");
    /** Every JVM ever started, for the shutdown hook, which must not wait for this object's lock. */
    private final List<FlinkJvm> started = new CopyOnWriteArrayList<>();
    private final List<FlinkJvm> taskManagers = new ArrayList<>();
    private final int[] restarts;
    private String classpath;
    private Map<String, String> configuration;
    private MemoryParameters taskManagerMemory;
    private FlinkJvm jobManager;
    private FlinkRestClient rest;
    private boolean running;

    public LocalFlinkCluster(ClusterSettings settings) {
        this.settings = settings;
        this.directories = new Directories(settings.workDirectory().toAbsolutePath());
        this.restarts = new int[settings.taskManagers()];
    }

    /**
     * Starts the JobManager and the TaskManagers, and returns once the REST API answers {@code /overview} with all
     * TaskManagers registered and their slots reported. Does nothing if the cluster runs already.
     *
     * @throws IllegalStateException if a JVM exits meanwhile, or the cluster is not up within the start timeout;
     *                               the message names the log and quotes its end. Whatever was started is stopped.
     */
    public synchronized void start() {
        if (running) {
            return;
        }
        long startNanos = System.nanoTime();
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            taskManagers.clear();
            classpath = FlinkRuntimeClasspath.load();
            int[] ports = freePorts(2);
            String restAddress = settings.restEndpoint().map(InetSocketAddress::getHostString).orElse(ClusterConfiguration.LOOPBACK);
            int restPort = settings.restEndpoint().map(InetSocketAddress::getPort).orElse(ports[1]);
            configuration = ClusterConfiguration.of(settings, directories, ports[0], restAddress, restPort);
            writeConfigurationDirectory();
            rest = new FlinkRestClient(URI.create("http://" + restAddress + ":" + restPort));

            Process jobManagerMemoryRun = startMemoryCalculation(Role.JOB_MANAGER);
            Process taskManagerMemoryRun = startMemoryCalculation(Role.TASK_MANAGER);
            MemoryParameters jobManagerMemory = awaitMemoryCalculation(Role.JOB_MANAGER, jobManagerMemoryRun);
            taskManagerMemory = awaitMemoryCalculation(Role.TASK_MANAGER, taskManagerMemoryRun);

            jobManager = startJvm(Role.JOB_MANAGER, "jobmanager", jobManagerMemory, List.of());
            for (int i = 0; i < settings.taskManagers(); i++) {
                taskManagers.add(startTaskManager(i));
            }
            // A TaskManager shows in /overview when it registers, its slots only once it has reported them.
            awaitCluster("the cluster to start", () -> {
                ClusterOverview overview = rest.overview();
                return overview.taskManagers() >= settings.taskManagers()
                        && overview.slotsTotal() >= settings.taskManagers() * settings.slotsPerTaskManager();
            }, allJvms());
            running = true;
            LOG.info("Started Flink cluster {} at {}: JobManager pid {}, {} TaskManager(s) x {} slots, in {} ms",
                    directories.root(), restUrl(), jobManager.process().pid(), settings.taskManagers(),
                    settings.slotsPerTaskManager(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        } finally {
            if (!running) {
                stopProcesses();
                removeShutdownHook();
            }
        }
    }

    /** The REST API, e.g. {@code http://127.0.0.1:41234/}. */
    public synchronized URI restUrl() {
        requireStarted();
        return rest.restUrl();
    }

    public synchronized int restPort() {
        return restUrl().getPort();
    }

    /** A client of this cluster's REST API. */
    public synchronized FlinkRestClient rest() {
        requireStarted();
        return rest;
    }

    public Path workDirectory() {
        return directories.root();
    }

    public synchronized Path jobManagerLog() {
        requireStarted();
        return jobManager.log();
    }

    /** The log of the TaskManager JVM now running as number {@code index} (a restart starts a new log). */
    public synchronized Path taskManagerLog(int index) {
        requireStarted();
        return taskManagers.get(index).log();
    }

    /** Whether the JobManager JVM runs (a cluster whose JobManager died is gone, as a deleted JobManager pod). */
    public synchronized boolean jobManagerAlive() {
        return jobManager != null && jobManager.process().isAlive();
    }

    /** The JVMs of the cluster that are alive: the JobManager and the TaskManagers. */
    public List<ProcessHandle> processes() {
        return started.stream().map(jvm -> jvm.process().toHandle()).filter(ProcessHandle::isAlive).toList();
    }

    /**
     * Kills TaskManager {@code index} with SIGKILL, as a lost machine or pod would vanish, and returns once its JVM
     * is gone. The JobManager notices at its next heartbeat; the job fails over to what is left, or waits for
     * {@link #restartTaskManager}.
     */
    public synchronized void killTaskManager(int index) {
        requireRunning();
        FlinkJvm taskManager = taskManagers.get(index);
        ChildProcesses.kill(taskManager.process());
        taskManager.watchdog().close();
        LOG.info("Killed TaskManager {} (pid {}) of {} with SIGKILL", taskManager.name(), taskManager.process().pid(),
                directories.root());
    }

    /**
     * Starts TaskManager {@code index} anew (killing the old JVM first if it still runs), as a new pod with a new
     * resource id, and returns once the JobManager has registered it.
     *
     * @throws IllegalStateException if the new JVM exits, or is not registered within the start timeout
     */
    public synchronized void restartTaskManager(int index) {
        requireRunning();
        long startNanos = System.nanoTime();
        FlinkJvm old = taskManagers.get(index);
        if (old.process().isAlive()) {
            ChildProcesses.kill(old.process());
        }
        old.watchdog().close();
        restarts[index]++;
        FlinkJvm fresh = startTaskManager(index);
        taskManagers.set(index, fresh);
        awaitCluster("TaskManager " + fresh.name() + " to register",
                () -> rest.taskManagers().stream().map(TaskManagerInfo::id).anyMatch(fresh.name()::equals),
                List.of(jobManager, fresh));
        LOG.info("Restarted TaskManager {} of {} as {} (pid {}) in {} ms", old.name(), directories.root(),
                fresh.name(), fresh.process().pid(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    /**
     * Stops every JVM of the cluster: SIGTERM, then SIGKILL for those still alive after 15 s. The work directory
     * stays. Does nothing if the cluster does not run.
     */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        long startNanos = System.nanoTime();
        stopProcesses();
        removeShutdownHook();
        LOG.info("Stopped Flink cluster {} in {} ms", directories.root(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    @Override
    public void close() {
        stop();
    }

    private FlinkJvm startTaskManager(int index) {
        String resourceId = "taskmanager-" + index + (restarts[index] == 0 ? "" : "-" + restarts[index]);
        return startJvm(Role.TASK_MANAGER, resourceId, taskManagerMemory,
                List.of("taskmanager.resource-id=" + resourceId));
    }

    private FlinkJvm startJvm(Role role, String name, MemoryParameters memory, List<String> properties) {
        List<String> dynamicProperties = new ArrayList<>(properties);
        List<String> reporterPortKeys = ClusterConfiguration.reporterPortKeys(configuration);
        int[] reporterPorts = freePorts(reporterPortKeys.size());
        for (int i = 0; i < reporterPorts.length; i++) {
            dynamicProperties.add(reporterPortKeys.get(i) + "=" + reporterPorts[i]);
        }
        Path log = directories.logs().resolve(name + ".log");
        Path output = directories.logs().resolve(name + ".out");
        List<String> command = JvmCommands.flinkProcess(role, classpath, directories.conf(), configuration, memory,
                log, settings.hostsFile(), dynamicProperties);
        Process process = ChildProcesses.start(command, directories.root(), environment(), output);
        FlinkJvm jvm = new FlinkJvm(name, process, OrphanWatchdog.watch(process), log, output);
        started.add(jvm);
        LOG.info("Started {} {} of {} (pid {}, log {})", role.configName, name, directories.root(), process.pid(), log);
        return jvm;
    }

    private Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>(settings.environment());
        environment.put("FLINK_CONF_DIR", directories.conf().toString());
        return environment;
    }

    private Process startMemoryCalculation(Role role) {
        Path output = directories.logs().resolve("memory-" + role.configName + ".out");
        List<String> command = new ArrayList<>(JvmCommands.memoryCalculation(role, classpath, directories.conf()));
        command.add(1, "-Dlog.file=" + directories.logs().resolve("memory-" + role.configName + ".log"));
        command.add(2, "-Dlog4j.configurationFile=file:" + directories.conf().resolve("log4j.properties"));
        return ChildProcesses.start(command, directories.root(), Map.of(), output);
    }

    private MemoryParameters awaitMemoryCalculation(Role role, Process run) {
        Path output = directories.logs().resolve("memory-" + role.configName + ".out");
        try {
            if (!run.waitFor(MEMORY_CALCULATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                ChildProcesses.kill(run);
                throw new IllegalStateException("Flink's memory calculation for the " + role.configName + " took longer"
                        + " than " + MEMORY_CALCULATION_TIMEOUT.toSeconds() + " s" + ChildProcesses.describe(output));
            }
            if (run.exitValue() != 0) {
                throw new IllegalStateException("Flink refused the memory configuration of the " + role.configName
                        + " (BashJavaUtils exited with " + run.exitValue() + ")" + ChildProcesses.describe(output));
            }
            return MemoryParameters.parse(Files.readString(output, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            ChildProcesses.kill(run);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while Flink computed the memory of the " + role.configName, e);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + output, e);
        }
    }

    private void writeConfigurationDirectory() {
        try {
            for (Path directory : List.of(directories.conf(), directories.logs(), directories.tmp(), directories.jars(),
                    directories.web())) {
                Files.createDirectories(directory);
            }
            Path configFile = directories.conf().resolve("config.yaml");
            Files.deleteIfExists(configFile);
            // Owner-only: a flinkConfiguration may hold credentials (s3.secret-key).
            Files.createFile(configFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(configFile, ClusterConfiguration.toYaml(configuration), StandardCharsets.UTF_8);
            try (InputStream log4j = LocalFlinkCluster.class.getResourceAsStream("log4j.properties")) {
                Files.copy(log4j, directories.conf().resolve("log4j.properties"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the configuration of the Flink cluster in "
                    + directories.root(), e);
        }
    }

    /**
     * Polls {@code ready} (the REST API refusing or failing counts as not ready) until it holds, failing at once if
     * one of {@code watched} exits.
     */
    private void awaitCluster(String what, BooleanSupplier ready, List<FlinkJvm> watched) {
        long deadline = ChildProcesses.deadline(settings.startTimeout());
        String lastProblem = "no answer yet";
        while (true) {
            for (FlinkJvm jvm : watched) {
                if (!jvm.process().isAlive()) {
                    throw new IllegalStateException("The " + jvm.name() + " JVM (pid " + jvm.process().pid()
                            + ") of " + directories.root() + " exited with code " + jvm.process().exitValue()
                            + " while waiting for " + what + "." + ChildProcesses.describe(jvm.output())
                            + ChildProcesses.describe(jvm.log()));
                }
            }
            try {
                if (ready.getAsBoolean()) {
                    return;
                }
                lastProblem = "not yet";
            } catch (UncheckedIOException | FlinkRestException e) {
                lastProblem = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Timed out after " + settings.startTimeout().toSeconds()
                        + " s waiting for " + what + " in " + directories.root() + " (last answer: " + lastProblem
                        + ")." + ChildProcesses.describe(jobManager.log()));
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + what, e);
            }
        }
    }

    private List<FlinkJvm> allJvms() {
        List<FlinkJvm> all = new ArrayList<>(taskManagers);
        all.add(0, jobManager);
        return all;
    }

    /** TaskManagers first, as Flink's stop-cluster.sh does, but without waiting for one before the next. */
    private void stopProcesses() {
        List<FlinkJvm> jvms = new ArrayList<>(started);
        Collections.reverse(jvms);
        jvms.forEach(jvm -> jvm.process().destroy());
        long deadline = ChildProcesses.deadline(STOP_GRACE);
        for (FlinkJvm jvm : jvms) {
            ChildProcesses.awaitOrKill(jvm.process(), deadline);
            jvm.watchdog().close();
        }
        started.removeAll(jvms);
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shutdownInProgress) {
            // The hook is running or has run.
        }
    }

    private void requireRunning() {
        if (!running) {
            throw new IllegalStateException("The Flink cluster in " + directories.root() + " does not run");
        }
    }

    private void requireStarted() {
        if (rest == null || jobManager == null) {
            throw new IllegalStateException("The Flink cluster in " + directories.root() + " has not been started");
        }
    }

    /** {@code count} distinct free ports on 127.0.0.1: all sockets are held open together, so none repeats. */
    private static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not find a free port on 127.0.0.1", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Only the port number was needed.
                }
            }
        }
    }

    /** One JVM of the cluster, its watchdog and its files. */
    private record FlinkJvm(String name, Process process, OrphanWatchdog watchdog, Path log, Path output) {
    }
}
