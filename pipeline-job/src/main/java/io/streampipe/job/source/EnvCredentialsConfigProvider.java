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
 * reference {@code ${streampipe-env:<mechanism>}}, never the password.
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

    /** The placeholder the consumer properties carry for {@code sasl.jaas.config}. */
    public static String reference(SaslMechanism mechanism) {
        return "${" + NAME + ":" + mechanism.name() + "}";
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
        Map<String, String> data = new HashMap<>();
        for (String key : keys) {
            SaslMechanism mechanism = SaslMechanism.valueOf(key);
            data.put(key, SaslJaasConfig.of(mechanism, require(JobContract.ENV_KAFKA_USERNAME), require(JobContract.ENV_KAFKA_PASSWORD)));
        }
        return new ConfigData(data);
    }

    private String require(String variable) {
        String value = environment.apply(variable);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException("Environment variable " + variable
                    + " is not set: SASL needs the Kafka credentials (spec.source.kafka.credentialsSecretRef)");
        }
        return value;
    }

    @Override
    public void close() {
    }
}
