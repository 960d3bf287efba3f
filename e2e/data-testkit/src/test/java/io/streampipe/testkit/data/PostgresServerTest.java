package io.streampipe.testkit.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresServerTest {

  @RegisterExtension static final PostgresServer postgres = new PostgresServer();

  @Test
  void upsertOfTheSameKeyKeepsOneRowWithTheLatestValue() {
    postgres.execute("CREATE TABLE sensor_alerts (sensor_id text, window_start timestamptz,"
        + " avg_temp double precision, PRIMARY KEY (sensor_id, window_start))");
    String upsert = "INSERT INTO sensor_alerts VALUES (?, ?, ?)"
        + " ON CONFLICT (sensor_id, window_start) DO UPDATE SET avg_temp = EXCLUDED.avg_temp";
    OffsetDateTime windowStart = OffsetDateTime.parse("2026-11-20T10:00:00Z");

    postgres.execute(upsert, "sensor-1", windowStart, 46.5);
    postgres.execute(upsert, "sensor-1", windowStart, 51.25);

    assertThat(postgres.query("SELECT sensor_id, avg_temp FROM sensor_alerts"))
        .containsExactly(Map.of("sensor_id", "sensor-1", "avg_temp", 51.25));
  }

  @Test
  void aWrongPasswordIsRefused() {
    assertThatThrownBy(() ->
            DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), "not-" + postgres.password()))
        .isInstanceOfSatisfying(SQLException.class, refused ->
            assertThat(refused.getSQLState()).as("SQLSTATE invalid_password").isEqualTo("28P01"));
  }

  @Test
  void theApplicationRoleLogsInWithItsPasswordAndOwnsTheDatabaseWithoutBeingSuperuser()
      throws SQLException {
    try (Connection connection = newConnectionWithExplicitCredentials()) {
      assertThat(connection.isValid(5)).isTrue();
    }

    List<Map<String, Object>> rows = postgres.query("SELECT current_user AS role, r.rolsuper AS superuser,"
        + " pg_get_userbyid(d.datdba) AS database_owner, current_setting('server_encoding') AS encoding"
        + " FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()");

    assertThat(rows).containsExactly(Map.of("role", "streampipe", "superuser", false,
        "database_owner", "streampipe", "encoding", "UTF8"));
  }

  private static Connection newConnectionWithExplicitCredentials() throws SQLException {
    return DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
  }
}
