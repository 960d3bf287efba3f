package io.streampipe.standin.flink.cluster;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemoryParametersTest {
    /** What BashJavaUtils GET_TM_RESOURCE_PARAMS printed for a 1g TaskManager with managed fraction 0.2. */
    private static final String TASK_MANAGER_OUTPUT = """
            INFO  [] - Loading configuration property: taskmanager.memory.process.size, 1g
            BASH_JAVA_UTILS_EXEC_RESULT:-Xmx281857227 -Xms281857227 -XX:MaxDirectMemorySize=201326592 -XX:MaxMetaspaceSize=268435456
            BASH_JAVA_UTILS_EXEC_RESULT:-D taskmanager.memory.network.min=67108864b -D taskmanager.cpu.cores=1.0 -D taskmanager.memory.task.heap.size=147639499b
            """;

    @Test
    void theFirstResultLineHoldsTheJvmFlagsTheSecondTheDynamicProperties() {
        MemoryParameters memory = MemoryParameters.parse(TASK_MANAGER_OUTPUT);

        assertThat(memory.jvmArguments()).containsExactly("-Xmx281857227", "-Xms281857227",
                "-XX:MaxDirectMemorySize=201326592", "-XX:MaxMetaspaceSize=268435456");
        assertThat(memory.dynamicProperties()).containsExactly("-D", "taskmanager.memory.network.min=67108864b",
                "-D", "taskmanager.cpu.cores=1.0", "-D", "taskmanager.memory.task.heap.size=147639499b");
    }

    @Test
    void anOutputWithoutResultIsRefused() {
        assertThatThrownBy(() -> MemoryParameters.parse("Exception in thread \"main\" IllegalConfigurationException"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BASH_JAVA_UTILS_EXEC_RESULT:");
    }
}
