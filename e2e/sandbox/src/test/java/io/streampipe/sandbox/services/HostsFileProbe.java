package io.streampipe.sandbox.services;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What a pipeline's JVM does with the sandbox, run in a JVM given only the hosts file ({@code -Djdk.net.hosts.file})
 * and credentials in its environment, as the stand-in's Flink JVMs get them: Kafka at {@code kafka:9092} with and
 * without SASL, PostgreSQL at {@code postgres:5432}. Prints {@value #PASSED} and a check's name for each check
 * passed; exits non-zero at the first that fails.
 */
public final class HostsFileProbe {
    static final String PASSED = "passed: ";
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private HostsFileProbe() {
    }

    /** Environment: KAFKA_USERNAME/PASSWORD, and DATABASES=a,b with &lt;DB&gt;_USERNAME/_PASSWORD for each. */
    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        String bootstrap = "kafka:9092";

        Properties plaintext = new Properties();
        plaintext.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(plaintext)) {
            Map<String, Integer> partitions = new TreeMap<>();
            admin.describeTopics(List.of("sensor-readings", "clicks", "orders")).allTopicNames()
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                    .forEach((topic, description) -> partitions.put(topic, description.partitions().size()));
            require(partitions.equals(Map.of("clicks", 3, "orders", 3, "sensor-readings", 3)), "partitions " + partitions);
        }
        passed("topics have 3 partitions");

        roundTrip(plaintext, "sensor-readings");
        passed("PLAINTEXT produce and consume at " + bootstrap);

        Properties sasl = saslLogin(bootstrap, env.get("KAFKA_USERNAME"), env.get("KAFKA_PASSWORD"));
        roundTrip(sasl, "orders");
        passed("SASL_PLAINTEXT SCRAM-SHA-512 produce and consume at " + bootstrap);

        Properties wrongPassword = saslLogin(bootstrap, env.get("KAFKA_USERNAME"), env.get("KAFKA_PASSWORD") + "x");
        try (var consumer = new KafkaConsumer<String, String>(consumerProperties(wrongPassword))) {
            consumer.partitionsFor("orders", TIMEOUT);
            require(false, "a wrong SASL password was accepted");
        } catch (SaslAuthenticationException refused) {
            passed("a wrong SASL password is refused");
        }

        for (String database : env.get("DATABASES").split(",")) {
            String prefix = database.toUpperCase() + "_";
            String url = "jdbc:postgresql://postgres:5432/" + database;
            try (Connection connection = DriverManager.getConnection(url, env.get(prefix + "USERNAME"), env.get(prefix + "PASSWORD"));
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE probe (id int PRIMARY KEY)");
                statement.execute("INSERT INTO probe VALUES (1)");
                try (ResultSet rows = statement.executeQuery("SELECT current_database(), current_user, count(*) FROM probe")) {
                    rows.next();
                    require(rows.getString(1).equals(database) && rows.getString(2).equals(env.get(prefix + "USERNAME"))
                            && rows.getInt(3) == 1, "connected to " + rows.getString(1) + " as " + rows.getString(2));
                }
            }
            passed("PostgreSQL " + url + " as its owner");
        }
    }

    private static void roundTrip(Properties login, String topic) throws Exception {
        String value = "probe-" + System.nanoTime();
        Properties producer = new Properties();
        producer.putAll(login);
        producer.put("key.serializer", StringSerializer.class.getName());
        producer.put("value.serializer", StringSerializer.class.getName());
        producer.put("acks", "all");
        try (var kafkaProducer = new KafkaProducer<String, String>(producer)) {
            kafkaProducer.send(new ProducerRecord<>(topic, "probe", value)).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        try (var consumer = new KafkaConsumer<String, String>(consumerProperties(login))) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, TIMEOUT).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value().equals(value)) {
                        return;
                    }
                }
            }
        }
        require(false, "did not read back what was produced to " + topic);
    }

    private static Properties saslLogin(String bootstrap, String username, String password) {
        Properties login = new Properties();
        login.put("bootstrap.servers", bootstrap);
        login.put("security.protocol", "SASL_PLAINTEXT");
        login.put("sasl.mechanism", "SCRAM-SHA-512");
        login.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + username + "\" password=\"" + password + "\";");
        return login;
    }

    private static Properties consumerProperties(Properties login) {
        Properties consumer = new Properties();
        consumer.putAll(login);
        consumer.put("key.deserializer", StringDeserializer.class.getName());
        consumer.put("value.deserializer", StringDeserializer.class.getName());
        consumer.put("enable.auto.commit", "false");
        return consumer;
    }

    private static void passed(String check) {
        System.out.println(PASSED + check);
    }

    private static void require(boolean condition, String failure) {
        if (!condition) {
            System.out.println("FAILED: " + failure);
            System.exit(1);
        }
    }
}
