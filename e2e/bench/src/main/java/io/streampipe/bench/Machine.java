package io.streampipe.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** What the figures were measured on: printed first by every benchmark, the load again at the end. */
final class Machine {
    private Machine() {
    }

    static void report() {
        Report.line("date", Instant.now().toString());
        Report.line("nproc", Runtime.getRuntime().availableProcessors());
        Report.line("cpu_model", firstValue(Path.of("/proc/cpuinfo"), "model name"));
        Report.line("mem_total", firstValue(Path.of("/proc/meminfo"), "MemTotal"));
        Report.line("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        reportLoad("load_avg_start");
    }

    static void reportLoad(String key) {
        Report.line(key, loadAverage());
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String firstValue(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.stream().filter(l -> l.startsWith(key)).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
