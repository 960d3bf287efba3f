package io.streampipe.testkit.data;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code server.properties} of a one-node KRaft cluster: broker and controller in one process. */
final class KraftServerProperties {

  private static final int NODE_ID = 1;

  private KraftServerProperties() {}

  static String singleNode(int brokerPort, int controllerPort, Path logDirectory) {
    return render(settings("PLAINTEXT", brokerPort, controllerPort, logDirectory));
  }

  /**
   * The same node with SASL_PLAINTEXT on the broker listener, for clients and the broker itself, accepting
   * {@code user}; the controller listener stays PLAINTEXT (only the node itself uses it). SCRAM users must also be
   * created at format time ({@link SaslUser#scramCredentials()}).
   */
  static String singleNodeWithSasl(int brokerPort, int controllerPort, Path logDirectory, SaslUser user) {
    Map<String, String> settings = settings("SASL_PLAINTEXT", brokerPort, controllerPort, logDirectory);
    settings.putAll(user.brokerSettings("SASL_PLAINTEXT"));
    return render(settings);
  }

  private static Map<String, String> settings(String brokerListener, int brokerPort, int controllerPort,
      Path logDirectory) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("process.roles", "broker,controller");
    settings.put("node.id", Integer.toString(NODE_ID));
    settings.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    settings.put("listeners",
        brokerListener + "://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    settings.put("advertised.listeners", brokerListener + "://127.0.0.1:" + brokerPort);
    settings.put("listener.security.protocol.map",
        brokerListener + ":" + brokerListener + ",CONTROLLER:PLAINTEXT");
    settings.put("controller.listener.names", "CONTROLLER");
    settings.put("inter.broker.listener.name", brokerListener);
    settings.put("log.dirs", logDirectory.toString());

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
    return settings;
  }

  private static String render(Map<String, String> settings) {
    return settings.entrySet().stream()
        .map(setting -> setting.getKey() + "=" + setting.getValue())
        .collect(Collectors.joining("\n", "", "\n"));
  }
}
