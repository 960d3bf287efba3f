package io.streampipe.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** CPU and memory of the JobManager and TaskManagers. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResourcesSpec {
    @JsonPropertyDescription("JobManager pod resources.")
    public Pod jobManager = new Pod("1", "2Gi");

    @JsonPropertyDescription("TaskManager pod resources and task slots.")
    public TaskManager taskManager = new TaskManager();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Pod {
        @Pattern(Patterns.QUANTITY)
        @JsonPropertyDescription("CPU, e.g. 1 or 500m.")
        public String cpu;

        @Pattern(Patterns.QUANTITY)
        @JsonPropertyDescription("Memory, e.g. 2Gi.")
        public String memory;

        public Pod() {
        }

        public Pod(String cpu, String memory) {
            this.cpu = cpu;
            this.memory = memory;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class TaskManager extends Pod {
        @Default("1")
        @Min(1)
        @Max(64)
        @JsonPropertyDescription("Task slots per TaskManager.")
        public int slots = 1;

        public TaskManager() {
            super("1", "2Gi");
        }
    }
}
