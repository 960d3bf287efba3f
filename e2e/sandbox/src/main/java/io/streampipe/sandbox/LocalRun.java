package io.streampipe.sandbox;

import io.streampipe.api.SpecValidator;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.JobOptions;
import io.streampipe.job.SpecFiles;
import io.streampipe.job.late.LateEvents;
import io.streampipe.job.sink.kafka.KafkaSinks;
import io.streampipe.job.source.ParsingDeserializer;
import io.streampipe.sandbox.generator.EventGenerator;
import io.streampipe.sandbox.generator.EventProducer;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code e2e/bin/sandbox run <manifest>}: runs a StreamingPipeline manifest on this machine, as a user would try it
 * before deploying it. The job runs on a Flink MiniCluster in this JVM, against the manifest's Kafka and PostgreSQL
 * when they answer, else against a real Kafka broker and PostgreSQL started for the run; a generator produces
 * realistic events into the topic, and the rows of the result, late-data and dead-letter tables and the records of
 * the Kafka sink's topics (results, and late data and dead letters when they go to topics) are printed as they land.
 * A manifest whose only sink is Kafka runs without PostgreSQL (unless a dimension needs one). Ctrl-C (or the end of {@code --duration}) cancels the job and stops everything the run started.
 */
public final class LocalRun implements AutoCloseable {
    static final int PARALLELISM = 2;
    /** The namespace of a local run's pipeline, which with its name gives a Kafka sink's transactional ids. */
    static final String LOCAL_NAMESPACE = "local";
    public static final String LOG_PROPERTY = "streampipe.localRun.log";
    private static final Duration POLL_INTERVAL = Duration.ofSeconds(1);
    private static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(10);
    private static final Duration JOB_START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofMillis(500);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final Settings settings;
    private final StreamingPipelineSpec spec;
    private final Map<String, String> environment;
    private final PrintStream out;
    private Path workDirectory;
    private PipelineServices services;
    private LocalFlink flink;
    private JobID job;
    private EventProducer producer;
    private TableFeed feed;
    private TopicFeed topicFeed;
    private PipelineTables tables;
    private PipelineTopics topics;
    private volatile boolean stopping;
    private boolean closed;

    /**
     * @param spec        the manifest's spec, validated; the run rewrites its endpoints and checkpoint storage
     * @param environment where credentials for the manifest's own Kafka and PostgreSQL come from
     */
    public LocalRun(Settings settings, StreamingPipelineSpec spec, Map<String, String> environment, PrintStream out) {
        this.settings = settings;
        this.spec = spec;
        this.environment = environment;
        this.out = out;
    }

