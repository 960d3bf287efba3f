package io.streampipe.bench;

import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.Reader;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Iterator;
import java.util.List;

/** Creating, checking and dropping the benchmark's tables. */
final class Tables {
    private Tables() {
    }

    /**
     * Row count and an order-independent checksum of every column of every row (the sum of a 64-bit hash of the
     * row's text form), computed by PostgreSQL the same way for a result table and for the oracle's.
     */
    record Content(long rows, String checksum) {
    }

    static Content content(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)), 0)::text FROM "
                     + table + " t")) {
            result.next();
            return new Content(result.getLong(1), result.getString(2));
        }
    }

    /** Rows of {@code table} that differ from {@code oracle} (either way), for the message of a failed check. */
    static long differingRows(Connection connection, String table, String oracle) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT (SELECT count(*) FROM (SELECT * FROM " + table + " EXCEPT ALL SELECT * FROM "
                     + oracle + ") a) + (SELECT count(*) FROM (SELECT * FROM " + oracle + " EXCEPT ALL SELECT * FROM " + table + ") b)")) {
            result.next();
            return result.getLong(1);
        }
    }

    static String sampleDifference(Connection connection, String table, String oracle) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("(SELECT 'table' AS side, t::text FROM (SELECT * FROM " + table
                     + " EXCEPT ALL SELECT * FROM " + oracle + ") t LIMIT 2) UNION ALL (SELECT 'oracle', o::text FROM (SELECT * FROM "
                     + oracle + " EXCEPT ALL SELECT * FROM " + table + ") o LIMIT 2)")) {
            StringBuilder sample = new StringBuilder();
            while (result.next()) {
                sample.append(result.getString(1)).append(": ").append(result.getString(2)).append("; ");
            }
            return sample.toString();
        }
    }

    static void execute(Connection connection, List<String> statements) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    static void drop(Connection connection, String... tables) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String table : tables) {
                statement.execute("DROP TABLE IF EXISTS " + table);
            }
        }
    }

    /** Whether the table has any row yet. */
    static boolean any(Connection connection, String table) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT EXISTS (SELECT 1 FROM " + table + ")");
             ResultSet result = statement.executeQuery()) {
            result.next();
            return result.getBoolean(1);
        }
    }

    /** How many of the given keys have a row: the sentinels' progress. */
    static int present(Connection connection, String table, String keyColumn, List<String> keys) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT count(*) FROM " + table + " WHERE " + keyColumn + " = ANY(?)")) {
            Array array = connection.createArrayOf("text", keys.toArray());
            statement.setArray(1, array);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                return result.getInt(1);
            }
        }
    }

    /** {@code COPY table FROM STDIN} of text-format lines. */
    static long copyIn(Connection connection, String table, Iterator<String> lines) throws SQLException {
        try {
            return connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN", new LinesReader(lines));
        } catch (IOException e) {
            throw new SQLException("COPY into " + table + " failed", e);
        }
    }

    private static final class LinesReader extends Reader {
        private final Iterator<String> lines;
        private String current = "";
        private int position;

        LinesReader(Iterator<String> lines) {
            this.lines = lines;
        }

        @Override
        public int read(char[] buffer, int offset, int length) {
            while (position == current.length()) {
                if (!lines.hasNext()) {
                    return -1;
                }
                current = lines.next();
                position = 0;
            }
            int n = Math.min(length, current.length() - position);
            current.getChars(position, position + n, buffer, offset);
            position += n;
            return n;
        }

        @Override
        public void close() {
        }
    }
}
