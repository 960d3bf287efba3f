package io.streampipe.sandbox.demo;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.api.SpecValidator;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.job.sink.kafka.KafkaSinks;
import io.streampipe.sandbox.Errors;
import io.streampipe.sandbox.LocalRun;
import io.streampipe.sandbox.PipelineTables;
import io.streampipe.sandbox.PipelineTopics;
import io.streampipe.sandbox.Settings;
import io.streampipe.sandbox.TableFeed;
import io.streampipe.sandbox.TopicFeed;
import io.streampipe.sandbox.generator.EventGenerator;
import io.streampipe.sandbox.generator.EventProducer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code e2e/bin/sandbox demo <manifest>}: the operator at work on the sandbox. Applies the manifest with kubectl,
 * produces realistic events into its topic, and prints, as they change, the pipeline's status as the operator writes
 * it, the rows of its result, late-data and dead-letter tables and the records of its Kafka sink's topics, with the
 * kubectl lines that drive the operator from another terminal. Ctrl-C (or the end of {@code --duration}) stops the generator; the script then stops the sandbox.
 */
public final class OperatorDemo implements AutoCloseable {
    static final String KUBE_BIN_ENV = "KUBE_BIN_DIR";
    private static final Duration POLL_INTERVAL = Duration.ofSeconds(1);
    private static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(10);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofMillis(500);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final Settings settings;
    private final StreamingPipeline pipeline;
    private final PrintStream out;
    private KubernetesClient client;
    private PipelineEndpoints endpoints;
    private PipelineTables tables;
    private PipelineTopics topics;
    private TableFeed feed;
    private TopicFeed topicFeed;
    private EventProducer producer;
    private boolean generatorStarted;
    private StatusWatch status;
    private long appliedNanos;
    private Duration firstResultAfterApply;
    /** row (in the result table) or record (on the result topic) */
    private String firstResult;
    private volatile boolean stopping;
    private boolean closed;

    OperatorDemo(Settings settings, StreamingPipeline pipeline, PrintStream out) {
        this.settings = settings;
        this.pipeline = pipeline;
        this.out = out;
    }

