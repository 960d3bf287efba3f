package io.streampipe.standin;

import io.streampipe.standin.flink.cluster.LocalFlinkCluster;
import io.streampipe.standin.flink.rest.FlinkRestClient;

import java.util.List;

/** Our own state machine ({@link FlinkOperatorStandIn}), in the test's JVM. */
record OurStandIn(FlinkOperatorStandIn standIn) implements FlinkOperatorUnderTest {

    @Override
    public FlinkRestClient rest(String namespace, String name) {
        return standIn.cluster(namespace, name).orElseThrow().rest();
    }

    @Override
    public List<ProcessHandle> jvms(String namespace, String name) {
        return standIn.cluster(namespace, name).map(LocalFlinkCluster::processes).orElse(List.of());
    }

    @Override
    public void close() {
        standIn.close();
    }
}
