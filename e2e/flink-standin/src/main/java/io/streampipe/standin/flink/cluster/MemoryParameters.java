package io.streampipe.standin.flink.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A JVM's memory flags ({@code -Xmx}, {@code -Xms}, {@code -XX:MaxDirectMemorySize}, {@code -XX:MaxMetaspaceSize})
 * and the dynamic properties that pin every memory component ({@code -D taskmanager.memory.task.heap.size=...}), as
 * Flink's {@code BashJavaUtils} prints them for the scripts: one result line each, after
 * {@value #RESULT_PREFIX}. Flink does the arithmetic, so any memory options the configuration sets are honoured, or
 * refused with Flink's own message.
 */
record MemoryParameters(List<String> jvmArguments, List<String> dynamicProperties) {
    static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    MemoryParameters {
        jvmArguments = List.copyOf(jvmArguments);
        dynamicProperties = List.copyOf(dynamicProperties);
    }

    /**
     * @throws IllegalArgumentException if the output has no result line (Flink refused the configuration; the
     *                                  output says why)
     */
    static MemoryParameters parse(String bashJavaUtilsOutput) {
        List<String> results = new ArrayList<>();
        for (String line : bashJavaUtilsOutput.split("\\R")) {
            if (line.startsWith(RESULT_PREFIX)) {
                results.add(line.substring(RESULT_PREFIX.length()).strip());
            }
        }
        if (results.isEmpty()) {
            throw new IllegalArgumentException("BashJavaUtils printed no " + RESULT_PREFIX + " line");
        }
        return new MemoryParameters(words(results.get(0)), results.size() > 1 ? words(results.get(1)) : List.of());
    }

    private static List<String> words(String line) {
        return line.isEmpty() ? List.of() : Arrays.asList(line.split("\\s+"));
    }
}
