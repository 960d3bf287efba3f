package io.streampipe.testkit.data;

import static java.util.stream.Collectors.groupingBy;
import static java.util.stream.Collectors.mapping;
import static java.util.stream.Collectors.toList;
import static java.util.stream.Collectors.toSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaBrokerTest {

  @RegisterExtension static final KafkaBroker kafka = new KafkaBroker();

  @Test
  void recordsProducedWithKeysAreReadBackExactly() {
    kafka.createTopic("sensor-readings", 3);
    List<ProducerRecord<String, String>> produced = IntStream.range(0, 1_000)
        .mapToObj(i -> new ProducerRecord<>("sensor-readings", "sensor-" + (i % 37), "reading-" + i))
        .toList();

    kafka.produce(produced);
    List<ConsumerRecord<String, String>> consumed = kafka.readAll("sensor-readings");

    assertThat(consumed).map(record -> List.of(record.key(), record.value()))
        .containsExactlyInAnyOrderElementsOf(
            produced.stream().map(record -> List.of(record.key(), record.value())).toList());
    assertThat(consumed).map(ConsumerRecord::partition).containsOnly(0, 1, 2);
    // Keys are hashed to partitions, and a partition keeps order: each key's values come
    // back from one partition in the order they were produced.
    assertThat(consumed.stream().collect(groupingBy(ConsumerRecord::key, mapping(ConsumerRecord::partition, toSet()))))
        .allSatisfy((key, partitions) -> assertThat(partitions).hasSize(1));
    assertThat(valuesByKey(consumed)).isEqualTo(
        produced.stream().collect(groupingBy(ProducerRecord::key, mapping(ProducerRecord::value, toList()))));
  }

  @Test
  void consumerGroupCommitsItsOffsets() throws Exception {
    kafka.createTopic("orders", 2);
    kafka.produce(IntStream.range(0, 10)
        .mapToObj(i -> new ProducerRecord<>("orders", "order-" + i, "{\"amount\":" + i + "}"))
        .toList());

    Properties properties = kafka.clientProperties();
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, "orders-upsert");
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<ConsumerRecord<String, String>> consumed = new ArrayList<>();
    try (var consumer = new KafkaConsumer<String, String>(properties)) {
      consumer.subscribe(List.of("orders"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumed.size() < 10 && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(consumed::add);
      }
      consumer.commitSync();
    }

    assertThat(consumed).hasSize(10);
    Map<?, OffsetAndMetadata> committed =
        kafka.admin().listConsumerGroupOffsets("orders-upsert").partitionsToOffsetAndMetadata().get();
    assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(10);
  }

  @Test
  void recordsOfAnAbortedTransactionAreNotRead() {
    kafka.createTopic("payments", 1);
    Properties properties = kafka.clientProperties();
    properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "payments-writer");
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (var producer = new KafkaProducer<String, String>(properties)) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("payments", "p-1", "committed"));
      producer.commitTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("payments", "p-2", "aborted"));
      producer.abortTransaction();
    }

    assertThat(kafka.readAll("payments")).map(ConsumerRecord::value).containsExactly("committed");
  }

  @Test
  void topicsAreNotCreatedImplicitly() {
    assertThatThrownBy(() -> kafka.readAll("never-created"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("never-created");
  }

  private static Map<String, List<String>> valuesByKey(List<ConsumerRecord<String, String>> records) {
    return records.stream().collect(groupingBy(ConsumerRecord::key, mapping(ConsumerRecord::value, toList())));
  }
}
