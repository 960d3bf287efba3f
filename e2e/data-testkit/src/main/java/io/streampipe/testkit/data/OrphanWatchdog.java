package io.streampipe.testkit.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A tiny shell process that outlives a killed test JVM. While the JVM lives it only sleeps;
 * once the JVM is gone (SIGKILL, crash: no shutdown hook ran) it signals the service process
 * and deletes the service's work directory. It exits by itself when the service stops first.
 */
final class OrphanWatchdog implements AutoCloseable {

  private static final String SCRIPT = """
      jvm=$1 service=$2 signal=$3 dir=$4
      while kill -0 "$jvm" 2>/dev/null; do
        kill -0 "$service" 2>/dev/null || exit 0
        sleep 1
      done
      kill -s "$signal" "$service" 2>/dev/null
      for _ in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 "$service" 2>/dev/null || break
        sleep 0.5
      done
      kill -s KILL "$service" 2>/dev/null
      rm -rf "$dir"
      """;

  private final Process process;

  private OrphanWatchdog(Process process) {
    this.process = process;
  }

  /**
   * @param signal what the service gets when the JVM is gone, e.g. {@code QUIT} (PostgreSQL's
   *     immediate shutdown); {@code KILL} follows if it is still alive five seconds later
   */
  static OrphanWatchdog watch(long servicePid, String signal, Path workDir) {
    var command = new ProcessBuilder("/bin/sh", "-c", SCRIPT, "orphan-watchdog",
        Long.toString(ProcessHandle.current().pid()), Long.toString(servicePid), signal,
        workDir.toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    try {
      return new OrphanWatchdog(command.start());
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start the orphan watchdog (sh)", e);
    }
  }

  @Override
  public void close() {
    process.destroy();
  }
}
