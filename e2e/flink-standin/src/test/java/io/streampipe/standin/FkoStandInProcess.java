package io.streampipe.standin;

import io.streampipe.standin.flink.rest.FlinkRestClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * FKO 1.16.1's own controller, wired by hand with its FlinkService replaced ({@code e2e/fko-real}, main
 * {@code io.streampipe.standin.FkoControllerStandIn}), run in a JVM of its own: its classpath (fabric8 7.8.0,
 * java-operator-sdk 5.3.2, Flink 1.20 from FKO) cannot share this one. Build it first:
 * {@code mvn -B -f e2e/fko-real/pom.xml package}.
 */
final class FkoStandInProcess implements FlinkOperatorUnderTest {
    private static final String MAIN = "io.streampipe.standin.FkoControllerStandIn";
    private static final Pattern REST_PORT = Pattern.compile("(?m)^\"?rest\\.port\"?:\\s*\"?(\\d+)\"?\\s*$");

    private final Process process;
    private final Path workDirectory;
    private final Path log;

    private FkoStandInProcess(Process process, Path workDirectory, Path log) {
        this.process = process;
        this.workDirectory = workDirectory;
        this.log = log;
    }

    /** @param buildDirectory e2e/fko-real/target: its classes and {@code fko-real.classpath} */
    static FkoStandInProcess start(Path kubeconfig, Path workDirectory, Path jobJar, Path buildDirectory) throws IOException {
        Path classpathFile = buildDirectory.resolve("fko-real.classpath");
        Path classes = buildDirectory.resolve("classes");
        if (!Files.isRegularFile(classpathFile) || !Files.isRegularFile(classes.resolve(MAIN.replace('.', '/') + ".class"))) {
            throw new IllegalStateException("FKO's controller stand-in is not built in " + buildDirectory
                    + "; build it with: mvn -B -f e2e/fko-real/pom.xml package");
        }
        Files.createDirectories(workDirectory);
        Path log = workDirectory.resolve("fko-standin.log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", classes + java.io.File.pathSeparator + Files.readString(classpathFile).strip(), MAIN,
                "--kubeconfig", kubeconfig.toString(), "--work-dir", workDirectory.toString(), "--job-jar", jobJar.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        System.out.println("FKO 1.16.1's controller stand-in: pid " + process.pid() + ", log " + log);
        return new FkoStandInProcess(process, workDirectory, log);
    }

    /** The REST port of the newest cluster of the FlinkDeployment, from its Flink configuration. */
    @Override
    public FlinkRestClient rest(String namespace, String name) {
        Path clusters = workDirectory.resolve("clusters").resolve(namespace).resolve(name);
        try (Stream<Path> configs = Files.find(clusters, 3, (path, attributes) -> path.endsWith("conf/config.yaml"))) {
            Path newest = configs.max(Comparator.comparingLong(FkoStandInProcess::modified)).orElseThrow(
                    () -> new AssertionError("No cluster of " + namespace + "/" + name + " under " + clusters));
            Matcher port = REST_PORT.matcher(Files.readString(newest));
            if (!port.find()) {
                throw new AssertionError("No rest.port in " + newest);
            }
            return new FlinkRestClient(URI.create("http://127.0.0.1:" + port.group(1)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Flink JVMs the controller's JVM started for this FlinkDeployment (their command lines name its directory). */
    @Override
    public List<ProcessHandle> jvms(String namespace, String name) {
        String directory = workDirectory.resolve("clusters").resolve(namespace).resolve(name).toAbsolutePath() + "/";
        return process.descendants().filter(p -> p.info().commandLine().map(line -> line.contains(" -classpath ")
                && line.contains(directory)).orElse(false)).toList();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        keepLogs();
    }

    /** The controller's log and every Flink JVM's, copied out of the test's work directory (which JUnit deletes). */
    private void keepLogs() {
        String target = System.getProperty("streampipe.fkoStandInLogs");
        if (target == null) {
            return;
        }
        Path kept = Path.of(target);
        try (Stream<Path> files = Files.walk(workDirectory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches(".*\\.(log|out)")).toList()) {
                Path copy = kept.resolve(workDirectory.relativize(file));
                Files.createDirectories(copy.getParent());
                Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            System.out.println("FKO 1.16.1's controller stand-in stopped; its log and the Flink JVMs' logs are in " + kept);
        } catch (IOException e) {
            System.out.println("FKO 1.16.1's controller stand-in stopped; could not keep the logs: " + e.getMessage());
        }
    }

    private static long modified(Path path) {
        try {
            return Files.getLastModifiedTime(path).toMillis();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
