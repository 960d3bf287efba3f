package io.streampipe.testkit.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one user of a broker's SASL listener, known under each of {@code mechanisms}; the first is what the testkit's
 * own clients log in with. Turns into broker settings, format-time SCRAM credentials and client settings.
 */
record SaslUser(String username, String password, List<SaslMechanism> mechanisms) {

  /** Both go unescaped into kafka-storage's {@code --add-scram} (split on commas) and into JAAS configs. */
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]+");

  SaslUser {
    requireSafe("username", username);
    requireSafe("password", password);
    mechanisms = List.copyOf(mechanisms);
    if (mechanisms.isEmpty() || mechanisms.stream().distinct().count() != mechanisms.size()) {
      throw new IllegalArgumentException("Give each SASL mechanism once, at least one: " + mechanisms);
    }
  }

  SaslMechanism clientMechanism() {
    return mechanisms.get(0);
  }

  /**
   * Settings of the broker whose listener {@code listenerName} speaks SASL. The broker talks to itself over that
   * listener too (transaction markers), as this user with the first mechanism.
   */
  Map<String, String> brokerSettings(String listenerName) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("sasl.enabled.mechanisms",
        mechanisms.stream().map(SaslMechanism::kafkaName).collect(Collectors.joining(",")));
    settings.put("sasl.mechanism.inter.broker.protocol", clientMechanism().kafkaName());
    for (SaslMechanism mechanism : mechanisms) {
      // PLAIN checks logins against the user_<name> entries of the broker's own JAAS config.
      String users = mechanism.isScram() ? "" : " user_" + username + "=\"" + password + "\"";
      settings.put("listener.name." + listenerName.toLowerCase(Locale.ROOT) + "."
              + mechanism.kafkaName().toLowerCase(Locale.ROOT) + ".sasl.jaas.config",
          jaasConfig(mechanism, username, password, users));
    }
    return settings;
  }

  /** Values of kafka-storage format's {@code --add-scram}, one per SCRAM mechanism. */
  List<String> scramCredentials() {
    return mechanisms.stream()
        .filter(SaslMechanism::isScram)
        .map(mechanism -> mechanism.kafkaName() + "=[name=" + username + ",password=" + password + "]")
        .toList();
  }

  /** What a client adds to {@code bootstrap.servers} to log in as anyone with any mechanism. */
  static Map<String, String> clientSettings(SaslMechanism mechanism, String username, String password) {
    return Map.of(
        "security.protocol", "SASL_PLAINTEXT",
        "sasl.mechanism", mechanism.kafkaName(),
        "sasl.jaas.config", jaasConfig(mechanism, username, password, ""));
  }

  private static String jaasConfig(SaslMechanism mechanism, String username, String password, String more) {
    return mechanism.loginModule() + " required username=\"" + username + "\" password=\"" + password + "\""
        + more + ";";
  }

  private static void requireSafe(String what, String value) {
    if (value == null || !SAFE.matcher(value).matches()) {
      throw new IllegalArgumentException("The SASL " + what + " must be one or more of A-Z a-z 0-9 . _ -");
    }
  }

  @Override
  public String toString() {
    return "SaslUser{username=" + username + ", password=***, mechanisms=" + mechanisms + "}";
  }
}
