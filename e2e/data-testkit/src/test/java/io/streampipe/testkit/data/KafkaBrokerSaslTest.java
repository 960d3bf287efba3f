package io.streampipe.testkit.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class KafkaBrokerSaslTest {

  private static final String USER = "pipeline-reader";
  private static final String PASSWORD = "reader-Secret.42";

  @RegisterExtension
  static final KafkaBroker kafka = new KafkaBroker()
      .withSasl(USER, PASSWORD, SaslMechanism.SCRAM_SHA_512, SaslMechanism.PLAIN);

  @Test
  void theTestkitsOwnClientsLogInAsTheBrokersUser() {
    assertThat(kafka.clientProperties())
        .containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    kafka.createTopic("audited", 2);
    kafka.produce(IntStream.range(0, 20)
        .mapToObj(i -> new ProducerRecord<>("audited", "k-" + i, "v-" + i)).toList());

    assertThat(kafka.readAll("audited")).map(ConsumerRecord::value)
        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 20).mapToObj(i -> "v-" + i).toList());
  }

  @ParameterizedTest
  @EnumSource(names = {"SCRAM_SHA_512", "PLAIN"})
  void theRightPasswordProducesAndConsumesWithEachMechanism(SaslMechanism mechanism) {
    String topic = "orders-" + mechanism.name().toLowerCase();
    kafka.createTopic(topic, 1);
    Properties login = kafka.clientProperties(mechanism, USER, PASSWORD);

    try (var producer = new KafkaProducer<String, String>(producerProperties(login))) {
      producer.send(new ProducerRecord<>(topic, "o-1", "created"));
      producer.send(new ProducerRecord<>(topic, "o-1", "paid"));
      producer.flush();
    }
    List<String> values = new ArrayList<>();
    try (var consumer = new KafkaConsumer<String, String>(consumerProperties(login))) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < 2 && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(record -> values.add(record.value()));
      }
    }

    assertThat(values).containsExactly("created", "paid");
  }

  @ParameterizedTest
  @EnumSource(names = {"SCRAM_SHA_512", "PLAIN"})
  void aWrongPasswordIsRefused(SaslMechanism mechanism) {
    String topic = "refused-" + mechanism.name().toLowerCase();
    kafka.createTopic(topic, 1);
    Properties login = kafka.clientProperties(mechanism, USER, PASSWORD + "-wrong");

    // At once, not after a timeout: an authentication failure is not retried.
    try (var consumer = new KafkaConsumer<String, String>(consumerProperties(login))) {
      assertThatThrownBy(() -> consumer.partitionsFor(topic, Duration.ofSeconds(20)))
          .isInstanceOf(SaslAuthenticationException.class)
          .hasMessageStartingWith("Authentication failed");
    }
  }

  @Test
  void anUnknownUserIsRefused() {
    Properties login = kafka.clientProperties(SaslMechanism.SCRAM_SHA_512, "someone-else", PASSWORD);

    try (var consumer = new KafkaConsumer<String, String>(consumerProperties(login))) {
      assertThatThrownBy(() -> consumer.listTopics(Duration.ofSeconds(20)))
          .isInstanceOf(SaslAuthenticationException.class);
    }
  }

  @Test
  void aPlaintextClientOnTheSaslPortReadsNothing() {
    kafka.createTopic("secrets", 1);
    kafka.produce(List.of(new ProducerRecord<>("secrets", "k", "v")));
    Properties plaintext = new Properties();
    plaintext.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());

    // The broker answers ApiVersions before authentication, then drops a connection that skips the SASL handshake:
    // the client never gets metadata, so it can neither find the topic nor read it.
    try (var consumer = new KafkaConsumer<String, String>(consumerProperties(plaintext))) {
      assertThatThrownBy(() -> consumer.partitionsFor("secrets", Duration.ofSeconds(3)))
          .isInstanceOf(TimeoutException.class);
      consumer.assign(List.of(new TopicPartition("secrets", 0)));
      consumer.seekToBeginning(consumer.assignment());
      assertThat(consumer.poll(Duration.ofSeconds(2))).isEmpty();
    }
  }

  @Test
  void transactionsCommitThroughTheSaslListener() {
    // Transaction markers go from the broker to itself over its inter-broker listener, which is the SASL one.
    kafka.createTopic("payments", 1);
    Properties properties = producerProperties(kafka.clientProperties());
    properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "payments-writer");
    try (var producer = new KafkaProducer<String, String>(properties)) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("payments", "p-1", "committed"));
      producer.commitTransaction();
    }

    // commitTransaction returns before the broker has written the commit marker; until then read_committed
    // consumers see nothing of the transaction.
    List<ConsumerRecord<String, String>> read = kafka.readAll("payments");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (read.isEmpty() && System.nanoTime() < deadline) {
      read = kafka.readAll("payments");
    }
    assertThat(read).map(ConsumerRecord::value).containsExactly("committed");
  }

  private static Properties producerProperties(Properties login) {
    Properties properties = new Properties();
    properties.putAll(login);
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return properties;
  }

  private static Properties consumerProperties(Properties login) {
    Properties properties = new Properties();
    properties.putAll(login);
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, "sasl-test-" + System.nanoTime());
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return properties;
  }
}