    public static void main(String[] args) {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("sandbox demo: " + e.getMessage());
            System.err.print(Settings.usage("demo"));
            System.err.println("  --keep                 leave the sandbox up afterwards (default: Ctrl-C stops it too)");
            System.exit(2);
            return;
        }
        StreamingPipeline pipeline;
        try {
            pipeline = read(settings.manifest());
        } catch (IllegalArgumentException e) {
            System.err.println(settings.manifest() + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        OperatorDemo demo = new OperatorDemo(settings, pipeline, System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            demo.stopping = true;
            demo.close();
        }, "operator-demo-stop"));
        int exitStatus = 0;
        try {
            demo.start();
            demo.watch();
            demo.drain();
        } catch (IllegalArgumentException e) {
            exitStatus = demo.reportFailure("sandbox demo: " + e.getMessage(), 2);
        } catch (Exception e) {
            exitStatus = demo.reportFailure("sandbox demo failed: " + Errors.describe(e), 1);
        }
        demo.close();
        System.exit(exitStatus);
    }

    /** The manifest's StreamingPipeline, its spec valid. */
    static StreamingPipeline read(Path manifest) {
        StreamingPipeline pipeline;
        try (InputStream in = Files.newInputStream(manifest)) {
            pipeline = Serialization.unmarshal(in, StreamingPipeline.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a StreamingPipeline manifest: " + Errors.describe(e), e);
        }
        if (pipeline == null || pipeline.getMetadata() == null || pipeline.getMetadata().getName() == null || pipeline.getSpec() == null) {
            throw new IllegalArgumentException("a StreamingPipeline manifest needs metadata.name and spec");
        }
        List<String> problems = SpecValidator.problems(pipeline.getSpec());
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("not a valid pipeline:\n  " + String.join("\n  ", problems));
        }
        return pipeline;
    }

    /** Connects, prints what will happen and the lines to paste, applies the manifest and starts the generator. */
    void start() throws Exception {
        String name = pipeline.getMetadata().getName();
        out.println("streampipe demo of " + settings.manifest() + " on the sandbox (seed " + settings.seed()
                + "; Ctrl-C stops it" + (settings.duration() == null ? "" : ", or the end of --duration " + settings.duration().toSeconds() + "s") + ")");
        client = new KubernetesClientBuilder().build();
        String namespace = pipeline.getMetadata().getNamespace() != null ? pipeline.getMetadata().getNamespace()
                : client.getNamespace() != null ? client.getNamespace() : "default";
        endpoints = PipelineEndpoints.of(client, namespace, pipeline.getSpec());
        out.println("  pipeline     " + namespace + "/" + name + ": " + endpoints.description());
        watchTables();
        if (settings.eventsPerSecond() > 0) {
            prepareGenerator();
        }
        String log = System.getProperty(LocalRun.LOG_PROPERTY);
        if (log != null) {
            out.println("  logs         " + log + " (the demo's Kafka and Kubernetes clients)");
        }
        printPasteCommands(namespace, name);
        status = StatusWatch.start(client, namespace, name, this::print);
        apply();
        out.println("The status when it changes, " + (feed == null ? "records as they land (+ new, - a tombstone)"
                : topicFeed == null ? "rows as they land (+ new, ~ changed, - deleted)"
                : "rows and records as they land (+ new, ~ changed, - deleted or a tombstone)") + ", a summary every "
                + SUMMARY_INTERVAL.toSeconds() + " s; times UTC:");
    }

    /**
     * Prints what lands in the tables every second, until {@code --duration} after {@code kubectl apply} has passed or
     * the demo is stopped; starts the generator once the job runs.
     */
    void watch() throws Exception {
        long deadline = settings.duration() == null ? Long.MAX_VALUE : appliedNanos + settings.duration().toNanos();
        long nextSummary = System.nanoTime() + SUMMARY_INTERVAL.toNanos();
        while (!stopping && System.nanoTime() < deadline) {
            Thread.sleep(POLL_INTERVAL.toMillis());
            startGeneratorOnceTheJobRuns();
            pollTables();
            if (System.nanoTime() >= nextSummary) {
                print(summary());
                nextSummary += SUMMARY_INTERVAL.toNanos();
            }
        }
    }

    /** After {@code --duration}: stops generating and waits (at most 30 s) for the dead letters of what was sent. */
    void drain() throws Exception {
        if (stopping || !generatorStarted) {
            return;
        }
        producer.stop();
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (!stopping && System.nanoTime() < deadline && deadLetters() < producer.rejectedCount()) {
            Thread.sleep(POLL_INTERVAL.toMillis());
            pollTables();
        }
        print(settings.duration().toSeconds() + " s after kubectl apply, generator stopped; " + summary());
    }

    /** Stops the generator and the watches; the pipeline keeps running (the script stops the sandbox, or --keep keeps it). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stopping = true;
        closed = true;
        if (producer != null) {
            run("stop the generator", producer::close);
        }
        if (status != null) {
            run("stop watching the pipeline", status::close);
        }
        if (feed != null) {
            run("close the database connection", feed::close);
        }
        if (topicFeed != null) {
            run("close the sink topic's consumer", topicFeed::close);
        }
        if (client != null) {
            run("close the Kubernetes client", client::close);
        }
        if (appliedNanos != 0) {
            print("stopped the demo" + (generatorStarted ? " and its generator after " + producer.acknowledged() + " events" : "")
                    + "; from kubectl apply: " + timings());
        }
    }

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    private void watchTables() throws SQLException {
        tables = PipelineTables.of(pipeline.getSpec());
        topics = PipelineTopics.of(pipeline.getSpec());
        if (!tables.isEmpty()) {
            feed = TableFeed.start(tables, endpoints::newConnection, out);
        }
        if (!topics.isEmpty()) {
            // As the local run does: a read_committed consumer with the sink's own connection settings. A login the
            // job takes from a Secret through its environment is not in this JVM: then the feed is left out, said so.
            try {
                topicFeed = TopicFeed.start(topics, KafkaSinks.connectionProperties(pipeline.getSpec().sink.kafka), out);
            } catch (RuntimeException e) {
                out.println("  topics       not shown (" + String.join(", ", topics.roles().keySet()) + "): " + Errors.describe(e));
            }
        }
    }

    /** Dead letters that landed since the start; unknown (as if all) when their topic could not be watched. */
    private long deadLetters() {
        if (tables.deadLetter() != null) {
            return feed.newRows(tables.deadLetter());
        }
        return topicFeed == null ? Long.MAX_VALUE : topicFeed.newRecords(topics.deadLetter());
    }

    /**
     * Like the local run, the generator waits for the job: events it sends earlier would be read as one backlog
     * before the first watermark, so even its too-late events would count in windows, which is Flink's behaviour
     * but not what the demo sets out to show.
     */
    private void startGeneratorOnceTheJobRuns() {
        if (producer == null || generatorStarted) {
            return;
        }
        boolean jobRunning = status.latest()
                .map(latest -> latest.getStatus() != null && latest.getStatus().job != null && "RUNNING".equals(latest.getStatus().job.state))
                .orElse(false);
        if (jobRunning) {
            producer.start();
            generatorStarted = true;
            print("generator started: " + settings.eventsPerSecond() + " events/s into " + endpoints.topic());
        }
    }

    private void prepareGenerator() {
        EventGenerator generator = EventGenerator.of(pipeline.getSpec(), settings.seed(), settings.eventsPerSecond(), settings.speed());
        int partitions;
        try {
            producer = new EventProducer(generator, endpoints.kafkaClient(), endpoints.topic(), settings.eventsPerSecond());
            partitions = producer.partitions();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("could not produce to topic " + endpoints.topic() + " at "
                    + pipeline.getSpec().source.kafka.bootstrapServers + " (" + Errors.describe(e)
                    + "); the sandbox serves kafka:9092 with the topics the examples name", e);
        }
        List<String> description = generator.description();
        out.println("  generator    " + settings.eventsPerSecond() + " events/s into " + endpoints.topic() + " (" + partitions
                + " partitions), once the job runs: " + description.get(0));
        description.subList(1, description.size()).forEach(line -> out.println("               " + line));
    }

    private void printPasteCommands(String namespace, String name) {
        Path kubeconfig = Path.of(System.getenv().getOrDefault("KUBECONFIG", "~/.kube/config"));
        Path kubectl = Path.of(System.getenv().getOrDefault(KUBE_BIN_ENV, "."));
        out.println();
        out.println("Paste these into another terminal while it runs; the status lines below show what the operator does:");
        out.println("  " + PasteCommands.exportLine(kubeconfig, kubectl));
        var spec = pipeline.getSpec();
        for (PasteCommands.Command command : PasteCommands.of(namespace, name, spec.parallelism, spec.transform.window != null)) {
            out.println("  # " + command.comment());
            out.println("  " + command.line());
        }
        out.println();
    }

    /** {@code kubectl apply -f <manifest>}, as a user runs it, with its output; the origin of the measured times. */
    private void apply() throws IOException, InterruptedException {
        out.println("$ kubectl apply -f " + settings.manifest());
        appliedNanos = System.nanoTime();
        status.applyStarted(appliedNanos);
        Process kubectl = new ProcessBuilder("kubectl", "apply", "-f", settings.manifest().toString())
                .redirectErrorStream(true)
                .start();
        try (BufferedReader output = new BufferedReader(new InputStreamReader(kubectl.getInputStream(), StandardCharsets.UTF_8))) {
            output.lines().forEach(out::println);
        }
        if (kubectl.waitFor() != 0) {
            throw new IllegalArgumentException("kubectl apply -f " + settings.manifest() + " failed (exit status " + kubectl.exitValue() + ")");
        }
    }

    private void pollTables() throws SQLException {
        List<String> lines = new ArrayList<>(feed == null ? List.of() : feed.poll(stopping));
        if (topicFeed != null) {
            lines.addAll(topicFeed.poll());
        }
        lines.forEach(this::print);
        if (firstResultAfterApply == null) {
            // The first result in the table or on the topic, whichever shows first (a row, or a record).
            String row = tables.result() == null ? null : "+ " + tables.result() + " ";
            String record = topics.result() == null ? null : "+ " + topics.result() + " ";
            lines.stream().filter(line -> row != null && line.startsWith(row) || record != null && line.startsWith(record))
                    .findFirst().ifPresent(line -> {
                        firstResultAfterApply = Duration.ofNanos(System.nanoTime() - appliedNanos);
                        firstResult = row != null && line.startsWith(row) ? "row" : "record";
                        print("first result " + firstResult + " " + seconds(firstResultAfterApply) + " after kubectl apply");
                    });
        }
    }

    private String summary() {
        List<String> parts = new ArrayList<>();
        if (producer != null && !generatorStarted) {
            parts.add("the generator waits for the job to run");
        } else if (producer != null) {
            parts.add(producer.acknowledged() + " events produced (" + producer.rejectedCount() + " broken)"
                    + (producer.failed() > 0 ? ", " + producer.failed() + " failed to send: " + producer.firstFailure() : ""));
        }
        status.latest().ifPresentOrElse(latest -> {
            var observed = latest.getStatus();
            parts.add("job " + StatusLine.job(observed == null ? null : observed.job));
            if (observed != null && observed.lastCheckpoint != null && observed.lastCheckpoint.time != null) {
                parts.add("checkpoint " + StatusLine.time(observed.lastCheckpoint.time));
            }
        }, () -> parts.add("no pipeline"));
        if (feed != null) {
            parts.add(feed.rowCounts());
        }
        if (topicFeed != null) {
            parts.add(topicFeed.recordCount());
        }
        return String.join(" · ", parts);
    }

    private String timings() {
        String ready = status.readyBeforeApply() ? "Ready already before it"
                : status.readyAfterApply().map(after -> "Ready=True after " + seconds(after)).orElse("not Ready yet");
        String result = firstResultAfterApply == null ? "no result yet"
                : "first result " + firstResult + " after " + seconds(firstResultAfterApply);
        return ready + ", " + result;
    }

    /** Reports why the demo failed, unless it is being stopped (then what failed is the stop's doing). */
    private int reportFailure(String message, int exitStatus) {
        try {
            Thread.sleep(STOP_GRACE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopping) {
            return 0;
        }
        System.err.println(message);
        return exitStatus;
    }

    private void print(String line) {
        synchronized (out) {
            out.println(CLOCK.format(Instant.now()) + " " + line);
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private void run(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            System.err.println("sandbox demo: could not " + what + ": " + Errors.describe(e));
        }
    }
}
