package io.streampipe.sandbox.services;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.job.SpecFiles;
import io.streampipe.sandbox.services.ServicesPlan.Source;
import io.streampipe.sandbox.services.ServicesPlan.Value;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ServicesPlanTest {
    private static final Path EXAMPLES = Path.of(System.getProperty("streampipe.examples", "../../examples"));

    @Test
    void theExamplesAreServedAsTheyAre() {
        ServicesPlan plan = ServicesPlan.of(SandboxServices.readManifests(EXAMPLES));

        assertThat(plan.problems()).isEmpty();
        assertThat(plan.topics()).containsExactly("clicks", "orders", "sensor-alerts", "sensor-readings");
        assertThat(plan.databases()).containsExactly("analytics", "shop");
        assertThat(plan.dimensions()).extracting(d -> d.manifest() + " " + d.database() + "." + d.dimension().postgres.table)
                .containsExactly("clickstream-enriched.yaml analytics.users");
        assertThat(plan.secrets()).isEqualTo(Map.of(
                "analytics-db", Map.of("username", new Value(Source.DATABASE_USERNAME, "analytics"),
                        "password", new Value(Source.DATABASE_PASSWORD, "analytics")),
                "shop-db", Map.of("username", new Value(Source.DATABASE_USERNAME, "shop"),
                        "password", new Value(Source.DATABASE_PASSWORD, "shop")),
                "kafka-orders-reader", Map.of("username", Value.of(Source.KAFKA_USERNAME),
                        "password", Value.of(Source.KAFKA_PASSWORD)),
                "flink-state-s3", Map.of("accessKeyId", Value.of(Source.THROWAWAY),
                        "secretAccessKey", Value.of(Source.THROWAWAY))));
    }

    @Test
    void whatTheSandboxCannotServeIsNamed() {
        StreamingPipelineSpec elsewhere = example("sensor-anomalies.yaml");
        elsewhere.source.kafka.bootstrapServers = "broker-1.prod:9092";
        elsewhere.sink.postgres.jdbcUrl = "jdbc:postgresql://db.prod:5432/analytics";
        elsewhere.sink.kafka.bootstrapServers = "alerts.prod:9093";
        StreamingPipelineSpec otherKeys = example("orders-upsert.yaml");
        otherKeys.sink.postgres.credentialsSecretRef.name = "analytics-db";
        otherKeys.sink.postgres.credentialsSecretRef.usernameKey = "password";

        Map<String, StreamingPipelineSpec> sharingASecret = new LinkedHashMap<>();
        sharingASecret.put("sensor-anomalies.yaml", example("sensor-anomalies.yaml"));
        sharingASecret.put("orders-upsert.yaml", otherKeys);

        ServicesPlan plan = ServicesPlan.of(Map.of("a.yaml", elsewhere));
        ServicesPlan conflicting = ServicesPlan.of(sharingASecret);

        assertThat(plan.problems()).containsExactly(
                "a.yaml: spec.source.kafka.bootstrapServers is broker-1.prod:9092, the sandbox serves kafka:9092",
                "a.yaml: spec.sink.postgres.jdbcUrl is jdbc:postgresql://db.prod:5432/analytics, the sandbox serves "
                        + "jdbc:postgresql://postgres:5432/<database>",
                "a.yaml: spec.sink.kafka.bootstrapServers is alerts.prod:9093, the sandbox serves kafka:9092");
        assertThat(plan.topics()).isEmpty();
        assertThat(plan.databases()).isEmpty();
        assertThat(conflicting.problems()).containsExactly("orders-upsert.yaml: Secret analytics-db key password would hold "
                + "DATABASE_USERNAME of shop, but another manifest has it hold DATABASE_PASSWORD of analytics; kept the latter",
                "orders-upsert.yaml: Secret analytics-db key password would hold DATABASE_PASSWORD of shop, but another "
                        + "manifest has it hold DATABASE_PASSWORD of analytics; kept the latter");
    }

    private static StreamingPipelineSpec example(String file) {
        return SpecFiles.read(EXAMPLES.resolve(file));
    }
}
