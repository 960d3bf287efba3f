package io.streampipe.job.it;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.OperatorUids;
import io.streampipe.job.PipelineJob;
import io.streampipe.job.SpecFiles;
import io.streampipe.job.enrich.Dimension;
import io.streampipe.job.enrich.DimensionJoin;
import io.streampipe.job.enrich.DimensionLoader;
import io.streampipe.job.enrich.DimensionTable;
import io.streampipe.job.sink.DatabaseCredentials;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Clicks enriched with a {@code users} dimension read from PostgreSQL, on the real broker and database: each table
 * must end equal to an oracle that joins every click with the version of the users table it was produced under.
 */
class EnrichmentIT {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();
    @RegisterExtension
    static final MiniClusterExtension FLINK = Pipelines.miniCluster();

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    private static final String REFRESH = "1s";
    private static final long REFRESH_MILLIS = 1000;

    /** A user row: id, country, tier. */
    record User(String id, String country, long tier) {
    }

    record Click(String id, String user, long second) {
        String json() {
            return String.format(Locale.ROOT, "{\"click_id\":\"%s\",\"user_id\":\"%s\",\"ts\":\"%s\"}", id, user,
                    T0.plusSeconds(second));
        }
    }

    /**
     * The dimension changes while the job runs: clicks produced before the change join the old rows, clicks produced
     * one refresh cadence (plus a margin for the read) after it join the new ones, and a user without a row keeps
     * the click with null columns.
     */
    @Test
    void aRefreshBringsTheChangedDimensionWithinTheCadence() throws Exception {
        String name = Pipelines.unique("enrich_refresh");
        Map<String, User> v1 = users(10, "de", 1);
        createUsers(name, v1.values());
        StreamingPipelineSpec spec = clicksSpec(name, "keep-nulls", 100);
        List<Click> before = clicks("a", 120, 12, 0);
        List<Click> after = clicks("b", 120, 12, 1000);

        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec, Pipelines.options(POSTGRES, 2));
            produce(name, before);
            Map<String, String> expected = new TreeMap<>(joined(before, v1));
            Pipelines.awaitEqual(Duration.ofSeconds(60), () -> clickRows(name), expected);

            Map<String, User> v2 = users(12, "fr", 2);
            POSTGRES.execute("UPDATE " + name + "_users SET country = 'fr', tier = 2");
            POSTGRES.execute("INSERT INTO " + name + "_users VALUES ('u-10', 'fr', 2), ('u-11', 'fr', 2)");
            long refreshesAtChange = WatermarkProbe.counter(job.getJobID(), OperatorUids.enrich("users"), DimensionJoin.REFRESHES);
            // The promise: a change is in every subtask's copy one refresh period plus one read after it is committed (a
            // read takes ~20 ms here); three periods leave a loaded machine room without hiding a missed refresh.
            Thread.sleep(REFRESH_MILLIS * 3);
            produce(name, after);
            expected.putAll(joined(after, v2));
            Pipelines.awaitEqual(Duration.ofSeconds(60), () -> clickRows(name), expected);

