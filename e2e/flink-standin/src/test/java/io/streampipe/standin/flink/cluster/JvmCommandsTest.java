package io.streampipe.standin.flink.cluster;

import io.streampipe.standin.flink.cluster.JvmCommands.Role;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class JvmCommandsTest {
    private static final MemoryParameters MEMORY = new MemoryParameters(List.of("-Xmx100", "-Xms100"),
            List.of("-D", "taskmanager.memory.task.heap.size=50b"));

    @Test
    void aTaskManagerStartsAsTaskmanagerShStartsIt() {
        List<String> command = JvmCommands.flinkProcess(Role.TASK_MANAGER, "a.jar:b.jar", Path.of("/c/conf"),
                Map.of("env.java.opts.all", "-Dall=1", "env.java.opts.taskmanager", "-Dtm=1  -Dtm=2",
                        "env.java.opts.jobmanager", "-Djm=1"),
                MEMORY, Path.of("/c/log/taskmanager-0.log"), Optional.of(Path.of("/c/hosts")),
                List.of("taskmanager.resource-id=taskmanager-0"));

        assertThat(command.get(0)).endsWith("/bin/java");
        assertThat(command.subList(1, 4)).containsExactly("-Xmx100", "-Xms100", "-XX:+IgnoreUnrecognizedVMOptions");
        assertThat(command).contains("--add-opens=java.base/java.util=ALL-UNNAMED", "-Dall=1", "-Dtm=1", "-Dtm=2",
                "-Dlog.file=/c/log/taskmanager-0.log", "-Dlog4j.configurationFile=file:/c/conf/log4j.properties",
                "-Djdk.net.hosts.file=/c/hosts").doesNotContain("-Djm=1");
        assertThat(command.indexOf("-Dall=1")).isLessThan(command.indexOf("-Dtm=1"));
        assertThat(command.subList(command.indexOf("-classpath"), command.size())).containsExactly(
                "-classpath", "a.jar:b.jar", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                "--configDir", "/c/conf", "-D", "taskmanager.memory.task.heap.size=50b",
                "-D", "taskmanager.resource-id=taskmanager-0");
    }

    @Test
    void theConfigurationsDefaultOptionsReplaceTheJdk17OnesAsInFlinksOwnConfigFile() {
        assertThat(JvmCommands.javaOptions(Role.JOB_MANAGER, Map.of()))
                .contains("--add-opens=java.base/java.lang=ALL-UNNAMED");
        assertThat(JvmCommands.javaOptions(Role.JOB_MANAGER, Map.of("env.java.default-opts.all", "-Dmine=1",
                "env.java.default-opts.jobmanager", "-Djm-default=1", "env.java.opts.jobmanager", "-Djm=1")))
                .containsExactly("-XX:+IgnoreUnrecognizedVMOptions", "-Dmine=1", "-Djm-default=1", "-Djm=1");
    }
}
