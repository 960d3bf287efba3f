package io.streampipe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka Connect worker in standalone mode ({@code ConnectStandalone}, Kafka {@link BenchVersions#KAFKA}) in a
 * child JVM on its own classpath, with the Debezium JDBC sink on its plugin path and JSON converters with schemas.
 * Connectors are created and deleted through its REST API, so one worker serves every repetition.
 */
final class ConnectWorker implements AutoCloseable {
    /** Kafka's own start scripts: kafka-run-class.sh's KAFKA_JVM_PERFORMANCE_OPTS, connect-*.sh's heap. */
    private static final List<String> JVM_OPTIONS = List.of("-Xms256m", "-Xmx2g", "-server", "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
            "-Djava.awt.headless=true");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Process watchdog;
    private final Path workDirectory;
    private final String restUrl;
    private final HttpClient http = HttpClient.newHttpClient();

    private ConnectWorker(Process process, Process watchdog, Path workDirectory, String restUrl) {
        this.process = process;
        this.watchdog = watchdog;
        this.workDirectory = workDirectory;
        this.restUrl = restUrl;
    }

    /**
     * @param workerProperties extra worker settings, e.g. {@code consumer.max.poll.records}
     * @param jvmOptions       extra JVM options, e.g. a flight recording
     */
    static ConnectWorker start(String bootstrapServers, Map<String, String> workerProperties, List<String> jvmOptions) {
        ConnectClasspath classpath = ConnectClasspath.resolve();
        try {
            Path work = Files.createTempDirectory("streampipe-connect-");
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            Map<String, String> worker = new LinkedHashMap<>();
            worker.put("bootstrap.servers", bootstrapServers);
            worker.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
            worker.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
            worker.put("key.converter.schemas.enable", "true");
            worker.put("value.converter.schemas.enable", "true");
            worker.put("offset.storage.file.filename", work.resolve("connect.offsets").toString());
            worker.put("offset.flush.interval.ms", "10000");
            worker.put("listeners", "http://127.0.0.1:" + port);
            worker.put("plugin.path", classpath.plugins.toString());
            worker.putAll(workerProperties);
            StringBuilder properties = new StringBuilder();
            worker.forEach((k, v) -> properties.append(k).append('=').append(v).append('\n'));
            Path workerFile = work.resolve("worker.properties");
            Files.writeString(workerFile, properties);
            Path log4j = work.resolve("log4j.properties");
            Files.writeString(log4j, """
                    log4j.rootLogger=INFO, file
                    log4j.appender.file=org.apache.log4j.FileAppender
                    log4j.appender.file.File=%s
                    log4j.appender.file.layout=org.apache.log4j.PatternLayout
                    log4j.appender.file.layout.ConversionPattern=[%%d] %%p %%m (%%c)%%n
                    log4j.logger.org.apache.kafka.clients=WARN
                    log4j.logger.org.reflections=ERROR
                    """.formatted(work.resolve("connect.log")));

            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(JVM_OPTIONS);
            command.addAll(jvmOptions);
            command.add("-Dlog4j.configuration=" + log4j.toUri());
            command.add("-cp");
            command.add(classpath.lib.resolve("*").toString());
            command.add("org.apache.kafka.connect.cli.ConnectStandalone");
            command.add(workerFile.toString());
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(work.resolve("stdout.log").toFile()).start();
            Process watchdog = new ProcessBuilder("/bin/sh", "-c",
                    "while kill -0 $0 2>/dev/null; do kill -0 $1 2>/dev/null || exit 0; sleep 1; done; kill -9 $1",
                    Long.toString(ProcessHandle.current().pid()), Long.toString(process.pid()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            ConnectWorker connect = new ConnectWorker(process, watchdog, work, "http://127.0.0.1:" + port);
            Runtime.getRuntime().addShutdownHook(new Thread(connect::stopProcess));
            connect.awaitReady();
            return connect;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start Kafka Connect", e);
        }
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return workDirectory.resolve("connect.log");
    }

    void createConnector(String name, Map<String, String> config) {
        var body = JSON.createObjectNode().put("name", name);
        body.set("config", JSON.valueToTree(config));
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(restUrl + "/connectors"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("Kafka Connect refused connector " + name + ": " + response.statusCode() + " " + response.body());
        }
    }

    /** Fails with the task's trace if the connector or a task has failed. */
    void requireRunning(String name) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(restUrl + "/connectors/" + name + "/status")).GET().build());
        if (response.statusCode() != 200) {
            return;
        }
        try {
            JsonNode status = JSON.readTree(response.body());
            if ("FAILED".equals(status.path("connector").path("state").asText())) {
                throw new IllegalStateException("Connector " + name + " failed: " + status.path("connector").path("trace").asText());
            }
            for (JsonNode task : status.path("tasks")) {
                if ("FAILED".equals(task.path("state").asText())) {
                    throw new IllegalStateException("Task " + task.path("id").asText() + " of " + name + " failed: " + task.path("trace").asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void deleteConnector(String name) {
        send(HttpRequest.newBuilder(URI.create(restUrl + "/connectors/" + name)).DELETE().build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (send(HttpRequest.newBuilder(URI.create(restUrl + "/connectors/" + name)).GET().build()).statusCode() != 404) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Connector " + name + " still exists 60 s after DELETE");
            }
            sleep(200);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka Connect exited with " + process.exitValue() + "; see " + workDirectory);
            }
            try {
                HttpResponse<String> plugins = http.send(HttpRequest.newBuilder(URI.create(restUrl + "/connector-plugins"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (plugins.statusCode() == 200) {
                    if (!plugins.body().contains("io.debezium.connector.jdbc.JdbcSinkConnector")) {
                        throw new IllegalStateException("Kafka Connect does not list the Debezium JDBC sink: " + plugins.body());
                    }
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Kafka Connect not ready after 180 s; see " + workDirectory);
            }
            sleep(250);
        }
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("Kafka Connect REST call failed: " + request, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void stopProcess() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        watchdog.destroy();
    }

    /** Stops the worker; its directory (logs) is kept when {@code keepLogs}, else deleted. */
    void close(boolean keepLogs) {
        stopProcess();
        if (!keepLogs) {
            try {
                ConnectClasspath.deleteRecursively(workDirectory);
            } catch (IOException e) {
                Report.progress("could not delete %s: %s", workDirectory, e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        close(false);
    }
}
