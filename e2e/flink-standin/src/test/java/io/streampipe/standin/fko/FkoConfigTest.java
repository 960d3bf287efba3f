package io.streampipe.standin.fko;

import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-resource Flink operator options the stand-in reads, with FKO 1.16's defaults. */
class FkoConfigTest {
    @Test
    void theSavepointFormatIsCanonicalUnlessTheFlinkConfigurationNamesAnother() {
        // KubernetesOperatorConfigOptions.OPERATOR_SAVEPOINT_FORMAT_TYPE: Flink's SavepointFormatType.DEFAULT; Flink
        // reads enum options without regard to case.
        assertThat(new FkoConfig(Map.of()).savepointFormatType()).isEqualTo(SavepointFormatType.CANONICAL);
        assertThat(new FkoConfig(Map.of("kubernetes.operator.savepoint.format.type", "NATIVE")).savepointFormatType())
                .isEqualTo(SavepointFormatType.NATIVE);
        assertThat(new FkoConfig(Map.of("kubernetes.operator.savepoint.format.type", "native")).savepointFormatType())
                .isEqualTo(SavepointFormatType.NATIVE);
    }
}
