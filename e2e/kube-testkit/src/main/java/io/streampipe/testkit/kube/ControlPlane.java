package io.streampipe.testkit.kube;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An etcd + kube-apiserver pair started and stopped by {@code e2e/bin/control-plane}, so that
 * tests and people (README sessions) share one implementation of "how to start the control
 * plane". The binaries are built on first use by {@code e2e/bin/install-binaries}.
 *
 * <p>The processes outlive the script that starts them; they are stopped by {@link #close()},
 * by a JVM shutdown hook, and, if the JVM is killed, by the script's watchdog, which follows this
 * JVM's pid.
 */
public final class ControlPlane implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

    /** A cold build of kube-apiserver, kubectl and etcd takes tens of minutes on a small machine. */
    private static final Duration BINARY_BUILD_TIMEOUT = Duration.ofMinutes(90);

    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path binDir;
    private final Path stateDir;
    private final Path kubeconfig;
    private final Path auditLog;
    private final String server;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::stop, "control-plane-shutdown");

    private ControlPlane(Path binDir, Path stateDir, Map<String, String> endpoints) {
        this.binDir = binDir;
        this.stateDir = stateDir;
        this.kubeconfig = Path.of(required(endpoints, "KUBECONFIG"));
        this.auditLog = Path.of(required(endpoints, "AUDIT_LOG"));
        this.server = required(endpoints, "SERVER");
    }

    /**
     * Starts a fresh control plane with its state (certificates, etcd data, logs) in {@code
     * stateDir}. Installs no CRDs. Its audit log is at level Metadata.
     */
    public static ControlPlane start(Path stateDir) {
        return start(stateDir, List.of());
    }

    /**
     * A control plane whose audit log also records the body of every create, update and patch
     * of the given resources (level Request), e.g. to see what a status patch changed. Bodies
     * make the log large: name only the resources whose writes are looked at.
     */
    public static ControlPlane start(Path stateDir, List<AuditLog.Resource> requestBodies) {
        Path binDir = findBinDir();
        run(Map.of(), BINARY_BUILD_TIMEOUT, binDir.resolve("install-binaries").toString());

        Map<String, String> env = Map.of(
                "STREAMPIPE_CP_DIR", stateDir.toString(),
                "STREAMPIPE_CP_PARENT_PID", Long.toString(ProcessHandle.current().pid()),
                "STREAMPIPE_CP_AUDIT_REQUEST_BODIES", requestBodies.stream().map(AuditLog.Resource::toString)
                        .collect(Collectors.joining(",")));
        ControlPlane controlPlane;
        try {
            List<String> output = run(env, START_TIMEOUT, binDir.resolve("control-plane").toString(), "up", "--no-crds");
            controlPlane = new ControlPlane(binDir, stateDir, keyValues(output));
        } catch (RuntimeException e) {
            // `up` stops what it started when it fails, but not if it was killed on timeout.
            stop(binDir, stateDir);
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(controlPlane.shutdownHook);
        return controlPlane;
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    /**
     * The kube-apiserver audit log: JSON lines, one event per request, level Metadata (Request
     * for the resources given to {@link #start(Path, List)}).
     */
    public Path auditLog() {
        return auditLog;
    }

    /** The API server's URL, {@code https://127.0.0.1:<port>}. */
    public String server() {
        return server;
    }

    public Path stateDir() {
        return stateDir;
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shutdownInProgress) {
            // The hook is running or about to; stop() is idempotent.
        }
    }

    private void stop() {
        if (stopped.compareAndSet(false, true)) {
            stop(binDir, stateDir);
        }
    }

    private static void stop(Path binDir, Path stateDir) {
        try {
            run(Map.of("STREAMPIPE_CP_DIR", stateDir.toString()), STOP_TIMEOUT,
                    binDir.resolve("control-plane").toString(), "down");
        } catch (RuntimeException e) {
            LOG.warn("Could not stop the control plane in {}", stateDir, e);
        }
    }

    /** Walks up from the working directory to the checkout that holds {@code e2e/bin}. */
    static Path findBinDir() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path binDir = dir.resolve("e2e/bin");
            if (Files.isExecutable(binDir.resolve("control-plane"))) {
                return binDir;
            }
        }
        throw new IllegalStateException("Found no e2e/bin/control-plane in " + start
                + " or any directory above it; run the tests from within the streampipe checkout");
    }

    /**
     * Runs a script, relaying its stderr (progress) to the log, and returns its stdout lines.
     * Throws with the script's last stderr lines if it fails or times out.
     */
    private static List<String> run(Map<String, String> env, Duration timeout, String... command) {
        String commandLine = String.join(" ", command);
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(new File("/dev/null"));
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + commandLine, e);
        }
        List<String> stdout = Collections.synchronizedList(new ArrayList<>());
        List<String> stderr = Collections.synchronizedList(new ArrayList<>());
        Thread stdoutReader = readLines(process.getInputStream(), stdout::add);
        Thread stderrReader = readLines(process.getErrorStream(), line -> {
            stderr.add(line);
            LOG.info("{}", line);
        });
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException(commandLine + " did not finish within " + timeout + lastLines(stderr));
            }
            stdoutReader.join(STOP_TIMEOUT.toMillis());
            stderrReader.join(STOP_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("Interrupted while running " + commandLine, e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(commandLine + " failed with exit code " + process.exitValue() + lastLines(stderr));
        }
        return List.copyOf(stdout);
    }

    private static Thread readLines(InputStream stream, Consumer<String> consumer) {
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                lines.lines().forEach(consumer);
            } catch (IOException | UncheckedIOException e) {
                LOG.debug("Stopped reading a control-plane script's output", e);
            }
        }, "control-plane-output");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    private static String lastLines(List<String> lines) {
        synchronized (lines) {
            List<String> tail = lines.subList(Math.max(0, lines.size() - 30), lines.size());
            return tail.isEmpty() ? "" : ":\n" + String.join("\n", tail);
        }
    }

    private static Map<String, String> keyValues(List<String> lines) {
        Map<String, String> values = new HashMap<>();
        for (String line : lines) {
            int separator = line.indexOf('=');
            if (separator > 0) {
                values.put(line.substring(0, separator), line.substring(separator + 1));
            }
        }
        return values;
    }

    private static String required(Map<String, String> values, String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalStateException("control-plane up printed no " + key + "= line; it printed " + values);
        }
        return value;
    }
}
