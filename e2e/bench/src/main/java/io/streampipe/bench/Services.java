package io.streampipe.bench;

import io.streampipe.job.sink.DatabaseCredentials;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The real Kafka broker and PostgreSQL of the data-testkit, with CPU meters on both. */
final class Services implements AutoCloseable {
    final KafkaBroker kafka = new KafkaBroker();
    final PostgresServer postgres = new PostgresServer();
    private final Map<String, ProcessCpu> meters = new LinkedHashMap<>();
    private String pinnedOthers;

    static Services start() {
        Services services = new Services();
        long start = System.nanoTime();
        services.kafka.start();
        services.postgres.start();
        services.meters.put("bench_jvm", ProcessCpu.self());
        services.meters.put("kafka", ProcessCpu.find(services.kafka.logFile().getParent().toString()).orElseThrow());
        services.meters.put("postgres", ProcessCpu.find(services.postgres.logFile().getParent().toString()).orElseThrow());
        Report.progress("Kafka %s at %s and PostgreSQL at %s up in %.1f s", KafkaBroker.version(),
                services.kafka.bootstrapServers(), services.postgres.jdbcUrl(), (System.nanoTime() - start) / 1e9);
        return services;
    }

    /**
     * Gives PostgreSQL CPU {@code databaseCpu} and everything else of ours (this JVM, the broker, later Kafka
     * Connect) the other CPUs, with {@code taskset -a}: the database on its own core, as on its own host. Backends
     * forked later inherit the postmaster's mask.
     */
    void pinDatabaseTo(int databaseCpu) {
        int cpus = Runtime.getRuntime().availableProcessors();
        StringBuilder others = new StringBuilder();
        for (int cpu = 0; cpu < cpus; cpu++) {
            if (cpu != databaseCpu) {
                others.append(others.isEmpty() ? "" : ",").append(cpu);
            }
        }
        pin(ProcessCpu.find(postgres.logFile().getParent().toString()).orElseThrow().pid(), Integer.toString(databaseCpu));
        pin(ProcessHandle.current().pid(), others.toString());
        pin(ProcessCpu.find(kafka.logFile().getParent().toString()).orElseThrow().pid(), others.toString());
        pinnedOthers = others.toString();
        Report.line("pinned", "postgres on cpu " + databaseCpu + ", benchmark JVM, broker and Kafka Connect on cpu " + others);
    }

    /** Pins a process started later (Kafka Connect) with the others, when {@link #pinDatabaseTo} was called. */
    void pinWithOthers(long pid) {
        if (pinnedOthers != null) {
            pin(pid, pinnedOthers);
        }
    }

    private static void pin(long pid, String cpus) {
        try {
            Process taskset = new ProcessBuilder("taskset", "-a", "-c", "-p", cpus, Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (taskset.waitFor() != 0) {
                throw new IllegalStateException("taskset -a -c -p " + cpus + " " + pid + " failed");
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("taskset is needed for --pin-database", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    void meter(String name, ProcessCpu cpu) {
        meters.put(name, cpu);
    }

    void unmeter(String name) {
        meters.remove(name);
    }

    /** CPU seconds of every metered process so far. */
    Map<String, Double> cpu() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        meters.forEach((name, meter) -> seconds.put(name, meter.seconds()));
        return seconds;
    }

    /** The per-process CPU seconds since {@code before}, as {@code <prefix>_cpu_<process>_s} lines. */
    void reportCpuSince(String prefix, Map<String, Double> before, double elapsedSeconds) {
        Map<String, Double> now = cpu();
        double total = 0;
        StringBuilder cores = new StringBuilder();
        for (var entry : before.entrySet()) {
            double used = now.getOrDefault(entry.getKey(), entry.getValue()) - entry.getValue();
            total += used;
            cores.append(cores.isEmpty() ? "" : " ").append(entry.getKey()).append('=').append(Report.number(used / elapsedSeconds));
        }
        Report.line(prefix + "_cores_used", cores + " total=" + Report.number(total / elapsedSeconds));
    }

    String jdbcUrl(String parameters) {
        String url = postgres.jdbcUrl();
        return parameters == null || parameters.isBlank() ? url : url + (url.contains("?") ? "&" : "?") + parameters;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
    }

    DatabaseCredentials credentials() {
        return DatabaseCredentials.of(postgres.username(), postgres.password());
    }

    @Override
    public void close() {
        postgres.close();
        kafka.close();
    }
}
