package io.streampipe.job.sink;

import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job run a second time in the same JVM (a session cluster's JobManager running main() again, a TaskManager running
 * the next job) has a class loader of its own, which has never loaded PostgreSQL's driver: {@code DriverManager}
 * registers drivers from its service lookup once per JVM, with the first job's loader, and refuses a driver of another
 * loader. The job registers the driver from its own loader before it connects.
 */
class PostgresDriverTest {
    private static final String UNREACHABLE = "jdbc:postgresql://127.0.0.1:1/nothing";

    @Test
    void aJobInAFreshClassLoaderFindsTheDriver() throws Exception {
        ClassLoader job = new ChildFirst(PostgresDriverTest.class.getClassLoader());
        Class<?> creator = Class.forName(TableCreator.class.getName(), true, job);
        Class<?> credentials = Class.forName(DatabaseCredentials.class.getName(), true, job);
        StreamingPipelineSpec spec = io.streampipe.job.Specs.example("orders-upsert");
        spec.sink.postgres.jdbcUrl = UNREACHABLE;
        Object secret = credentials.getMethod("of", String.class, String.class).invoke(null, "user", "not-the-password");
        try {
            creator.getMethod("createTables", StreamingPipelineSpec.class, credentials).invoke(null, spec, secret);
        } catch (InvocationTargetException e) {
            assertThat(e.getCause()).hasMessageNotContaining("No suitable driver").hasMessageContaining("Connection");
            return;
        }
        throw new AssertionError("connected to " + UNREACHABLE);
    }

    /** Loads the job's sink classes and PostgreSQL's driver itself, as Flink's user-code class loader does; the rest from the parent. */
    private static final class ChildFirst extends ClassLoader {
        ChildFirst(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                if (!name.startsWith("org.postgresql.") && !name.startsWith("io.streampipe.job.sink.")) {
                    return super.loadClass(name, resolve);
                }
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    try (InputStream bytes = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        if (bytes == null) {
                            throw new ClassNotFoundException(name);
                        }
                        byte[] code = bytes.readAllBytes();
                        loaded = defineClass(name, code, 0, code.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }

        @Override
        public java.net.URL getResource(String name) {
            return getParent().getResource(name);
        }
    }
}
