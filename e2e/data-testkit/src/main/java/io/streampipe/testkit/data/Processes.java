package io.streampipe.testkit.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Running and stopping the child processes of the testkit, with their output in log files. */
final class Processes {

  private static final int TAIL_LINES = 40;

  private Processes() {}

  /** Starts a long-running process whose stdout and stderr are appended to {@code log}. */
  static Process start(List<String> command, Path log) {
    try {
      return new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start " + command.get(0), e);
    }
  }

  /**
   * Runs a command to completion, its output appended to {@code log}.
   *
   * @throws IllegalStateException if it fails or takes longer than {@code timeout}; the
   *     message names the log and quotes its end
   */
  static void run(String what, List<String> command, Path log, Duration timeout) {
    Process process = start(command, log);
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        stop(process, Duration.ZERO);
        throw new IllegalStateException(what + " took longer than " + timeout.toSeconds()
            + " s and was killed. " + describeLog(log));
      }
    } catch (InterruptedException e) {
      stop(process, Duration.ZERO);
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " was interrupted", e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          what + " failed with exit code " + process.exitValue() + ". " + describeLog(log));
    }
  }

  /** Asks the process to stop (SIGTERM), then kills it and its children after {@code grace}. */
  static void stop(Process process, Duration grace) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** "Log: <path>" followed by its last lines, for exception messages. */
  static String describeLog(Path log) {
    List<String> lines;
    try {
      lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return "Log: " + log + " (unreadable: " + e.getMessage() + ")";
    }
    List<String> tail = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
    return "Log: " + log + "\n--- last " + tail.size() + " lines ---\n" + String.join("\n", tail);
  }
}
