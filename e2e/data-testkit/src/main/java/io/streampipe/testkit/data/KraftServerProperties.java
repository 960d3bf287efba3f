package io.streampipe.testkit.data;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code server.properties} of a one-node KRaft cluster: broker and controller in one process. */
final class KraftServerProperties {

  private static final int NODE_ID = 1;
  private static final String CLIENT = "CLIENT";
  private static final String CLIENT_SASL = "CLIENT_SASL";

  private KraftServerProperties() {}

  /**
   * Listeners for clients that know the broker under a name ({@link KafkaBroker#withAdvertisedClientListeners}):
   * both advertise {@code advertisedAddress}, which something in front of the broker routes to the one the client
   * speaks.
   *
   * @param saslPort 0 when the broker has no SASL user
   */
  record ClientListeners(String advertisedAddress, int plaintextPort, int saslPort) {}

  /**
   * @param user with SASL_PLAINTEXT on the broker listener, for clients and the broker itself, accepting this user;
   *     the controller listener stays PLAINTEXT (only the node itself uses it). SCRAM users must also be created at
   *     format time ({@link SaslUser#scramCredentials()}). Null: PLAINTEXT.
   * @param clientListeners null: none
   */
  static String singleNode(String host, int brokerPort, int controllerPort, Path logDirectory, SaslUser user,
      ClientListeners clientListeners) {
    String brokerListener = user == null ? "PLAINTEXT" : "SASL_PLAINTEXT";
    Map<String, String> listeners = new LinkedHashMap<>();
    Map<String, String> advertised = new LinkedHashMap<>();
    Map<String, String> protocols = new LinkedHashMap<>();
    listeners.put(brokerListener, host + ":" + brokerPort);
    advertised.put(brokerListener, host + ":" + brokerPort);
    protocols.put(brokerListener, brokerListener);
    listeners.put("CONTROLLER", host + ":" + controllerPort);
    protocols.put("CONTROLLER", "PLAINTEXT");
    if (clientListeners != null) {
      listeners.put(CLIENT, host + ":" + clientListeners.plaintextPort());
      advertised.put(CLIENT, clientListeners.advertisedAddress());
      protocols.put(CLIENT, "PLAINTEXT");
      if (user != null) {
        listeners.put(CLIENT_SASL, host + ":" + clientListeners.saslPort());
        advertised.put(CLIENT_SASL, clientListeners.advertisedAddress());
        protocols.put(CLIENT_SASL, "SASL_PLAINTEXT");
      }
    }

    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("process.roles", "broker,controller");
    settings.put("node.id", Integer.toString(NODE_ID));
    settings.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
    settings.put("listeners", joined(listeners, "://"));
    // Two listeners may advertise the same address: Kafka requires distinct ports only of the bound ones.
    settings.put("advertised.listeners", joined(advertised, "://"));
    settings.put("listener.security.protocol.map", joined(protocols, ":"));
    settings.put("controller.listener.names", "CONTROLLER");
    settings.put("inter.broker.listener.name", brokerListener);
    settings.put("log.dirs", logDirectory.toString());
    if (user != null) {
      settings.putAll(user.brokerSettings(brokerListener));
      if (listeners.containsKey(CLIENT_SASL)) {
        settings.putAll(user.brokerSettings(CLIENT_SASL));
      }
    }

    // Tests create their topics explicitly, with the partition count they mean.
    settings.put("auto.create.topics.enable", "false");
    settings.put("num.partitions", "1");

    // One broker: internal topics must not ask for three replicas. One partition each, because
    // creating the default fifty costs seconds when the first consumer group or transaction appears.
    settings.put("offsets.topic.replication.factor", "1");
    settings.put("offsets.topic.num.partitions", "1");
    settings.put("transaction.state.log.replication.factor", "1");
    settings.put("transaction.state.log.min.isr", "1");
    settings.put("transaction.state.log.num.partitions", "1");

    // Consumer groups (the Flink source with committed offsets) join at once instead of after 3 s.
    settings.put("group.initial.rebalance.delay.ms", "0");
    // The log cleaner's default 128 MiB buffer would take a quarter of the broker's heap.
    settings.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
    return settings.entrySet().stream()
        .map(setting -> setting.getKey() + "=" + setting.getValue())
        .collect(Collectors.joining("\n", "", "\n"));
  }

  private static String joined(Map<String, String> byListener, String separator) {
    return byListener.entrySet().stream()
        .map(entry -> entry.getKey() + separator + entry.getValue())
        .collect(Collectors.joining(","));
  }
}
