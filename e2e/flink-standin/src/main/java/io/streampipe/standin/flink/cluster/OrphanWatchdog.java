package io.streampipe.standin.flink.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A tiny shell process that outlives a killed parent JVM, as data-testkit's watchdog of the same name does for Kafka
 * and PostgreSQL (that one is package-private there, and deletes the service's directory, which here holds the logs
 * the caller wants): while this JVM lives it only sleeps; once it is gone (SIGKILL, crash: no shutdown hook ran) it
 * sends the Flink JVM SIGTERM, then SIGKILL five seconds later. It exits by itself when the Flink JVM stops first.
 */
final class OrphanWatchdog implements AutoCloseable {
    private static final String SCRIPT = """
            parent=$1 child=$2
            while kill -0 "$parent" 2>/dev/null; do
              kill -0 "$child" 2>/dev/null || exit 0
              sleep 1
            done
            kill -s TERM "$child" 2>/dev/null
            for _ in 1 2 3 4 5 6 7 8 9 10; do
              kill -0 "$child" 2>/dev/null || exit 0
              sleep 0.5
            done
            kill -s KILL "$child" 2>/dev/null
            """;

    private final Process process;

    private OrphanWatchdog(Process process) {
        this.process = process;
    }

    static OrphanWatchdog watch(Process child) {
        var command = new ProcessBuilder("/bin/sh", "-c", SCRIPT, "flink-orphan-watchdog",
                Long.toString(ProcessHandle.current().pid()), Long.toString(child.pid()))
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
