package io.streampipe.job.sink;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Connections to PostgreSQL through the driver of this job's own class loader. {@code DriverManager} finds drivers
 * through its service lookup once per JVM, with the loader of whoever used it first, and hands a caller only drivers
 * its own loader can see: a job run again in the same JVM (main() again in a session cluster's JobManager, the next
 * job on a TaskManager) has a new user-code loader and got "No suitable driver". Loading the driver class from this
 * loader registers its own instance first.
 */
public final class PostgresDriver {
    private static final String DRIVER = "org.postgresql.Driver";

    private PostgresDriver() {
    }

    static Connection connect(String jdbcUrl, DatabaseCredentials credentials) throws SQLException {
        register();
        return DriverManager.getConnection(jdbcUrl, credentials.username(), credentials.password());
    }

    /** With connection properties (user, password and the driver's own settings). */
    public static Connection connect(String jdbcUrl, java.util.Properties properties) throws SQLException {
        register();
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    private static void register() {
        try {
            Class.forName(DRIVER, true, PostgresDriver.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("PostgreSQL's JDBC driver (" + DRIVER + ") is not on the job's class path", e);
        }
    }
}
