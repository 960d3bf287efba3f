package io.streampipe.testkit.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka broker's jars (kafka_2.13 and its runtime dependencies), resolved once with Maven
 * into {@code $STREAMPIPE_CACHE/kafka-broker-<version>/lib} (default cache:
 * {@code ~/.cache/streampipe}) and reused from there. {@code e2e/bin/data-services prefetch}
 * fills the same directory from the same pom, for CI to warm up before the tests.
 */
final class KafkaBrokerClasspath {

  /** The broker version, from the parent pom's {@code kafka-broker.version}. */
  static final String VERSION = readBrokerVersion();

  private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerClasspath.class);
  private static final String RESOLVER_POM = "kafka-broker-pom.xml";
  private static final Duration RESOLVE_TIMEOUT = Duration.ofMinutes(10);

  private KafkaBrokerClasspath() {}

  /** The directory of the broker's jars; resolves it first if it is not cached yet. */
  static synchronized Path libDirectory() {
    Path cacheDirectory = cacheRoot().resolve("kafka-broker-" + VERSION);
    Path lib = cacheDirectory.resolve("lib");
    if (isComplete(lib)) {
      return lib;
    }
    try {
      Files.createDirectories(cacheDirectory);
      // Test JVMs of modules built in parallel may all arrive here; one resolves, the rest wait.
      try (FileChannel lockFile = FileChannel.open(cacheDirectory.resolve(".lock"),
              StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
        if (!isComplete(lib)) {
          WorkDirectories.deleteRecursively(lib);
          resolveWithMaven(cacheDirectory, lib);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not prepare the Kafka broker cache " + cacheDirectory, e);
    }
    return lib;
  }

  private static boolean isComplete(Path lib) {
    return Files.isRegularFile(lib.resolve("kafka_2.13-" + VERSION + ".jar"));
  }

  static Path cacheRoot() {
    String configured = System.getenv("STREAMPIPE_CACHE");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "streampipe");
  }

  /**
   * Copies the dependencies into a staging directory and renames it to {@code lib} only when
   * complete, so an interrupted download never looks like a cache hit.
   */
  private static void resolveWithMaven(Path cacheDirectory, Path lib) throws IOException {
    Path pom = cacheDirectory.resolve("pom.xml");
    try (InputStream template = resource(RESOLVER_POM)) {
      Files.copy(template, pom, StandardCopyOption.REPLACE_EXISTING);
    }
    String maven = mavenExecutable(lib);
    Path staging = Files.createTempDirectory(cacheDirectory, "lib-staging-");
    Path log = cacheDirectory.resolve("resolve.log");
    Files.deleteIfExists(log);
    LOG.info("Resolving the Kafka {} broker's jars with Maven into {} (once; log: {})",
        VERSION, lib, log);
    try {
      Processes.run("Resolving the Kafka broker's jars with Maven",
          List.of(maven, "-B", "-ntp", "-f", pom.toString(),
              "dependency:copy-dependencies", "-DincludeScope=runtime",
              "-DoutputDirectory=" + staging),
          log, RESOLVE_TIMEOUT);
      if (!Files.exists(staging.resolve("kafka_2.13-" + VERSION + ".jar"))) {
        throw new IllegalStateException("Maven finished but " + staging + " has no kafka_2.13-"
            + VERSION + ".jar. " + Processes.describeLog(log));
      }
      moveUnlessResolvedMeanwhile(staging, lib);
    } finally {
      WorkDirectories.deleteRecursively(staging);
    }
  }

  private static void moveUnlessResolvedMeanwhile(Path staging, Path lib) throws IOException {
    try {
      Files.move(staging, lib, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // e2e/bin/data-services prefetch (which cannot take our lock) may have finished first;
      // its copy is as good as ours.
      if (!isComplete(lib)) {
        throw e;
      }
    }
  }

  private static String mavenExecutable(Path lib) {
    for (String home : new String[] {System.getenv("MAVEN_HOME"), System.getenv("M2_HOME")}) {
      if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) {
        return Path.of(home, "bin", "mvn").toString();
      }
    }
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.of(path.split(java.io.File.pathSeparator))
        .filter(directory -> !directory.isEmpty())
        .map(directory -> Path.of(directory, "mvn"))
        .filter(Files::isExecutable)
        .findFirst()
        .map(Path::toString)
        .orElseThrow(() -> new IllegalStateException("Maven ('mvn') is not on PATH: it is needed"
            + " once to resolve the Kafka broker's jars into " + lib
            + ". Put mvn on PATH (or set MAVEN_HOME), or run e2e/bin/data-services prefetch"));
  }

  private static String readBrokerVersion() {
    Properties properties = new Properties();
    try (InputStream in = resource("data-testkit.properties")) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("kafka-broker.version");
  }

  private static InputStream resource(String name) {
    InputStream in = KafkaBrokerClasspath.class.getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException("Resource " + name + " is missing from streampipe-data-testkit");
    }
    return in;
  }
}
