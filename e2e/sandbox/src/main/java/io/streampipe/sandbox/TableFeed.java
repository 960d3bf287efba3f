package io.streampipe.sandbox;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The rows of a pipeline's tables as they land, read over one database connection that is replaced when it breaks:
 * what the local run and the operator demo print. Rows already there when it starts are counted, not shown.
 */
public final class TableFeed implements AutoCloseable {
    /** Opens a connection to the pipeline's database. */
    public interface ConnectionSource {
        Connection open() throws SQLException;
    }

    private final PipelineTables tables;
    private final TableWatcher watcher;
    private final ConnectionSource source;
    private final Map<String, Integer> baselineRows;
    private Connection connection;

    private TableFeed(PipelineTables tables, TableWatcher watcher, ConnectionSource source, Map<String, Integer> baselineRows,
                      Connection connection) {
        this.tables = tables;
        this.watcher = watcher;
        this.source = source;
        this.baselineRows = baselineRows;
        this.connection = connection;
    }

    /** Names the tables on {@code out}, reads what they hold already, and says which are not empty. */
    public static TableFeed start(PipelineTables tables, ConnectionSource source, PrintStream out) throws SQLException {
        out.println("  tables       " + tables.description());
        TableWatcher watcher = tables.watcher();
        Connection connection = source.open();
        watcher.baseline(connection);
        Map<String, Integer> baselineRows = watcher.rowCounts();
        baselineRows.forEach((table, rows) -> {
            if (rows > 0) {
                out.println("               " + table + " has " + rows + " rows already; only changes are shown");
            }
        });
        return new TableFeed(tables, watcher, source, baselineRows, connection);
    }

    public PipelineTables tables() {
        return tables;
    }

    /**
     * The changes since the last poll, a line each. A broken connection is replaced and the poll tried once more,
     * unless {@code stopping}: then what broke it is the stop's doing, and nothing is reported.
     */
    public List<String> poll(boolean stopping) throws SQLException {
        try {
            return watcher.poll(connection());
        } catch (SQLException e) {
            if (stopping) {
                return List.of();
            }
            closeConnection();
            return watcher.poll(connection());
        }
    }

    /** Rows that landed in {@code table} since the feed started. */
    public int newRows(String table) {
        return watcher.rowCounts().getOrDefault(table, 0) - baselineRows.getOrDefault(table, 0);
    }

    /** {@code rows: sensor_alerts 12, sensor_alerts_late 3, sensor_readings_rejects 5} */
    public String rowCounts() {
        return "rows: " + watcher.rowCounts().entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = source.open();
        }
        return connection;
    }

    private void closeConnection() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // A broken connection is replaced either way.
        }
        connection = null;
    }

    @Override
    public void close() throws SQLException {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
