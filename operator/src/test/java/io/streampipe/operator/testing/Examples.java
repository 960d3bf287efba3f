package io.streampipe.operator.testing;

import io.streampipe.api.JobContract;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.desired.DeploymentInputs;
import io.streampipe.operator.desired.OperatorDefaults;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The pipelines of the repository's examples/ folder, as the operator sees them, and the defaults tests build with. */
public final class Examples {
    public static final Path DIRECTORY = Path.of("../examples");
    public static final List<String> NAMES = List.of("sensor-anomalies", "clickstream-sessions", "orders-upsert",
            "clickstream-enriched");
    public static final String NAMESPACE = "analytics";
    public static final OperatorDefaults DEFAULTS =
            new OperatorDefaults("ghcr.io/streampipe/pipeline-job:0.1.0", "1.20.3", OperatorDefaults.DEFAULT_SERVICE_ACCOUNT);

    private Examples() {
    }

    /** A fresh copy of examples/{name}.yaml in namespace {@link #NAMESPACE}. */
    public static StreamingPipeline load(String name) {
        try (InputStream yaml = Files.newInputStream(DIRECTORY.resolve(name + ".yaml"))) {
            StreamingPipeline pipeline = Serialization.unmarshal(yaml, StreamingPipeline.class);
            pipeline.getMetadata().setNamespace(NAMESPACE);
            return pipeline;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every Secret the examples reference, with the keys they need. */
    public static final Map<String, Set<String>> SECRETS = Map.of(
            "analytics-db", Set.of("username", "password"),
            "shop-db", Set.of("username", "password"),
            "kafka-orders-reader", Set.of("username", "password"),
            "flink-state-s3", Set.of("accessKeyId", "secretAccessKey"));

    /** The inputs of a first deploy: max parallelism as given (else the default) and the initial source epoch. */
    public static DeploymentInputs firstDeploy(StreamingPipeline pipeline) {
        Integer max = pipeline.getSpec().maxParallelism;
        return new DeploymentInputs(max != null ? max : DeploymentInputs.DEFAULT_MAX_PARALLELISM,
                JobContract.INITIAL_SOURCE_EPOCH, false);
    }
}
