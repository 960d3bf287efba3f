package io.streampipe.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Kafka Connect's jars and the Debezium JDBC sink plugin, resolved once with Maven from pom templates (as the
 * data-testkit resolves the broker's) into {@code $STREAMPIPE_CACHE/kafka-connect-<kafka>-debezium-<version>/}:
 * {@code lib/} is the worker's classpath, {@code plugins/debezium-connector-jdbc/} its plugin.path entry.
 */
final class ConnectClasspath {
    final Path lib;
    final Path plugins;

    private ConnectClasspath(Path lib, Path plugins) {
        this.lib = lib;
        this.plugins = plugins;
    }

    static synchronized ConnectClasspath resolve() {
        Path cache = cacheRoot().resolve("kafka-connect-" + BenchVersions.KAFKA + "-debezium-" + BenchVersions.DEBEZIUM);
        Path lib = cache.resolve("lib");
        Path plugins = cache.resolve("plugins");
        Path plugin = plugins.resolve("debezium-connector-jdbc");
        try {
            Files.createDirectories(cache);
            try (FileChannel lockFile = FileChannel.open(cache.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                if (!Files.isRegularFile(lib.resolve("connect-runtime-" + BenchVersions.KAFKA + ".jar"))) {
                    resolve(cache, "kafka-connect-pom.xml", lib);
                }
                if (!Files.isRegularFile(plugin.resolve("debezium-connector-jdbc-" + BenchVersions.DEBEZIUM + ".jar"))) {
                    resolve(cache, "debezium-jdbc-pom.xml", plugin);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prepare the Kafka Connect cache " + cache, e);
        }
        return new ConnectClasspath(lib, plugins);
    }

    private static void resolve(Path cache, String template, Path target) throws IOException {
        Path pom = cache.resolve(template);
        try (InputStream in = ConnectClasspath.class.getResourceAsStream(template)) {
            Files.copy(in, pom, StandardCopyOption.REPLACE_EXISTING);
        }
        Path staging = Files.createTempDirectory(cache, "staging-");
        Path log = cache.resolve(template.replace(".xml", ".log"));
        Report.progress("resolving %s with Maven into %s (once; log: %s)", template, target, log);
        Process maven = new ProcessBuilder(List.of(maven(), "-B", "-ntp", "-f", pom.toString(), "dependency:copy-dependencies",
                "-DincludeScope=runtime", "-DoutputDirectory=" + staging))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!maven.waitFor(15, TimeUnit.MINUTES) || maven.exitValue() != 0) {
                maven.destroyForcibly();
                throw new IllegalStateException("Maven could not resolve " + template + "; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Files.createDirectories(target.getParent());
        deleteRecursively(target);
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String maven() {
        String home = System.getenv("MAVEN_HOME");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
            return Path.of(home, "bin", "mvn").toString();
        }
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "mvn")).filter(Files::isExecutable).findFirst().map(Path::toString)
                .orElseThrow(() -> new IllegalStateException("Maven (mvn) is needed on PATH once, to resolve Kafka Connect and Debezium"));
    }

    static Path cacheRoot() {
        String configured = System.getenv("STREAMPIPE_CACHE");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "streampipe");
    }

    static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
