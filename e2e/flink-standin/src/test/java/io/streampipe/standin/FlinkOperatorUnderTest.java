package io.streampipe.standin;

import io.streampipe.standin.flink.rest.FlinkRestClient;

import java.util.List;

/**
 * The Flink Kubernetes Operator stand-in a contract test drives: ours ({@link FlinkOperatorStandIn}, in this JVM) or
 * FKO 1.16.1's own controller ({@code e2e/fko-real}, in a JVM of its own). Both run each FlinkDeployment as a local
 * cluster under {@code <work>/clusters/<namespace>/<name>/}.
 */
interface FlinkOperatorUnderTest extends AutoCloseable {

    /** The REST API of the FlinkDeployment's running cluster. */
    FlinkRestClient rest(String namespace, String name);

    /** The JVMs of the FlinkDeployment's cluster; empty when it has none. */
    List<ProcessHandle> jvms(String namespace, String name);

    @Override
    void close();
}
