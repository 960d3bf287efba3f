package io.streampipe.testkit.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server (the Debian package's binaries) on a free 127.0.0.1 port (or the
 * address given, {@link #withAddress}), with a database {@value #DATABASE} owned by the login
 * role {@value #USERNAME}, and any more that {@link #createDatabase} adds. TCP connections
 * authenticate with a password (SCRAM-SHA-256), as against a production server; the
 * password is random per instance. Data and log live in a temporary directory that
 * {@link #close()} deletes; the server runs with fsync off, as befits throwaway test data.
 */
public final class PostgresServer extends LocalService {

  public static final String DATABASE = "streampipe";
  public static final String USERNAME = "streampipe";

  private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
  private static final String SUPERUSER = "postgres";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  /** Connection refused, and "the database system is starting up": worth another try. */
  private static final Set<String> NOT_READY_YET_STATES = Set.of("08001", "57P03");

  private final String password = randomPassword();
  private final String superuserPassword = randomPassword();
  private String host = FreePorts.LOOPBACK;
  private int requestedPort;
  private PostgresBinaries binaries;
  private Path workDirectory;
  private Path dataDirectory;
  private Path logFile;
  private int port;
  private Process server;
  private OrphanWatchdog watchdog;

  /**
   * Listens on {@code host}:{@code port} instead of a free port of 127.0.0.1. Call before the server starts.
   *
   * @param host an IP address of this machine, e.g. 127.0.0.3 (Linux routes all of 127.0.0.0/8 to the loopback)
   * @param port 0 for a free one
   */
  public synchronized PostgresServer withAddress(String host, int port) {
    if (isRunning()) {
      throw new IllegalStateException("withAddress must be called before the server starts");
    }
    this.host = host;
    this.requestedPort = port;
    return this;
  }

  public String jdbcUrl() {
    requireRunning();
    return jdbcUrl(DATABASE);
  }

  public String username() {
    return USERNAME;
  }

  public String password() {
    return password;
  }

  public int port() {
    requireRunning();
    return port;
  }

  /** The server's log (also quoted in start-up errors). */
  public Path logFile() {
    return logFile;
  }

  /** A new connection as {@value #USERNAME} to {@value #DATABASE}; the caller closes it. */
  public Connection newConnection() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), USERNAME, password);
  }

  /**
   * Creates the login role {@code owner} (not a superuser) with {@code ownerPassword}, and the database
   * {@code database} owned by it. Names are lower-case SQL identifiers; the password is hashed (SCRAM) by the driver,
   * as {@value #USERNAME}'s is.
   */
  public void createDatabase(String database, String owner, String ownerPassword) {
    requireRunning();
    createRoleAndDatabase(database, owner, ownerPassword);
  }

  /** Runs a query; each row maps column label to value, in column order. */
  public List<Map<String, Object>> query(String sql, Object... parameters) {
    try (Connection connection = newConnection();
        PreparedStatement statement = prepare(connection, sql, parameters);
        ResultSet resultSet = statement.executeQuery()) {
      ResultSetMetaData columns = resultSet.getMetaData();
      List<Map<String, Object>> rows = new ArrayList<>();
      while (resultSet.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int column = 1; column <= columns.getColumnCount(); column++) {
          row.put(columns.getColumnLabel(column), resultSet.getObject(column));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("Query failed: " + sql + ": " + e.getMessage(), e);
    }
  }

  /** Runs a statement (DDL, INSERT, UPDATE, ...) and returns its update count. */
  public int execute(String sql, Object... parameters) {
    try (Connection connection = newConnection();
        PreparedStatement statement = prepare(connection, sql, parameters)) {
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("Statement failed: " + sql + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "PostgresServer{" + (isRunning() ? jdbcUrl() + ", user " + USERNAME : "not running") + "}";
  }

  @Override
  protected void startProcesses() {
    long startNanos = System.nanoTime();
    binaries = PostgresBinaries.locate();
    workDirectory = WorkDirectories.create("streampipe-postgres-");
    dataDirectory = workDirectory.resolve("data");
    logFile = workDirectory.resolve("postgres.log");
    Path socketDirectory = workDirectory.resolve("socket");
    try {
      Files.createDirectories(socketDirectory);
      Files.createFile(logFile);
      initializeDataDirectory();
      port = requestedPort != 0 ? requestedPort : FreePorts.allocate(host, 1)[0];
      server = Processes.start(binaries.command("postgres",
          "-D", dataDirectory.toString(),
          "-p", Integer.toString(port),
          "-k", socketDirectory.toString(),
          "-c", "listen_addresses=" + host,
          // Test data is thrown away: skip the durability work that dominates write latency.
          "-c", "fsync=off",
          "-c", "synchronous_commit=off",
          "-c", "full_page_writes=off"), logFile);
      watchdog = OrphanWatchdog.watch(server.pid(), "QUIT", workDirectory);
      awaitReady(System.nanoTime() + START_TIMEOUT.toNanos());
      createRoleAndDatabase(DATABASE, USERNAME, password);
    } catch (IOException | RuntimeException e) {
      stopAfterFailedStart();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
    LOG.info("Started PostgreSQL {} at {} in {} ms (log: {})", binaries.version(), jdbcUrl(DATABASE),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), logFile);
  }

  @Override
  protected void stopProcesses() {
    try {
      Processes.run("Stopping PostgreSQL (pg_ctl stop -m fast)",
          binaries.command("pg_ctl", "stop", "-D", dataDirectory.toString(), "-m", "fast", "-w"),
          logFile, STOP_TIMEOUT);
    } catch (IllegalStateException e) {
      LOG.warn("{}; killing the server instead", e.getMessage());
    }
    Processes.stop(server, Duration.ofSeconds(5));
    watchdog.close();
    WorkDirectories.deleteRecursively(workDirectory);
    LOG.info("Stopped PostgreSQL on port {} and deleted {}", port, workDirectory);
  }

  /** The {@link Process} of the postmaster, for tests of this testkit. */
  Process process() {
    return server;
  }

  Path workDirectory() {
    return workDirectory;
  }

  /**
   * initdb with a superuser whose password comes from a file that lives only for the call.
   * Host (TCP) connections need a password; the Unix socket, reachable only through this
   * private work directory, trusts the OS user, so {@code psql -h <work dir>/socket} works
   * for debugging.
   */
  private void initializeDataDirectory() throws IOException {
    Path passwordFile = workDirectory.resolve("superuser-password");
    Files.writeString(passwordFile, superuserPassword);
    binaries.handOver(workDirectory);
    try {
      Processes.run("initdb", binaries.command("initdb",
              "-D", dataDirectory.toString(),
              "-U", SUPERUSER,
              "--pwfile=" + passwordFile,
              "-E", "UTF8",
              "--locale=C",
              "--auth-local=trust",
              "--auth-host=scram-sha-256",
              "--no-sync",
              "--no-instructions"),
          logFile, START_TIMEOUT);
    } finally {
      Files.deleteIfExists(passwordFile);
    }
    if (!host.equals(FreePorts.LOOPBACK)) {
      // initdb admits TCP clients of 127.0.0.1/32 only; one connecting to another loopback address may come from it.
      Files.writeString(dataDirectory.resolve("pg_hba.conf"), "host all all 127.0.0.0/8 scram-sha-256\n",
          StandardOpenOption.APPEND);
    }
  }

  private void awaitReady(long deadlineNanos) {
    while (true) {
      if (!server.isAlive()) {
        throw new IllegalStateException("PostgreSQL exited with code " + server.exitValue()
            + " while starting (work directory kept). " + Processes.describeLog(logFile));
      }
      try (Connection ignored = superuserConnection()) {
        return;
      } catch (SQLException e) {
        if (!NOT_READY_YET_STATES.contains(e.getSQLState())) {
          throw new IllegalStateException("PostgreSQL refused the first connection: " + e.getMessage()
              + " (work directory kept). " + Processes.describeLog(logFile), e);
        }
      }
      if (System.nanoTime() > deadlineNanos) {
        throw new IllegalStateException("PostgreSQL was not ready after " + START_TIMEOUT.toSeconds()
            + " s (work directory kept). " + Processes.describeLog(logFile));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for PostgreSQL", e);
      }
    }
  }

  private void createRoleAndDatabase(String database, String role, String rolePassword) {
    requireIdentifier(database);
    requireIdentifier(role);
    try (Connection connection = superuserConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE ROLE " + role + " LOGIN");
      // Hashed (SCRAM) by the driver, so the plain password never reaches the server or its log.
      connection.unwrap(PGConnection.class)
          .alterUserPassword(role, rolePassword.toCharArray(), "scram-sha-256");
      statement.execute("CREATE DATABASE " + database + " OWNER " + role);
    } catch (SQLException e) {
      throw new IllegalStateException("Could not create role " + role + " and database " + database + ": "
          + e.getMessage() + ". " + Processes.describeLog(logFile), e);
    }
  }

  private static void requireIdentifier(String name) {
    if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("Not a lower-case SQL identifier: " + name);
    }
  }

  private Connection superuserConnection() throws SQLException {
    return DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, superuserPassword);
  }

  private String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  private void stopAfterFailedStart() {
    if (server != null) {
      Processes.stop(server, Duration.ofSeconds(5));
    }
    if (watchdog != null) {
      watchdog.close();
    }
  }

  private static PreparedStatement prepare(Connection connection, String sql, Object... parameters)
      throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    for (int i = 0; i < parameters.length; i++) {
      statement.setObject(i + 1, parameters[i]);
    }
    return statement;
  }

  private static String randomPassword() {
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    SecureRandom random = new SecureRandom();
    StringBuilder password = new StringBuilder();
    for (int i = 0; i < 24; i++) {
      password.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return password.toString();
  }
}
