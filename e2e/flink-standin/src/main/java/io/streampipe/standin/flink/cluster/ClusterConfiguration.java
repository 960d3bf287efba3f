package io.streampipe.standin.flink.cluster;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configuration file of a local cluster: the caller's flinkConfiguration, this machine's defaults where it says
 * nothing, and the keys the stand-in decides (addresses, ports, directories, memory, slots), which win. Every JVM
 * binds to 127.0.0.1 only; ports are free ones, or 0 where nobody needs to know them in advance.
 */
final class ClusterConfiguration {
    static final String LOOPBACK = "127.0.0.1";

    /** Used where the caller's configuration says nothing. */
    static final Map<String, String> MACHINE_DEFAULTS = Map.of(
            // On Kubernetes the JobManager hears of a deleted TaskManager pod at once; here only a failed heartbeat
            // tells it (two in a row, heartbeat.rpc-failure-threshold), so they come every 2 s instead of 10 s.
            "heartbeat.interval", "2s",
            // With Flink's 0.4, a 1g TaskManager leaves the job 26m of task heap; RocksDB needs little here.
            "taskmanager.memory.managed.fraction", "0.2");

    private ClusterConfiguration() {
    }

    /**
     * @param directories where the cluster's files go
     * @param rpcPort     the JobManager's RPC port, which the TaskManagers are told
     * @param restAddress the address the REST API binds to and clients are told
     * @param restPort    the REST port, which clients are told
     */
    static Map<String, String> of(ClusterSettings settings, Directories directories, int rpcPort, String restAddress, int restPort) {
        Map<String, String> conf = new TreeMap<>(MACHINE_DEFAULTS);
        conf.putAll(settings.flinkConfiguration());
        conf.put("jobmanager.rpc.address", LOOPBACK);
        conf.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        conf.put("jobmanager.bind-host", LOOPBACK);
        conf.put("rest.address", restAddress);
        conf.put("rest.bind-address", restAddress);
        conf.put("rest.port", Integer.toString(restPort));
        conf.remove("rest.bind-port");
        conf.put("taskmanager.host", LOOPBACK);
        conf.put("taskmanager.bind-host", LOOPBACK);
        conf.put("taskmanager.rpc.port", "0");
        conf.put("taskmanager.data.port", "0");
        conf.put("blob.server.port", "0");
        conf.put("metrics.internal.query-service.port", "0");
        conf.put("jobmanager.memory.process.size", settings.jobManagerProcessMemory());
        conf.put("taskmanager.memory.process.size", settings.taskManagerProcessMemory());
        conf.put("taskmanager.numberOfTaskSlots", Integer.toString(settings.slotsPerTaskManager()));
        conf.put("io.tmp.dirs", directories.tmp().toString());
        conf.put("web.upload.dir", directories.jars().toString());
        conf.put("web.tmpdir", directories.web().toString());
        return conf;
    }

    /**
     * The keys of the metric reporters that listen on a port ({@code metrics.reporter.<name>.port}, e.g. the
     * Prometheus reporter's 9249): every JVM of every cluster on this machine would want the same one, so each JVM
     * gets a free port of its own as a dynamic property.
     */
    static List<String> reporterPortKeys(Map<String, String> conf) {
        return conf.keySet().stream()
                .filter(key -> key.startsWith("metrics.reporter.") && key.endsWith(".port"))
                .toList();
    }

    /**
     * The file Flink 1.20 reads from {@code --configDir}: one flat key per line, each value a double-quoted YAML
     * scalar (JSON string syntax), so no value is ever read as a number, a list or a comment.
     */
    static String toYaml(Map<String, String> conf) {
        StringBuilder yaml = new StringBuilder("# Written by the stand-in's LocalFlinkCluster; read by Flink with --configDir.\n");
        new TreeMap<>(conf).forEach((key, value) -> yaml.append(quoted(key)).append(": ").append(quoted(value)).append('\n'));
        return yaml.toString();
    }

    private static String quoted(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }

    /** The layout of a cluster's work directory. */
    record Directories(Path root) {
        Path conf() {
            return root.resolve("conf");
        }

        Path logs() {
            return root.resolve("log");
        }

        Path tmp() {
            return root.resolve("tmp");
        }

        Path jars() {
            return root.resolve("jars");
        }

        Path web() {
            return root.resolve("web");
        }
    }
}
