package io.streampipe.job.it;

import io.streampipe.api.JobContract;
import io.streampipe.api.PipelineSpecs;
import io.streampipe.api.v1alpha1.SecretKeyRef;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shaded job jar started the way Flink starts it: {@link JobContract#MAIN_CLASS} with {@code --spec-file} and
 * {@code --source-epoch}, credentials in the environment, in a JVM whose classpath is the jar plus Flink's own jars
 * only (what the Flink image provides). Without a cluster, {@code getExecutionEnvironment()} runs it on a local
 * MiniCluster inside that JVM.
 */
class JobJarIT {
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();

    @Test
    void theJarRunsThePipelineFromASpecFileAndEnvironmentCredentials(@TempDir Path work) throws Exception {
        String topic = Pipelines.unique("jar");
        KAFKA.createTopic(topic, 4);
        StreamingPipelineSpec spec = Orders.spec(KAFKA, POSTGRES, topic, topic, topic, "{policy: earliest}");
        spec.sink.postgres.credentialsSecretRef = new SecretKeyRef("orders-db");
        Path specFile = work.resolve(JobContract.SPEC_FILE_NAME);
        Files.writeString(specFile, PipelineSpecs.toJson(spec));
        List<Orders.Order> orders = Orders.versions("jar", 10, 0);
        Orders.produce(KAFKA, topic, orders, null);

        Process job = startJar(work, specFile, true);
        try {
            Pipelines.awaitEqual(Duration.ofSeconds(120), () -> tableOrEmpty(topic), Orders.latest(orders));
            assertThat(job.isAlive()).isTrue();
        } finally {
            job.destroy();
            if (!job.waitFor(20, TimeUnit.SECONDS)) {
                job.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void theJarFailsFastNamingTheBadFieldAndMissingCredentials(@TempDir Path work) throws Exception {
        StreamingPipelineSpec spec = Orders.spec(KAFKA, POSTGRES, "t", "g", "t", "{policy: earliest}");
        spec.sink.postgres.credentialsSecretRef = new SecretKeyRef("orders-db");
        Path specFile = work.resolve("spec.json");
        Files.writeString(specFile, PipelineSpecs.toJson(spec));
        Process missingCredentials = startJar(work, specFile, false);
        assertThat(missingCredentials.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(missingCredentials.exitValue()).isNotZero();
        assertThat(Files.readString(work.resolve("job.log")))
                .contains("Environment variables [STREAMPIPE_POSTGRES_USERNAME, STREAMPIPE_POSTGRES_PASSWORD] are not set");

        spec.transform.keyBy = List.of("customer");
        spec.sink.postgres.jdbcUrl = "postgres://nope";
        Files.writeString(specFile, PipelineSpecs.toJson(spec));
        Process invalid = startJar(work, specFile, true);
        assertThat(invalid.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(invalid.exitValue()).isNotZero();
        assertThat(Files.readString(work.resolve("job.log")))
                .contains("spec.transform.keyBy: 'customer' is not a field of spec.source.schema")
                .contains("spec.sink.postgres.jdbcUrl must start with jdbc:postgresql://");
    }

    private List<String> tableOrEmpty(String table) {
        try {
            return Orders.table(POSTGRES, table);
        } catch (IllegalStateException tableNotCreatedYet) {
            return List.of();
        }
    }

    private static Process startJar(Path work, Path specFile, boolean withCredentials) throws Exception {
        String jar = System.getProperty("streampipe.jobJar");
        String flinkClasspath = Files.readString(Path.of(System.getProperty("streampipe.flinkClasspath"))).trim();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m",
                "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "-cp", jar + File.pathSeparator + flinkClasspath,
                JobContract.MAIN_CLASS,
                JobContract.ARG_SPEC_FILE, specFile.toString(),
                JobContract.ARG_SOURCE_EPOCH, "0"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("job.log").toFile());
        builder.environment().remove(JobContract.ENV_POSTGRES_USERNAME);
        builder.environment().remove(JobContract.ENV_POSTGRES_PASSWORD);
        if (withCredentials) {
            builder.environment().put(JobContract.ENV_POSTGRES_USERNAME, POSTGRES.username());
            builder.environment().put(JobContract.ENV_POSTGRES_PASSWORD, POSTGRES.password());
        }
        return builder.start();
    }
}
