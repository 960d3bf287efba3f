package io.streampipe.sandbox;

import io.streampipe.api.SpecValidator;
import io.streampipe.api.SqlIdentifiers;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads the pipeline's tables every poll and describes what changed since the last one: {@code +} a new row,
 * {@code ~} a row whose values changed (a late firing), {@code -} a deleted row (a window that no longer passes
 * {@code having}, a session merged into another).
 */
public final class TableWatcher {
    static final int MAX_LINES_PER_TABLE = 25;
    private static final String UNDEFINED_TABLE = "42P01";

    /**
     * @param key   the primary key columns
     * @param order how to sort new rows
     * @param shown the columns a new row shows, in this order; null for all
     */
    public record Table(String name, List<String> key, List<String> order, List<String> shown) {
    }

    private final List<Table> tables;
    private final Map<String, Map<List<Object>, Map<String, Object>>> snapshots = new LinkedHashMap<>();

    public TableWatcher(List<Table> tables) {
        this.tables = tables;
        tables.forEach(table -> snapshots.put(table.name(), new LinkedHashMap<>()));
    }

    /** Takes the current rows as known, without describing them (rows from an earlier run). */
    public void baseline(Connection connection) throws SQLException {
        for (Table table : tables) {
            snapshots.put(table.name(), read(connection, table));
        }
    }

    /** The changes since the last poll, a line each, table by table. */
    public List<String> poll(Connection connection) throws SQLException {
        List<String> lines = new ArrayList<>();
        for (Table table : tables) {
            Map<List<Object>, Map<String, Object>> before = snapshots.get(table.name());
            Map<List<Object>, Map<String, Object>> after = read(connection, table);
            List<String> changes = new ArrayList<>();
            after.forEach((key, row) -> {
                Map<String, Object> old = before.get(key);
                if (old == null) {
                    changes.add("+ " + table.name() + " " + RowFormat.row(row, table.shown() == null ? row.keySet() : table.shown()));
                } else if (!old.equals(row)) {
                    changes.add("~ " + table.name() + " " + RowFormat.change(old, row, table.key()));
                }
            });
            before.forEach((key, row) -> {
                if (!after.containsKey(key)) {
                    changes.add("- " + table.name() + " " + RowFormat.row(row, table.key()));
                }
            });
            snapshots.put(table.name(), after);
            lines.addAll(changes.subList(0, Math.min(changes.size(), MAX_LINES_PER_TABLE)));
            if (changes.size() > MAX_LINES_PER_TABLE) {
                lines.add("  … and " + (changes.size() - MAX_LINES_PER_TABLE) + " more changes to " + table.name());
            }
        }
        return lines;
    }

    /** Rows per table as of the last poll. */
    public Map<String, Integer> rowCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        snapshots.forEach((table, rows) -> counts.put(table, rows.size()));
        return counts;
    }

    private static Map<List<Object>, Map<String, Object>> read(Connection connection, Table table) throws SQLException {
        String sql = "SELECT * FROM " + SqlIdentifiers.quoteTable("table", table.name()) + " ORDER BY "
                + table.order().stream().map(c -> SqlIdentifiers.quote("column", c)).collect(Collectors.joining(", "));
        Map<List<Object>, Map<String, Object>> rows = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            ResultSetMetaData columns = result.getMetaData();
            while (result.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= columns.getColumnCount(); i++) {
                    if (SpecValidator.WINDOW_EVENTS.equals(columns.getColumnName(i))) {
                        continue; // the committer's guard column (events counted in the row), not a result; the topic has none either
                    }
                    Object value = result.getObject(i);
                    row.put(columns.getColumnName(i), value instanceof Timestamp timestamp ? timestamp.toInstant() : value);
                }
                rows.put(table.key().stream().map(row::get).toList(), row);
            }
        } catch (SQLException e) {
            if (UNDEFINED_TABLE.equals(e.getSQLState())) {
                return rows;
            }
            throw e;
        }
        return rows;
    }
}