            assertThat(WatermarkProbe.counter(job.getJobID(), OperatorUids.enrich("users"), DimensionJoin.REFRESHES))
                    .isGreaterThanOrEqualTo(refreshesAtChange + 2);
            assertThat(WatermarkProbe.counter(job.getJobID(), OperatorUids.enrich("users"), DimensionJoin.REFRESH_FAILURES)).isZero();
            // u-10 and u-11 had no row before the change: their clicks of the first batch were kept, with nulls.
            assertThat(WatermarkProbe.counter(job.getJobID(), OperatorUids.enrich("users"), DimensionJoin.MISSING))
                    .isEqualTo(before.stream().filter(c -> !v1.containsKey(c.user())).count());
        }
    }

    /** drop: a click without a user row is not written; dead-letter: it is in the dead-letter table with the reason. */
    @Test
    void aClickWithoutAUserRowIsDroppedOrDeadLettered() throws Exception {
        for (String policy : List.of("drop", "dead-letter")) {
            String name = Pipelines.unique("enrich_" + policy.replace('-', '_'));
            Map<String, User> users = users(8, "de", 1);
            createUsers(name, users.values());
            List<Click> clicks = clicks("a", 100, 10, 0);
            try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
                JobClient job = jobs.start(clicksSpec(name, policy, 100), Pipelines.options(POSTGRES, 2));
                produce(name, clicks);
                List<Click> known = clicks.stream().filter(c -> users.containsKey(c.user())).toList();
                Pipelines.awaitEqual(Duration.ofSeconds(60), () -> clickRows(name), joined(known, users));
                List<String> missing = clicks.stream().filter(c -> !users.containsKey(c.user()))
                        .map(c -> c.id() + "|enrich users: no row in " + name + "_users for [user_id] = [" + c.user() + "]")
                        .sorted().toList();
                List<String> expectedRejects = policy.equals("drop") ? List.of() : missing;
                Pipelines.awaitEqual(Duration.ofSeconds(30), () -> POSTGRES.query("SELECT payload::json->>'click_id' AS id, reason FROM "
                                + name + "_rejects ORDER BY 1").stream().map(r -> r.get("id") + "|" + r.get("reason")).toList(),
                        expectedRejects);
                assertThat(WatermarkProbe.counter(job.getJobID(), OperatorUids.enrich("users"), DimensionJoin.MISSING))
                        .isEqualTo(missing.size());
            }
        }
    }

    /**
     * maxRows: a refresh that finds more rows keeps the last good copy (and counts a failure); a job started on the
     * larger table fails with an error naming the dimension and the limit.
     */
    @Test
    void aDimensionLargerThanMaxRowsKeepsTheLastCopyAndFailsANewStart() throws Exception {
        String name = Pipelines.unique("enrich_limit");
        Map<String, User> users = users(5, "de", 1);
        createUsers(name, users.values());
        StreamingPipelineSpec spec = clicksSpec(name, "keep-nulls", 5);
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec, Pipelines.options(POSTGRES, 2));
            List<Click> first = clicks("a", 30, 5, 0);
            produce(name, first);
            Pipelines.awaitEqual(Duration.ofSeconds(60), () -> clickRows(name), joined(first, users));

            POSTGRES.execute("INSERT INTO " + name + "_users VALUES ('u-5', 'fr', 2)");
            Pipelines.awaitEqual(Duration.ofSeconds(30), () -> WatermarkProbe.counter(job.getJobID(),
                    OperatorUids.enrich("users"), DimensionJoin.REFRESH_FAILURES) >= 2, true);
            List<Click> second = clicks("b", 30, 6, 100);
            produce(name, second);
            Map<String, String> expected = new TreeMap<>(joined(first, users));
            expected.putAll(joined(second, users)); // u-5 is not in the last good copy: null columns
            Pipelines.awaitEqual(Duration.ofSeconds(60), () -> clickRows(name), expected);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            job.cancel().get(30, TimeUnit.SECONDS);

            JobClient restarted = jobs.start(spec, Pipelines.options(POSTGRES, 2));
            assertThatThrownBy(() -> restarted.getJobExecutionResult().get(60, TimeUnit.SECONDS))
                    .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e))
                            .contains("spec.transform.enrich[0] (users): table " + name + "_users has more than maxRows=5 rows"));
        }
    }

    /**
     * A windowed pipeline keyed by the dimension's country, summing its tier, stopped with a savepoint; the
     * dimension changes while it is stopped. The restored job reads the table before joining any click: clicks after
     * the restore count under the new country, those before under the old one, window by window.
     */
    @Test
    void aRestoredJobJoinsTheDimensionAsItIsAtTheRestore(@TempDir Path savepoints) throws Exception {
        String name = Pipelines.unique("enrich_restore");
        Map<String, User> v1 = users(6, "de", 1);
        createUsers(name, v1.values());
        StreamingPipelineSpec spec = SpecFiles.parse(clicksYaml(name, "keep-nulls", 100, """
                  keyBy: [country]
                  window: {type: tumbling, size: 1m}
                  aggregates: [{name: clicks, fn: count}, {name: tiers, fn: sum, field: tier}]
                """, "lateData: {drop: true}"));
        List<Click> before = clicks("a", 90, 6, 0);      // one click a second: window 10:00, half of 10:01
        List<Click> after = clicks("b", 90, 6, 90);      // the other half of 10:01, and 10:02
        Map<String, User> v2 = users(6, "fr", 3);
        v2.put("u-0", new User("u-0", "de", 1));          // one user keeps the old row

        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            JobClient job = jobs.start(spec, Pipelines.options(POSTGRES, 2));
            produce(name, before);
            // Window 10:01 is still open at the savepoint: the restored job adds the new clicks to its old counts.
            Pipelines.awaitEqual(Duration.ofSeconds(60), () -> WatermarkProbe.counter(job.getJobID(),
                    OperatorUids.enrich("users"), "numRecordsIn"), (long) before.size());
            String savepoint = Pipelines.savepoint(job, savepoints);

            POSTGRES.execute("UPDATE " + name + "_users SET country = 'fr', tier = 3 WHERE id <> 'u-0'");
            JobClient restored = jobs.start(spec, Pipelines.restoring(Pipelines.options(POSTGRES, 2), savepoint));
            List<Click> withFlush = new ArrayList<>(after);
            withFlush.add(new Click("flush", "u-0", 3600));
            produce(name, withFlush);
            Map<String, String> expected = new TreeMap<>(windows(before, v1));
            windows(after, v2).forEach((k, v) -> expected.merge(k, v, EnrichmentIT::addCounts));
            Pipelines.awaitEqual(Duration.ofSeconds(60), () -> windowRows(name), expected);
            assertThat(restored.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        }
    }

    /**
     * The measurement behind "a copy per subtask": a 100,000-row dimension read whole, as each subtask reads it at
     * open and at every refresh; and the limit is exact (maxRows = rows reads, one row less fails).
     */
    @Test
    void aHundredThousandRowDimensionIsReadWholeAndTheLimitIsExact() throws Exception {
        String name = Pipelines.unique("enrich_large");
        POSTGRES.execute("CREATE TABLE " + name + "_users (id text PRIMARY KEY, country text, tier integer)");
        POSTGRES.execute("INSERT INTO " + name + "_users SELECT 'u-' || i, 'c-' || (i % 50), i % 7 FROM generate_series(0, 99999) i");
        StreamingPipelineSpec spec = clicksSpec(name, "keep-nulls", 100_000);
        Dimension users = Dimension.all(spec, DatabaseCredentials.of(POSTGRES.username(), POSTGRES.password())).get(0);
        DimensionLoader.load(users); // a first read warms the connection path and the server's cache
        long start = System.nanoTime();
        DimensionTable table = DimensionLoader.load(users);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf(Locale.ROOT, "enrich measurement: read 100000 rows in %d ms%n", millis);
        assertThat(table.size()).isEqualTo(100_000);
        assertThat(table.lookup(List.of("u-12345"))).containsExactly("c-45", 12345L % 7);

        spec.transform.enrich.get(0).maxRows = 99_999;
        Dimension limited = Dimension.all(spec, DatabaseCredentials.of(POSTGRES.username(), POSTGRES.password())).get(0);
        assertThatThrownBy(() -> DimensionLoader.load(limited)).hasMessageContaining("has more than maxRows=99999 rows");
    }

    /**
     * postgres.query instead of a table: the job joins what the user's query returns (computed columns, a filter,
     * columns in another order and one more than declared); a query that does not return a declared column fails the
     * start naming the field and the column; a column of another type, and a query that tries to write (nextval, in
     * the read-only transaction), fail the read naming the field.
     */
    @Test
    void aQueryDimensionJoinsWhatTheQueryReturnsAndIsCheckedAndReadOnly() throws Exception {
        String name = Pipelines.unique("enrich_query");
        Map<String, User> users = users(8, "de", 1);
        createUsers(name, users.values());
        POSTGRES.execute("INSERT INTO " + name + "_users VALUES ('u-8', 'fr', 0)");
        StreamingPipelineSpec spec = querySpec(name, "SELECT tier * 10 AS tier, 'unused' AS note, upper(country) AS country, id"
                + " FROM " + name + "_users WHERE tier > 0;");
        Map<String, User> returned = new TreeMap<>();
        users.values().forEach(u -> returned.put(u.id(), new User(u.id(), "DE", 10)));
        List<Click> clicks = clicks("a", 40, 10, 0); // u-8 is filtered out by the query, u-9 has no row: null columns
        try (Pipelines.Jobs jobs = new Pipelines.Jobs()) {
            jobs.start(spec, Pipelines.options(POSTGRES, 2));
            produce(name, clicks);
            Pipelines.awaitEqual(Duration.ofSeconds(60), () -> clickRows(name), joined(clicks, returned));

            JobClient withoutTier = jobs.start(querySpec(name + "_b", "SELECT id, country FROM " + name + "_users"),
                    Pipelines.options(POSTGRES, 2));
            assertThatThrownBy(() -> withoutTier.getJobExecutionResult().get(60, TimeUnit.SECONDS))
                    .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e)).contains("spec.transform.enrich[0] (users)"
                            + ".postgres.query: the query returns no column 'tier'; it returns [id, country]"));
        }
        DatabaseCredentials credentials = DatabaseCredentials.of(POSTGRES.username(), POSTGRES.password());
        Dimension textTier = Dimension.all(querySpec(name + "_c", "SELECT id, country, tier::text AS tier FROM " + name + "_users"),
                credentials).get(0);
        assertThatThrownBy(() -> DimensionLoader.load(textTier)).hasMessage("spec.transform.enrich[0] (users).postgres.query:"
                + " the query column 'tier' is text, which does not read as long");
        POSTGRES.execute("CREATE SEQUENCE " + name + "_seq");
        Dimension writing = Dimension.all(querySpec(name + "_d", "SELECT id, country, tier, nextval('" + name + "_seq') AS n FROM "
                + name + "_users"), credentials).get(0);
        assertThatThrownBy(() -> DimensionLoader.load(writing))
                .hasMessageStartingWith("spec.transform.enrich[0] (users).postgres.query failed: ")
                .hasMessageContaining("read-only transaction");
        assertThat(POSTGRES.query("SELECT nextval('" + name + "_seq') AS n").get(0).get("n")).as("the sequence never moved").isEqualTo(1L);
    }

    /**
     * The clicks pipeline of {@link #clicksSpec} on topic {@code name} (created here) into table {@code name}, its users
     * dimension read with {@code query} instead of the table.
     */
    private StreamingPipelineSpec querySpec(String name, String query) {
        StreamingPipelineSpec spec = clicksSpec(name, "keep-nulls", 100);
        spec.transform.enrich.get(0).postgres.table = null;
        spec.transform.enrich.get(0).postgres.query = query;
        return spec;
    }

    private static String addCounts(String a, String b) {
        String[] x = a.split("\\|");
        String[] y = b.split("\\|");
        return (Long.parseLong(x[0]) + Long.parseLong(y[0])) + "|" + (Double.parseDouble(x[1]) + Double.parseDouble(y[1]));
    }

    /** The oracle of the windowed pipeline: per country and minute, the count and the tier sum of the clicks. */
    private static Map<String, String> windows(List<Click> clicks, Map<String, User> users) {
        Map<String, String> rows = new TreeMap<>();
        for (Click click : clicks) {
            User user = users.get(click.user());
            String key = user.country() + "|" + T0.plusSeconds(click.second() - click.second() % 60);
            rows.merge(key, "1|" + (double) user.tier(), EnrichmentIT::addCounts);
        }
        return rows;
    }

    private static Map<String, String> windowRows(String name) {
        Map<String, String> rows = new TreeMap<>();
        for (Map<String, Object> row : POSTGRES.query("SELECT country, window_start, clicks, tiers FROM " + name)) {
            rows.put(row.get("country") + "|" + ((java.sql.Timestamp) row.get("window_start")).toInstant(),
                    row.get("clicks") + "|" + ((Number) row.get("tiers")).doubleValue());
        }
        return rows;
    }

    /** {@code count} clicks, one a second from {@code firstSecond}, by users u-0 .. u-(users - 1) in turn. */
    private static List<Click> clicks(String prefix, int count, int users, long firstSecond) {
        List<Click> clicks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            clicks.add(new Click("c-" + prefix + "-" + String.format(Locale.ROOT, "%04d", i), "u-" + (i % users), firstSecond + i));
        }
        return clicks;
    }

    private static Map<String, User> users(int count, String country, long tier) {
        Map<String, User> users = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            users.put("u-" + i, new User("u-" + i, country, tier));
        }
        return users;
    }

    private static void createUsers(String name, Iterable<User> users) {
        POSTGRES.execute("CREATE TABLE " + name + "_users (id text PRIMARY KEY, country text, tier integer)");
        for (User user : users) {
            POSTGRES.execute("INSERT INTO " + name + "_users VALUES (?, ?, ?)", user.id(), user.country(), (int) user.tier());
        }
    }

    /** The oracle of the upsert pipeline: each click's row with its user's columns, nulls when the user has no row. */
    private static Map<String, String> joined(List<Click> clicks, Map<String, User> users) {
        Map<String, String> rows = new TreeMap<>();
        for (Click click : clicks) {
            User user = users.get(click.user());
            rows.put(click.id(), click.user() + "|" + (user == null ? "null|null" : user.country() + "|" + user.tier()));
        }
        return rows;
    }

    private static Map<String, String> clickRows(String name) {
        Map<String, String> rows = new TreeMap<>();
        for (Map<String, Object> row : POSTGRES.query("SELECT click_id, user_id, country, tier FROM " + name)) {
            rows.put((String) row.get("click_id"), row.get("user_id") + "|" + row.get("country") + "|" + row.get("tier"));
        }
        return rows;
    }

    private static void produce(String topic, List<Click> clicks) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (Click click : clicks) {
            records.add(new ProducerRecord<>(topic, Math.floorMod(click.id().hashCode(), 2), null, click.id(), click.json()));
        }
        KAFKA.produce(records);
    }

    private StreamingPipelineSpec clicksSpec(String name, String onMissing, int maxRows) {
        return SpecFiles.parse(clicksYaml(name, onMissing, maxRows, "  keyBy: [click_id]\n", ""));
    }

    /** Clicks {click_id, user_id, ts} from topic {@code name}, enriched with {@code name_users}, into table {@code name}. */
    private static String clicksYaml(String name, String onMissing, int maxRows, String transform, String lateData) {
        KAFKA.createTopic(name, 2);
        return String.format(Locale.ROOT, """
                parallelism: 2
                source:
                  kafka: {bootstrapServers: "%s", topic: %s, groupId: %s}
                  startingOffsets: {policy: earliest}
                  schema:
                    - {name: click_id, type: string, required: true}
                    - {name: user_id, type: string, required: true}
                    - {name: ts, type: timestamp, required: true}
                  eventTime: {field: ts, maxOutOfOrderness: 1s, idleTimeout: 1s}
                transform:
                  enrich:
                    - name: users
                      postgres: {jdbcUrl: "%s", table: %s_users, credentialsSecretRef: {name: reference-db}}
                      key: [{field: user_id, column: id}]
                      columns: [{name: country, type: string}, {name: tier, type: long}]
                      refresh: %s
                      onMissing: %s
                      maxRows: %d
                %s
                sink:
                  postgres: {jdbcUrl: "%s", table: %s, createTable: true, batch: {size: 50, interval: 100ms}}
                deadLetter: {table: %s_rejects}
                %s
                checkpointing: {interval: 1s, storage: {path: "file:///tmp/streampipe-it"}}
                """, KAFKA.bootstrapServers(), name, name + "-group", POSTGRES.jdbcUrl(), name, REFRESH, onMissing, maxRows,
                transform.stripTrailing(), POSTGRES.jdbcUrl(), name, name, lateData);
    }
}
