package io.streampipe.testkit.data;

/** A SASL mechanism the test broker can accept on its client listener ({@link KafkaBroker#withSasl}). */
public enum SaslMechanism {
  PLAIN("PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule"),
  SCRAM_SHA_256("SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule"),
  SCRAM_SHA_512("SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule");

  private final String kafkaName;
  private final String loginModule;

  SaslMechanism(String kafkaName, String loginModule) {
    this.kafkaName = kafkaName;
    this.loginModule = loginModule;
  }

  /** Kafka's name, for {@code sasl.mechanism} and {@code sasl.enabled.mechanisms}. */
  public String kafkaName() {
    return kafkaName;
  }

  /** The JAAS login module, for {@code sasl.jaas.config}. */
  String loginModule() {
    return loginModule;
  }

  /** SCRAM users live in the cluster metadata (created at format time); PLAIN users in the broker's JAAS config. */
  boolean isScram() {
    return this != PLAIN;
  }
}