    public static void main(String[] args) {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("sandbox run: " + e.getMessage());
            System.err.print(Settings.usage("run"));
            System.exit(2);
            return;
        }
        StreamingPipelineSpec spec;
        try {
            spec = SpecFiles.read(settings.manifest());
        } catch (RuntimeException e) {
            System.err.println(settings.manifest() + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        List<String> problems = SpecValidator.problems(spec);
        if (!problems.isEmpty()) {
            System.err.println(settings.manifest() + " is not a valid pipeline:");
            problems.forEach(problem -> System.err.println("  " + problem));
            System.exit(2);
            return;
        }
        LocalRun run = new LocalRun(settings, spec, System.getenv(), System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            run.stopping = true;
            run.close();
        }, "local-run-stop"));
        int status = 0;
        try {
            run.start();
            run.watch();
            run.drain();
        } catch (IllegalArgumentException e) {
            status = run.reportFailure("local run: " + e.getMessage(), 2);
        } catch (Exception e) {
            status = run.reportFailure("local run failed: " + Errors.describe(e), 1);
        }
        run.close();
        System.exit(status);
    }

    /** Starts (or finds) Kafka and PostgreSQL, the MiniCluster and the job, then the generator. */
    public void start() throws Exception {
        long startNanos = System.nanoTime();
        out.println("streampipe local run of " + settings.manifest() + " (seed " + settings.seed() + "; Ctrl-C stops it)");
        workDirectory = Files.createTempDirectory("streampipe-local-run-");
        services = PipelineServices.prepare(spec, environment, workDirectory.resolve("checkpoints").toUri().toString());
        services.description().forEach(line -> out.println("  " + line));

        flink = LocalFlink.start(workDirectory, PARALLELISM);
        out.println("  flink        MiniCluster in this JVM, parallelism " + PARALLELISM + ", dashboard " + flink.dashboard());
        long submitNanos = System.nanoTime();
        job = flink.submit(spec, JobOptions.defaults().withParallelism(PARALLELISM).withCredentials(services.credentials())
                .withPipeline(LOCAL_NAMESPACE + "/" + pipelineName()));
        if (settings.eventsPerSecond() > 0) {
            EventGenerator generator = EventGenerator.of(spec, settings.seed(), settings.eventsPerSecond(), settings.speed());
            producer = new EventProducer(generator, services.kafkaClient(), services.topic(), settings.eventsPerSecond());
            awaitSourceReading(producer.partitions(), submitNanos);
            List<String> description = generator.description();
            out.println("  generator    " + settings.eventsPerSecond() + " events/s into " + services.topic() + ": " + description.get(0));
            description.subList(1, description.size()).forEach(line -> out.println("               " + line));
        }
        watchTables();
        String log = System.getProperty(LOG_PROPERTY);
        if (log != null) {
            out.println("  logs         " + log);
        }
        out.println("Ready in " + Duration.ofNanos(System.nanoTime() - startNanos).toSeconds() + " s. "
                + (feed == null ? "Records as they land (+ new, - a tombstone"
                : topicFeed == null ? "Rows as they land (+ new, ~ changed, - deleted"
                : "Rows and records as they land (+ new, ~ changed, - deleted or a tombstone") + "; times UTC):");
        if (producer != null) {
            producer.start();
        }
    }

    /** Prints what lands in the tables, every second, until {@code --duration} has passed or the run is stopped. */
    public void watch() throws Exception {
        long deadline = settings.duration() == null ? Long.MAX_VALUE : System.nanoTime() + settings.duration().toNanos();
        long nextSummary = System.nanoTime() + SUMMARY_INTERVAL.toNanos();
        JobStatus lastStatus = JobStatus.RUNNING;
        while (!stopping && System.nanoTime() < deadline) {
            Thread.sleep(POLL_INTERVAL.toMillis());
            JobStatus status = flink.status();
            if (stopping) {
                return;
            }
            if (status.isGloballyTerminalState()) {
                Throwable cause = flink.failure().orElse(null);
                throw new IllegalStateException("the job ended (" + status + ")" + (cause == null ? "" : ": " + Errors.describe(cause)));
            }
            if (status != lastStatus) {
                print("job " + status.name().toLowerCase() + (status == JobStatus.RESTARTING ? " after a failure (details in the log)" : ""));
                lastStatus = status;
            }
            pollTables();
            if (System.nanoTime() >= nextSummary) {
                print(summary());
                nextSummary += SUMMARY_INTERVAL.toNanos();
            }
        }
    }

    /**
     * After {@code --duration}: stops generating and waits (at most 30 s) until the job has read every record and
     * the dead-letter table holds every broken one, printing what lands meanwhile.
     */
    public void drain() throws Exception {
        if (stopping || producer == null) {
            return;
        }
        producer.stop();
        long produced = producer.acknowledged();
        long broken = producer.rejectedCount();
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (!stopping && System.nanoTime() < deadline) {
            pollTables();
            long read = jobCounter(ParsingDeserializer.ACCEPTED_METRIC) + jobCounter(ParsingDeserializer.REJECTED_METRIC);
            if (read >= produced && deadLetters() >= broken) {
                break;
            }
            Thread.sleep(POLL_INTERVAL.toMillis() / 2);
        }
        Thread.sleep(POLL_INTERVAL.toMillis());
        pollTables();
        print("generated for " + settings.duration().toSeconds() + " s; " + summary());
    }

    /** Stops the generator, cancels the job, stops the MiniCluster and what the run started, deletes its files. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stopping = true;
        closed = true;
        long startNanos = System.nanoTime();
        List<String> done = new ArrayList<>();
        if (producer != null) {
            run("stop the generator", producer::close);
        }
        if (feed != null) {
            run("close the database connection", feed::close);
        }
        if (topicFeed != null) {
            run("close the sink topic's consumer", topicFeed::close);
        }
        if (flink != null) {
            run("stop the MiniCluster", flink::close);
            done.add("cancelled the job, stopped the MiniCluster");
        }
        if (services != null) {
            run("stop Kafka and PostgreSQL", services::close);
            if (services.startedAny()) {
                done.add("stopped the " + services.started() + " it started");
            }
        }
        if (workDirectory != null) {
            run("delete " + workDirectory, () -> deleteRecursively(workDirectory));
            done.add("deleted " + workDirectory);
        }
        if (!done.isEmpty()) {
            print("stopped in " + Duration.ofNanos(System.nanoTime() - startNanos).toMillis() + " ms: " + String.join(", ", done));
        }
    }

    /** The generator's producer, with its tally of what was sent (null with {@code --events-per-second 0}). */
    public EventProducer producer() {
        return producer;
    }

    /** A connection to the pipeline's database; the caller closes it. */
    public Connection newConnection() throws SQLException {
        return services.newConnection();
    }

    /** Where the run keeps checkpoints and Flink's temporary files; deleted by {@link #close()}. */
    public Path workDirectory() {
        return workDirectory;
    }

    /** The spec as run: endpoints and checkpoint storage rewritten. */
    public StreamingPipelineSpec spec() {
        return spec;
    }

    /** The manifest's file name without its extension, as a pipeline name (e.g. sensor-anomalies). */
    private String pipelineName() {
        String file = settings.manifest().getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return file.replaceAll("\\.ya?ml$", "").replaceAll("[^a-z0-9-]", "-");
    }

    /** A counter of the job (e.g. recordsAccepted), summed over its subtasks. */
    public long jobCounter(String name) {
        return job == null ? 0 : JobMetrics.sum(job, name);
    }

    /** Waits until the job's Kafka source reads every partition, so no event of the generator comes before it. */
    private void awaitSourceReading(int partitions, long submitNanos) throws Exception {
        long deadline = System.nanoTime() + JOB_START_TIMEOUT.toNanos();
        while (JobMetrics.assignedPartitions(job) < partitions) {
            JobStatus status = flink.status();
            if (status.isGloballyTerminalState()) {
                Throwable cause = flink.failure().orElse(null);
                throw new IllegalStateException("the job ended while starting (" + status + ")"
                        + (cause == null ? "" : ": " + Errors.describe(cause)));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the job's Kafka source was not reading all " + partitions + " partitions of "
                        + services.topic() + " after " + JOB_START_TIMEOUT.toSeconds() + " s (job " + status + ")");
            }
            Thread.sleep(100);
        }
        out.println("  job          running, reading the " + partitions + " partitions of " + services.topic()
                + " (submitted and started in " + Duration.ofNanos(System.nanoTime() - submitNanos).toMillis() / 100 / 10.0 + " s)");
    }

    private void watchTables() throws SQLException {
        tables = PipelineTables.of(spec);
        topics = PipelineTopics.of(spec);
        if (!tables.isEmpty()) {
            feed = TableFeed.start(tables, services::newConnection, out);
        }
        if (!topics.isEmpty()) {
            topicFeed = TopicFeed.start(topics, KafkaSinks.connectionProperties(spec.sink.kafka), out);
        }
    }

    /** Dead letters that landed since the start, in the dead-letter table or topic. */
    private long deadLetters() {
        return tables.deadLetter() != null ? feed.newRows(tables.deadLetter()) : topicFeed.newRecords(topics.deadLetter());
    }

    private void pollTables() throws SQLException {
        if (feed != null) {
            feed.poll(stopping).forEach(this::print);
        }
        if (topicFeed != null) {
            topicFeed.poll().forEach(this::print);
        }
    }

    private String summary() {
        List<String> parts = new ArrayList<>();
        if (producer != null) {
            parts.add(producer.acknowledged() + " events produced (" + producer.rejectedCount() + " broken)"
                    + (producer.failed() > 0 ? ", " + producer.failed() + " failed to send: " + producer.firstFailure() : ""));
        }
        parts.add("job read " + jobCounter(ParsingDeserializer.ACCEPTED_METRIC) + " valid, "
                + jobCounter(ParsingDeserializer.REJECTED_METRIC) + " rejected"
                + (spec.transform.window != null ? ", " + jobCounter(LateEvents.LATE_METRIC) + " too late" : ""));
        if (feed != null) {
            parts.add(feed.rowCounts());
        }
        if (topicFeed != null) {
            parts.add(topicFeed.recordCount());
        }
        return String.join(" · ", parts);
    }

    /**
     * Reports why the run failed, unless it is being stopped: a terminal's Ctrl-C also reaches the Kafka broker and
     * PostgreSQL (same process group), which may go down a moment before the shutdown hook starts.
     */
    private int reportFailure(String message, int status) {
        try {
            Thread.sleep(STOP_GRACE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopping) {
            return 0;
        }
        System.err.println(message);
        return status;
    }

    private void print(String line) {
        out.println(CLOCK.format(Instant.now()) + " " + line);
    }

    private interface Step {
        void run() throws Exception;
    }

    private void run(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            System.err.println("local run: could not " + what + ": " + Errors.describe(e));
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
