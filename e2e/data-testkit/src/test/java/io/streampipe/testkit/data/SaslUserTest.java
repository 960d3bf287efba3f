package io.streampipe.testkit.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SaslUserTest {

  @Test
  void scramUsersAreCreatedAtFormatTimeAndPlainUsersListedInTheJaasConfig() {
    SaslUser user = new SaslUser("reader", "s3cret", List.of(SaslMechanism.SCRAM_SHA_512, SaslMechanism.PLAIN));

    assertThat(user.scramCredentials()).containsExactly("SCRAM-SHA-512=[name=reader,password=s3cret]");
    assertThat(user.brokerSettings("SASL_PLAINTEXT"))
        .containsEntry("sasl.enabled.mechanisms", "SCRAM-SHA-512,PLAIN")
        .containsEntry("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512")
        .containsEntry("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"reader\" password=\"s3cret\";")
        .containsEntry("listener.name.sasl_plaintext.plain.sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"reader\" password=\"s3cret\""
                + " user_reader=\"s3cret\";");
    assertThat(user.toString()).doesNotContain("s3cret");
  }

  @Test
  void credentialsThatWouldNeedEscapingAreRefused() {
    // kafka-storage's --add-scram splits on commas and knows no escapes; JAAS would need quotes escaped.
    assertThatThrownBy(() -> new SaslUser("reader", "a,b", List.of(SaslMechanism.SCRAM_SHA_512)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("password");
    assertThatThrownBy(() -> new SaslUser("re\"ader", "secret", List.of(SaslMechanism.PLAIN)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("username");
    assertThatThrownBy(() -> new SaslUser("reader", "secret", List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
