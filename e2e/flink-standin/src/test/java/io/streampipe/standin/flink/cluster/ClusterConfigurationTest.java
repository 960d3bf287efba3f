package io.streampipe.standin.flink.cluster;

import io.streampipe.standin.flink.cluster.ClusterConfiguration.Directories;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterConfigurationTest {
    private static final Directories DIRECTORIES = new Directories(Path.of("/work/cluster"));

    @Test
    void theCallersKeysStayTheMachinesKeysWinAndDefaultsFillOnlyGaps() {
        ClusterSettings settings = ClusterSettings.of(DIRECTORIES.root())
                .withTaskManagers(1, 3)
                .withProcessMemory("800m", "1200m")
                .withFlinkConfiguration(Map.of(
                        "state.backend.type", "rocksdb",
                        "rest.port", "8081",
                        "rest.bind-port", "8080-8090",
                        "jobmanager.rpc.address", "flink-jobmanager",
                        "taskmanager.numberOfTaskSlots", "1",
                        "taskmanager.memory.process.size", "4g",
                        "heartbeat.interval", "10s"));

        Map<String, String> conf = ClusterConfiguration.of(settings, DIRECTORIES, 6123, "127.0.0.1", 41000);

        assertThat(conf)
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("heartbeat.interval", "10s")
                .containsEntry("taskmanager.memory.managed.fraction", "0.2")
                .containsEntry("rest.port", "41000")
                .containsEntry("rest.bind-address", "127.0.0.1")
                .containsEntry("jobmanager.rpc.address", "127.0.0.1")
                .containsEntry("jobmanager.rpc.port", "6123")
                .containsEntry("taskmanager.bind-host", "127.0.0.1")
                .containsEntry("taskmanager.numberOfTaskSlots", "3")
                .containsEntry("jobmanager.memory.process.size", "800m")
                .containsEntry("taskmanager.memory.process.size", "1200m")
                .containsEntry("io.tmp.dirs", "/work/cluster/tmp")
                .containsEntry("web.upload.dir", "/work/cluster/jars")
                .doesNotContainKey("rest.bind-port");
    }

    @Test
    void reportersThatListenOnAPortAreFound() {
        Map<String, String> conf = Map.of(
                "metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                "metrics.reporter.prom.port", "9249",
                "metrics.reporter.slf4j.interval", "60 SECONDS");

        assertThat(ClusterConfiguration.reporterPortKeys(conf)).containsExactly("metrics.reporter.prom.port");
    }

    /** Double-quoted scalars: a value is never read as a number, a list, a mapping or a comment. */
    @Test
    void everyValueIsWrittenAsAQuotedString() {
        String yaml = ClusterConfiguration.toYaml(Map.of(
                "parallelism.default", "2",
                "env.java.opts.all", "-Da=\"b\" -Dc=d:e # f",
                "pipeline.name", "back\\slash\nnewline"));

        assertThat(yaml.lines().skip(1)).containsExactly(
                "\"env.java.opts.all\": \"-Da=\\\"b\\\" -Dc=d:e # f\"",
                "\"parallelism.default\": \"2\"",
                "\"pipeline.name\": \"back\\\\slash\\nnewline\"");
    }
}
