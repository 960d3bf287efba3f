package io.streampipe.scenarios;

import io.streampipe.scenarios.TicksOracle.Row;
import io.streampipe.scenarios.TicksOracle.Window;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code ticks} pipeline's tables in the sandbox's PostgreSQL, read as a user of the results would, and the table's
 * progress over time: a background reader notes each moment the newest window in the table moves on, so a scenario can
 * say how long the results stood still during an operation.
 */
final class TicksTable implements AutoCloseable {
    private static final long POLL_MILLIS = 100;

    private final String url;
    private final String user;
    private final String password;
    private final String table;
    private final String lateTable;
    /** Wall-clock times at which the newest window start in the table grew. */
    private final List<Long> progress = new ArrayList<>();
    private final Thread watcher;
    private volatile boolean closed;

    TicksTable(String url, String user, String password, String table, String lateTable) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.table = table;
        this.lateTable = lateTable;
        this.watcher = new Thread(this::watch, "ticks-table-watch");
        this.watcher.setDaemon(true);
        this.watcher.start();
    }

    Map<Window, Row> rows() {
        Map<Window, Row> rows = new HashMap<>();
        query("SELECT device, (extract(epoch FROM window_start) * 1000)::bigint AS start, events, seq_sum::bigint AS seq_sum FROM \""
                + table + "\"", result -> rows.put(new Window(result.getString("device"), result.getLong("start")),
                new Row(result.getLong("events"), result.getLong("seq_sum"))));
        return rows;
    }

    long count() {
        long[] count = {0};
        query("SELECT count(*) AS n FROM \"" + table + "\"", result -> count[0] = result.getLong("n"));
        return count[0];
    }

    long lateEvents() {
        long[] count = {0};
        query("SELECT count(*) AS n FROM \"" + lateTable + "\"", result -> count[0] = result.getLong("n"));
        return count[0];
    }

    /**
     * The longest time in {@code [from, to]} during which no newer window reached the table: what a reader of the
     * results sees as the operation's downtime. In steady state it is about one window (2 s).
     */
    long longestStallMillis(long from, long to) {
        long previous = from;
        long longest = 0;
        synchronized (progress) {
            for (long moment : progress) {
                if (moment > from && moment <= to) {
                    longest = Math.max(longest, moment - previous);
                    previous = moment;
                }
            }
        }
        return Math.max(longest, to - previous);
    }

    /** The first moment after {@code after} at which a newer window reached the table, or -1. */
    long firstProgressAfter(long after) {
        synchronized (progress) {
            return progress.stream().filter(moment -> moment > after).findFirst().orElse(-1L);
        }
    }

    private void watch() {
        long newest = Long.MIN_VALUE;
        while (!closed) {
            long[] found = {Long.MIN_VALUE};
            try {
                query("SELECT (extract(epoch FROM max(window_start)) * 1000)::bigint AS newest FROM \"" + table + "\"", result -> {
                    long value = result.getLong("newest");
                    found[0] = result.wasNull() ? Long.MIN_VALUE : value;
                });
            } catch (RuntimeException databaseAway) {
                // the next poll tries again
            }
            if (found[0] > newest) {
                newest = found[0];
                synchronized (progress) {
                    progress.add(System.currentTimeMillis());
                }
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private interface RowReader {
        void read(ResultSet result) throws SQLException;
    }

    /** Runs a query; a table that does not exist yet reads as no rows. */
    private void query(String sql, RowReader reader) {
        try (Connection connection = DriverManager.getConnection(url, user, password);
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            while (result.next()) {
                reader.read(result);
            }
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        watcher.interrupt();
    }
}
