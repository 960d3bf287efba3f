package io.streampipe.standin.flink.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The classpath of the JobManager and TaskManager JVMs: what lib/ of the Flink image holds, resolved by this module's
 * build from {@code src/main/flink-runtime/pom.xml} (jars in the local Maven repository) into the resource
 * {@value #RESOURCE}. Never this JVM's own classpath: the stand-in's dependencies stay out of the Flink JVMs.
 */
final class FlinkRuntimeClasspath {
    static final String RESOURCE = "flink-runtime.classpath";
    private static final String REBUILD = "build it with: mvn -pl e2e/flink-standin -am install -DskipTests";

    private FlinkRuntimeClasspath() {
    }

    /**
     * @throws IllegalStateException if the resource is missing, or names a jar that is gone
     */
    static String load() {
        String classpath;
        try (InputStream in = FlinkRuntimeClasspath.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("No " + RESOURCE + " next to " + FlinkRuntimeClasspath.class.getName()
                        + " (it is written by the module's build); " + REBUILD);
            }
            classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + RESOURCE, e);
        }
        List<String> missing = Arrays.stream(classpath.split(java.io.File.pathSeparator))
                .filter(jar -> !Files.isRegularFile(Path.of(jar)))
                .toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("The Flink runtime classpath names jars that are gone " + missing + "; "
                    + REBUILD);
        }
        return classpath;
    }
}
