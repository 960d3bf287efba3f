package io.streampipe.testkit.data;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker (KRaft, one node that is broker and controller) on a free
 * 127.0.0.1 port, with its data in a temporary directory that {@link #close()} deletes.
 * PLAINTEXT, or SASL_PLAINTEXT with one user ({@link #withSasl}). For clients that know it
 * under a name, it can listen on another loopback address and advertise that name
 * ({@link #withAdvertisedClientListeners}).
 *
 * <p>The broker runs in a child JVM on its own classpath (see {@link KafkaBrokerClasspath}):
 * its Kafka, Scala and Jackson jars never meet the Flink connector's kafka-clients that this
 * class and the tests use. Its log is {@link #logFile()}.
 */
public final class KafkaBroker extends LocalService {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
  private static final List<String> BROKER_JVM_OPTIONS = List.of(
      "-Xms128m", "-Xmx512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true");

  private SaslUser saslUser;
  private String host = FreePorts.LOOPBACK;
  private String advertisedAddress;
  private KraftServerProperties.ClientListeners clientListeners;
  private Path workDirectory;
  private Path logFile;
  private String bootstrapServers;
  private Process broker;
  private OrphanWatchdog watchdog;
  private Admin admin;

  /**
   * Makes the client listener SASL_PLAINTEXT, accepting one user with the given mechanisms (SCRAM users are created
   * when the storage is formatted, PLAIN users are listed in the broker's JAAS config). The testkit's own clients
   * ({@link #clientProperties()}, {@link #admin()}, {@link #produce}, {@link #readAll}) log in as this user with
   * {@code mechanism}. Call before the broker starts.
   *
   * @param username one or more of A-Z a-z 0-9 . _ - (so is {@code password})
   */
  public synchronized KafkaBroker withSasl(String username, String password, SaslMechanism mechanism,
      SaslMechanism... moreMechanisms) {
    if (isRunning()) {
      throw new IllegalStateException("withSasl must be called before the broker starts");
    }
    List<SaslMechanism> mechanisms = new ArrayList<>();
    mechanisms.add(mechanism);
    mechanisms.addAll(List.of(moreMechanisms));
    saslUser = new SaslUser(username, password, mechanisms);
    return this;
  }

  /**
   * Binds the broker to {@code host} instead of 127.0.0.1, and adds listeners for clients that know the broker as
   * {@code advertisedAddress} ({@code name:port}): one PLAINTEXT and, with {@link #withSasl}, one SASL_PLAINTEXT, each
   * on a free port of {@code host} ({@link #clientListenerPort}), both advertising that address. Kafka serves one
   * security protocol per port, so whatever answers at the advertised address must hand each connection to the
   * listener its client speaks. {@link #bootstrapServers()} and the testkit's own clients keep the broker's first
   * listener, under {@code host}. Call before the broker starts.
   *
   * @param host an IP address of this machine, e.g. 127.0.0.2 (Linux routes all of 127.0.0.0/8 to the loopback)
   */
  public synchronized KafkaBroker withAdvertisedClientListeners(String host, String advertisedAddress) {
    if (isRunning()) {
      throw new IllegalStateException("withAdvertisedClientListeners must be called before the broker starts");
    }
    this.host = host;
    this.advertisedAddress = advertisedAddress;
    return this;
  }

  /**
   * The port, on the broker's host, of the client listener that speaks {@code securityProtocol} ({@code PLAINTEXT} or
   * {@code SASL_PLAINTEXT}). Only for a broker {@link #withAdvertisedClientListeners with client listeners}.
   */
  public int clientListenerPort(String securityProtocol) {
    requireRunning();
    if (clientListeners == null) {
      throw new IllegalStateException("This broker has no client listeners: call withAdvertisedClientListeners");
    }
    return switch (securityProtocol) {
      case "PLAINTEXT" -> clientListeners.plaintextPort();
      case "SASL_PLAINTEXT" -> {
        if (saslUser == null) {
          throw new IllegalStateException("This broker has no SASL listener: call withSasl before it starts");
        }
        yield clientListeners.saslPort();
      }
      default -> throw new IllegalArgumentException("No client listener speaks " + securityProtocol);
    };
  }

  /** The broker's version (the parent pom's {@code kafka-broker.version}). */
  public static String version() {
    return KafkaBrokerClasspath.VERSION;
  }

  /** {@code 127.0.0.1:<port>} (or the host given), for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    requireRunning();
    return bootstrapServers;
  }

  /**
   * {@code bootstrap.servers}, and with SASL the login of the broker's user, to which a client adds its own
   * settings.
   */
  public Properties clientProperties() {
    requireRunning();
    return connectionProperties();
  }

  /**
   * {@code bootstrap.servers} and a SASL login as anyone, with any mechanism: for tests of logins the broker must
   * refuse. Only for a broker {@link #withSasl with SASL}.
   */
  public Properties clientProperties(SaslMechanism mechanism, String username, String password) {
    if (saslUser == null) {
      throw new IllegalStateException("This broker has no SASL listener: call withSasl before it starts");
    }
    Properties properties = new Properties();
    properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    properties.putAll(SaslUser.clientSettings(mechanism, username, password));
    return properties;
  }

  /** An admin client for this broker, shared, closed with the broker: don't close it. */
  public Admin admin() {
    requireRunning();
    return admin;
  }

  /** The broker's log (also quoted in start-up errors). */
  public Path logFile() {
    return logFile;
  }

  /** Creates a topic (replication factor 1) and waits until every partition has a leader. */
  public void createTopic(String name, int partitions) {
    await("creating topic " + name,
        admin().createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all());
    long deadline = System.nanoTime() + CLIENT_TIMEOUT.toNanos();
    while (!allPartitionsHaveLeaders(name)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Topic " + name + " has partitions without a leader after "
            + CLIENT_TIMEOUT.toSeconds() + " s. Broker log: " + logFile);
      }
      sleep(Duration.ofMillis(50));
    }
  }

  /**
   * Sends the records with {@code acks=all} and waits until the broker has acknowledged each.
   *
   * @return where each record landed, in the order given
   */
  public List<RecordMetadata> produce(List<ProducerRecord<String, String>> records) {
    Properties properties = clientProperties();
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (var producer = new KafkaProducer<String, String>(properties)) {
      List<Future<RecordMetadata>> acknowledgements = new ArrayList<>(records.size());
      records.forEach(record -> acknowledgements.add(producer.send(record)));
      producer.flush();
      List<RecordMetadata> landed = new ArrayList<>(records.size());
      for (Future<RecordMetadata> acknowledgement : acknowledgements) {
        landed.add(await("producing to Kafka", acknowledgement));
      }
      return landed;
    }
  }

  /**
   * Every committed record in the topic right now, from the beginning of each partition up to
   * its end offset at the time of the call; no consumer group is involved. Records of aborted
   * transactions are skipped ({@code read_committed}), as a downstream consumer would see it.
   */
  public List<ConsumerRecord<String, String>> readAll(String topic) {
    Properties properties = clientProperties();
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (var consumer = new KafkaConsumer<String, String>(properties)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, CLIENT_TIMEOUT).stream()
          .map(info -> new TopicPartition(topic, info.partition()))
          .toList();
      if (partitions.isEmpty()) {
        throw new IllegalArgumentException("Topic " + topic + " does not exist");
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> endOffsets = stableEndOffsets(topic, consumer, partitions);
      List<ConsumerRecord<String, String>> records = new ArrayList<>();
      long deadline = System.nanoTime() + CLIENT_TIMEOUT.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < endOffsets.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Reading " + topic + " took longer than "
              + CLIENT_TIMEOUT.toSeconds() + " s; got " + records.size() + " records");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  /**
   * Where {@link #readAll} stops: each partition's end, once no transaction in it is still being
   * completed. A commit or abort returns to the producer before its marker is in the partition;
   * until then the last stable offset (as far as {@code read_committed} reads) lags behind the log
   * end, and stopping there would miss records that are already committed.
   */
  private Map<TopicPartition, Long> stableEndOffsets(String topic, KafkaConsumer<?, ?> consumer,
      List<TopicPartition> partitions) {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
    ListOffsetsOptions uncommitted = new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED);
    long deadline = System.nanoTime() + CLIENT_TIMEOUT.toNanos();
    while (true) {
      Map<TopicPartition, Long> stable = consumer.endOffsets(partitions, CLIENT_TIMEOUT);
      var logEnd = await("listing the end offsets of " + topic, admin().listOffsets(latest, uncommitted).all());
      if (partitions.stream().allMatch(p -> stable.get(p) == logEnd.get(p).offset())) {
        return stable;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Topic " + topic + " still has a transaction open after "
            + CLIENT_TIMEOUT.toSeconds() + " s: last stable offsets " + stable + ", log end " + logEnd);
      }
      sleep(Duration.ofMillis(50));
    }
  }

  @Override
  public String toString() {
    return "KafkaBroker{" + (isRunning() ? bootstrapServers : "not running") + ", " + listenerDescription() + "}";
  }

  @Override
  protected void startProcesses() {
    long startNanos = System.nanoTime();
    Path lib = KafkaBrokerClasspath.libDirectory();
    workDirectory = WorkDirectories.create("streampipe-kafka-");
    logFile = workDirectory.resolve("kafka.log");
    try {
      int[] ports = FreePorts.allocate(host, 4);
      bootstrapServers = host + ":" + ports[0];
      if (advertisedAddress != null) {
        clientListeners = new KraftServerProperties.ClientListeners(advertisedAddress, ports[2],
            saslUser == null ? 0 : ports[3]);
      }
      Path config = workDirectory.resolve("server.properties");
      Path data = workDirectory.resolve("data");
      Files.writeString(config,
          KraftServerProperties.singleNode(host, ports[0], ports[1], data, saslUser, clientListeners));
      Path scramCredentials = null;
      if (saslUser != null && !saslUser.scramCredentials().isEmpty()) {
        scramCredentials = Files.write(workDirectory.resolve("scram-credentials"), saslUser.scramCredentials());
      }
      Path log4jConfig = workDirectory.resolve("log4j.properties");
      try (InputStream in = KafkaBroker.class.getResourceAsStream("kafka-broker-log4j.properties")) {
        Files.copy(in, log4jConfig, StandardCopyOption.REPLACE_EXISTING);
      }

      broker = Processes.start(
          brokerJvm(lib, log4jConfig, Uuid.randomUuid().toString(), config, scramCredentials), logFile);
      watchdog = OrphanWatchdog.watch(broker.pid(), "KILL", workDirectory);
      awaitReady(ports[0], System.nanoTime() + START_TIMEOUT.toNanos());
    } catch (IOException | RuntimeException e) {
      stopAfterFailedStart();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
    LOG.info("Started Kafka broker {} at {} ({}) in {} ms (log: {})", version(), bootstrapServers,
        listenerDescription(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), logFile);
  }

  @Override
  protected void stopProcesses() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
      admin = null;
    }
    Processes.stop(broker, STOP_GRACE);
    watchdog.close();
    WorkDirectories.deleteRecursively(workDirectory);
    LOG.info("Stopped Kafka broker at {} and deleted {}", bootstrapServers, workDirectory);
  }

  /** The {@link Process} of the broker JVM, for tests of this testkit. */
  Process process() {
    return broker;
  }

  Path workDirectory() {
    return workDirectory;
  }

  /** {@code bootstrap.servers}, plus the SASL login of the broker's user if it has one. */
  private Properties connectionProperties() {
    Properties properties = new Properties();
    properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    if (saslUser != null) {
      properties.putAll(SaslUser.clientSettings(saslUser.clientMechanism(), saslUser.username(), saslUser.password()));
    }
    return properties;
  }

  private String listenerDescription() {
    String listener = saslUser == null ? "PLAINTEXT" : "SASL_PLAINTEXT " + saslUser.mechanisms().stream()
        .map(SaslMechanism::kafkaName).toList() + " as " + saslUser.username();
    return clientListeners == null ? listener
        : listener + "; client listeners advertised as " + clientListeners.advertisedAddress();
  }

  /** The child JVM: the broker's jars, plus this module's {@link KafkaBrokerMain} and nothing else. */
  private static List<String> brokerJvm(Path lib, Path log4jConfig, String clusterId, Path config,
      Path scramCredentials) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(BROKER_JVM_OPTIONS);
    command.add("-Dlog4j.configuration=" + log4jConfig.toUri());
    command.add("-cp");
    command.add(lib.resolve("*") + File.pathSeparator + codeLocation(KafkaBrokerMain.class));
    command.add(KafkaBrokerMain.class.getName());
    command.add(clusterId);
    command.add(config.toString());
    if (scramCredentials != null) {
      command.add(scramCredentials.toString());
    }
    return command;
  }

  /** The jar or classes directory a class was loaded from. */
  private static Path codeLocation(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Cannot locate the classes of " + type.getName(), e);
    }
  }

  /** Ready means: the port accepts connections and the broker lists itself in the cluster. */
  private void awaitReady(int brokerPort, long deadlineNanos) {
    while (true) {
      if (!broker.isAlive()) {
        throw new IllegalStateException("The Kafka broker exited with code " + broker.exitValue()
            + " while starting (work directory kept). " + Processes.describeLog(logFile));
      }
      if (acceptsConnections(host, brokerPort) && brokerListsItself()) {
        return;
      }
      if (System.nanoTime() > deadlineNanos) {
        throw new IllegalStateException("The Kafka broker was not ready after "
            + START_TIMEOUT.toSeconds() + " s (work directory kept). " + Processes.describeLog(logFile));
      }
      sleep(Duration.ofMillis(100));
    }
  }

  private static boolean acceptsConnections(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private boolean brokerListsItself() {
    if (admin == null) {
      Properties properties = connectionProperties();
      properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
      admin = Admin.create(properties);
    }
    try {
      return !admin.describeCluster(new DescribeClusterOptions().timeoutMs(2_000))
          .nodes().get().isEmpty();
    } catch (ExecutionException notYet) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
    }
  }

  /** False until the topic is known and every partition has a leader; right after a create, on a busy machine,
   * the broker can still answer "unknown topic" for a moment. */
  private boolean allPartitionsHaveLeaders(String topic) {
    TopicDescription description;
    try {
      description = await("describing topic " + topic, admin().describeTopics(List.of(topic)).allTopicNames()).get(topic);
    } catch (IllegalStateException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
        return false;
      }
      throw e;
    }
    return description.partitions().stream()
        .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
  }

  private void stopAfterFailedStart() {
    if (admin != null) {
      admin.close(Duration.ZERO);
      admin = null;
    }
    if (broker != null) {
      Processes.stop(broker, Duration.ZERO);
    }
    if (watchdog != null) {
      watchdog.close();
    }
  }

  private <T> T await(String what, Future<T> future) {
    try {
      return future.get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + " took longer than " + CLIENT_TIMEOUT.toSeconds()
          + " s. Broker log: " + logFile, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " was interrupted", e);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
    }
  }
}
