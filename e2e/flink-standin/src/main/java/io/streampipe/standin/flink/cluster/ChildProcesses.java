package io.streampipe.standin.flink.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Starting and stopping the cluster's JVMs, with their output in files. */
final class ChildProcesses {
    private static final int TAIL_LINES = 30;

    private ChildProcesses() {
    }

    /** Starts {@code command} in {@code directory}, stdout and stderr appended to {@code output}. */
    static Process start(List<String> command, Path directory, Map<String, String> environment, Path output) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        builder.environment().putAll(environment);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + command.get(0), e);
        }
    }

    /** Waits for the process to end until {@code deadlineNanos} ({@link System#nanoTime()}), then kills it. */
    static void awaitOrKill(Process process, long deadlineNanos) {
        try {
            long remaining = deadlineNanos - System.nanoTime();
            if (!process.waitFor(Math.max(0, remaining), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL, and waits until the process is gone. */
    static void kill(Process process) {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static long deadline(Duration timeout) {
        return System.nanoTime() + timeout.toNanos();
    }

    /**
     * "Log: <path>" and its last lines without stack frames (the messages and their "Caused by:" lines), for
     * exception messages; nothing for an empty or missing file.
     */
    static String describe(Path file) {
        List<String> lines;
        try {
            lines = !Files.exists(file) ? List.of() : Files.readAllLines(file, StandardCharsets.ISO_8859_1).stream()
                    .filter(line -> !line.startsWith("\tat ") && !line.startsWith("\t... "))
                    .toList();
        } catch (IOException e) {
            return "\n" + file + " (unreadable: " + e.getMessage() + ")";
        }
        if (lines.isEmpty()) {
            return "";
        }
        List<String> tail = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
        return "\nLog: " + file + "\n--- last " + tail.size() + " lines ---\n" + String.join("\n", tail);
    }
}
