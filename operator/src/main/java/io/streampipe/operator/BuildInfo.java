package io.streampipe.operator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** What the build wrote into the operator jar (build.properties, filtered by Maven): its version and its job image. */
public final class BuildInfo {
    private static final Properties BUILD = load();
    /** The project version the operator was built as; the images' tag. */
    public static final String VERSION = required("version");
    /** The pipeline-job image built with this operator: {@code ghcr.io/streampipe/pipeline-job:<version>}. */
    public static final String PIPELINE_JOB_IMAGE = required("pipelineJobImage");

    private BuildInfo() {
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                throw new IllegalStateException("io/streampipe/operator/build.properties is not on the classpath: build the operator with Maven");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    private static String required(String key) {
        String value = BUILD.getProperty(key);
        if (value == null || value.contains("${")) {
            throw new IllegalStateException("build.properties has no filtered value for " + key + ": " + value);
        }
        return value;
    }
}
