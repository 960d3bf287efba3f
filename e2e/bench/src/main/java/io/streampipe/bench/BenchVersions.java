package io.streampipe.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Versions from the parent pom (resource filtering): the broker's Kafka and Debezium. */
final class BenchVersions {
    private static final Properties VERSIONS = load();
    static final String KAFKA = VERSIONS.getProperty("kafka-broker.version");
    static final String DEBEZIUM = VERSIONS.getProperty("debezium.version");

    private BenchVersions() {
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = BenchVersions.class.getResourceAsStream("bench.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}
