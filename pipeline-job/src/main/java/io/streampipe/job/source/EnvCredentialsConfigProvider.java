package io.streampipe.job.source;

import io.streampipe.api.JobContract;
import io.streampipe.api.v1alpha1.SourceSpec.SaslMechanism;
import org.apache.kafka.common.config.ConfigData;
import org.apache.kafka.common.config.provider.ConfigProvider;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A Kafka {@link ConfigProvider} that builds {@code sasl.jaas.config} from the Kafka credentials in the process
 * environment ({@link JobContract#ENV_KAFKA_USERNAME}, {@link JobContract#ENV_KAFKA_PASSWORD}) when the Kafka client
 * is created, on the JobManager and each TaskManager. The job graph and the Flink configuration only ever hold the
 * reference {@code ${streampipe-env:<mechanism>}}, never the password. The Kafka sink's producers, which may log in
 * to another cluster as another user, refer to {@code ${streampipe-env:sink:<mechanism>}}: the credentials in
 * {@link JobContract#ENV_KAFKA_SINK_USERNAME} and {@link JobContract#ENV_KAFKA_SINK_PASSWORD}.
 */
public final class EnvCredentialsConfigProvider implements ConfigProvider {
    /** Name the provider is registered under in the consumer properties. */
    public static final String NAME = "streampipe-env";

    private final UnaryOperator<String> environment;

    public EnvCredentialsConfigProvider() {
        this(System::getenv);
    }

    EnvCredentialsConfigProvider(UnaryOperator<String> environment) {
        this.environment = environment;
    }

    /** Path of the Kafka sink's credentials in a reference. */
    public static final String SINK = "sink";

    /** The placeholder the consumer properties carry for {@code sasl.jaas.config}. */
    public static String reference(SaslMechanism mechanism) {
        return "${" + NAME + ":" + mechanism.name() + "}";
    }

    /** The placeholder the Kafka sink's producer properties carry for {@code sasl.jaas.config}. */
    public static String sinkReference(SaslMechanism mechanism) {
        return "${" + NAME + ":" + SINK + ":" + mechanism.name() + "}";
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public ConfigData get(String path) {
        return new ConfigData(Map.of());
    }

    @Override
    public ConfigData get(String path, Set<String> keys) {
        boolean sink = SINK.equals(path);
        String field = sink ? "spec.sink.kafka.credentialsSecretRef" : "spec.source.kafka.credentialsSecretRef";
        Map<String, String> data = new HashMap<>();
        for (String key : keys) {
            SaslMechanism mechanism = SaslMechanism.valueOf(key);
            data.put(key, SaslJaasConfig.of(mechanism,
                    require(sink ? JobContract.ENV_KAFKA_SINK_USERNAME : JobContract.ENV_KAFKA_USERNAME, field),
                    require(sink ? JobContract.ENV_KAFKA_SINK_PASSWORD : JobContract.ENV_KAFKA_PASSWORD, field)));
        }
        return new ConfigData(data);
    }

    private String require(String variable, String field) {
        String value = environment.apply(variable);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("Environment variable " + variable
                    + " is not set: SASL needs the Kafka credentials (" + field + ")");
        }
        return value;
    }

    @Override
    public void close() {
    }
}
