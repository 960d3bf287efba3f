package io.streampipe.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * CPU seconds used by a process and its descendants (from /proc), so each figure can say where the cores went: the
 * benchmark JVM (Flink job or ceiling), the Kafka Connect worker, the broker, PostgreSQL.
 */
final class ProcessCpu {
    /** USER_HZ: 100 on every Linux this runs on. */
    private static final double TICKS_PER_SECOND = 100;
    private final long pid;
    private final boolean withDescendants;

    private ProcessCpu(long pid, boolean withDescendants) {
        this.pid = pid;
        this.withDescendants = withDescendants;
    }

    /** A process and its descendants (PostgreSQL's postmaster and its backends). */
    static ProcessCpu of(long pid) {
        return new ProcessCpu(pid, true);
    }

    /** This JVM alone: the services it started are children of it and are metered on their own. */
    static ProcessCpu self() {
        return new ProcessCpu(ProcessHandle.current().pid(), false);
    }

    /** The oldest process whose command line contains {@code fragment} (e.g. a service's work directory). */
    static Optional<ProcessCpu> find(String fragment) {
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            return entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> commandLine(p).contains(fragment))
                    .map(p -> Long.parseLong(p.getFileName().toString()))
                    .min(Long::compare)
                    .map(ProcessCpu::of);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    long pid() {
        return pid;
    }

    /** CPU seconds so far: the process, and when metered with descendants its reaped children and live descendants. */
    double seconds() {
        long ticks = ticks(pid, withDescendants);
        var handle = ProcessHandle.of(pid);
        if (withDescendants && handle.isPresent()) {
            ticks += handle.get().descendants().mapToLong(d -> ticks(d.pid(), false)).sum();
        }
        return ticks / TICKS_PER_SECOND;
    }

    private static long ticks(long pid, boolean withReapedChildren) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long own = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return withReapedChildren ? own + Long.parseLong(fields[13]) + Long.parseLong(fields[14]) : own;
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    private static String commandLine(Path process) {
        try {
            return new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException gone) {
            return "";
        }
    }
}
