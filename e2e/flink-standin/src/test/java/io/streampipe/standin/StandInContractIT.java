package io.streampipe.standin;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.streampipe.api.PipelineSpecs;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import io.streampipe.standin.flink.rest.CheckpointStats;
import io.streampipe.testkit.data.KafkaBroker;
import io.streampipe.testkit.data.PostgresServer;
import io.streampipe.testkit.kube.KubeApiServer;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.spec.JobState;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;
import org.apache.flink.kubernetes.operator.api.status.FlinkDeploymentStatus;
import org.apache.flink.kubernetes.operator.api.status.SnapshotTriggerType;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stand-in against FKO 1.16's contract: a FlinkDeployment written by hand (as our operator would write one) on a
 * real API server, run as a real Flink cluster reading a real Kafka broker and writing a real PostgreSQL, driven
 * through FKO's behaviours. Every status the stand-in writes is recorded by a watch, and the sequences are the ones
 * FKO 1.16's code writes (see {@code io.streampipe.standin.fko.FkoStatus} for the rule each step follows).
 */
class StandInContractIT {
    private static final String NAMESPACE = "contract";
    /** Per wait; -Dstreampipe.contractPatience=300 on a machine that is busy with other builds. */
    private static final Duration PATIENCE = Duration.ofSeconds(Long.getLong("streampipe.contractPatience", 150));

    @RegisterExtension
    static final KubeApiServer API_SERVER = new KubeApiServer();
    @RegisterExtension
    static final KafkaBroker KAFKA = new KafkaBroker();
    @RegisterExtension
    static final PostgresServer POSTGRES = new PostgresServer();

    @TempDir
    static Path work;
    private static FlinkOperatorUnderTest standIn;
    private static KubernetesClient client;

    @BeforeAll
    static void startStandIn() throws Exception {
        client = API_SERVER.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName("db").endMetadata()
                .addToStringData("username", POSTGRES.username()).addToStringData("password", POSTGRES.password()).build()).create();
        Path jobJar = Path.of(System.getProperty("streampipe.jobJar"));
        standIn = switch (System.getProperty("streampipe.flinkOperator", "standin")) {
            case "standin" -> new OurStandIn(FlinkOperatorStandIn.start(API_SERVER.kubeconfig(), work.resolve("standin"), jobJar,
                    Optional.empty(), Duration.ofMillis(500)));
            case "fko" -> FkoStandInProcess.start(API_SERVER.kubeconfig(), work.resolve("standin"), jobJar,
                    Path.of(System.getProperty("streampipe.fkoStandInDir")));
            default -> throw new IllegalArgumentException("streampipe.flinkOperator must be standin (our state machine) or fko"
                    + " (FKO 1.16.1's own controller, e2e/fko-real), not " + System.getProperty("streampipe.flinkOperator"));
        };
    }

    @AfterAll
    static void stopStandIn() {
        if (standIn != null) {
            standIn.close();
        }
    }

    /**
     * First deploy, a change FKO ignores, a manual savepoint, a savepoint upgrade (parallelism), suspend, resume and
     * deletion of one FlinkDeployment, with the status sequence of each.
     */
    @Test
    void aFlinkDeploymentThroughItsLifecycle() throws Exception {
        String name = "orders";
        String topic = "orders-contract";
        KAFKA.createTopic(topic, 2);
        createJobConfig(name, topic);
        Resource<FlinkDeployment> resource = client.resources(FlinkDeployment.class).inNamespace(NAMESPACE).withName(name);
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Watch watch = record(resource, seen)) {
            // 1. First deploy: UPGRADING with nothing running, DEPLOYED with the JobManager deploying, then STABLE and RUNNING.
            client.resource(flinkDeployment(name, 1)).create();
            produce(topic, 0, 50);
            FlinkDeploymentStatus running = await(resource, "RUNNING and stable",
                    s -> "STABLE".equals(lifecycle(s)) && "RUNNING".equals(jobState(s)));
            assertThat(distinct(seen)).containsSubsequence(
                    "UPGRADING/MISSING/null", "DEPLOYED/DEPLOYING/RECONCILING", "DEPLOYED/DEPLOYED_NOT_READY/RECONCILING",
                    "STABLE/READY/RUNNING");
            String firstJob = running.getJobStatus().getJobId();
            assertThat(running.getObservedGeneration()).isEqualTo(1L);
            assertThat(running.getReconciliationStatus().deserializeLastReconciledSpec().getJob().getUpgradeMode())
                    .as("a first deploy without initialSavepointPath is recorded stateless, whatever the spec says")
                    .isEqualTo(UpgradeMode.STATELESS);
            // FKO sets the Running condition at the end of its loop, so the write after observing still has the old one.
            await(resource, "Running=True", s -> s.getConditions().stream().anyMatch(c -> "Running".equals(c.getType()) && "True".equals(c.getStatus())));
            awaitRows(topic, 50);

            report("1. first deploy", seen);
            // 2. A change of only kinds FKO ignores: observedGeneration follows, the last reconciled spec does not.
            String reconciledBefore = running.getReconciliationStatus().getLastReconciledSpec();
            edit(resource, fd -> {
                fd.getSpec().getFlinkConfiguration().put("kubernetes.operator.savepoint.history.max.count", "3");
                return fd;
            });
            FlinkDeploymentStatus ignored = await(resource, "generation 2 observed", s -> Long.valueOf(2).equals(s.getObservedGeneration()));
            assertThat(ignored.getReconciliationStatus().getLastReconciledSpec()).isEqualTo(reconciledBefore);
            assertThat(lifecycle(ignored)).isEqualTo("STABLE");
            assertThat(ignored.getJobStatus().getJobId()).isEqualTo(firstJob);

            report("2. ignored change", seen);
            // 3. A manual savepoint: recorded with its nonce, which only then reaches the last reconciled spec.
            edit(resource, fd -> {
                fd.getSpec().getJob().setSavepointTriggerNonce(11L);
                return fd;
            });
            FlinkDeploymentStatus saved = await(resource, "manual savepoint", s -> s.getJobStatus().getSavepointInfo().getLastSavepoint() != null
                    && s.getJobStatus().getSavepointInfo().getLastSavepoint().getTriggerType() == SnapshotTriggerType.MANUAL);
            var manual = saved.getJobStatus().getSavepointInfo().getLastSavepoint();
            assertThat(manual.getTriggerNonce()).isEqualTo(11L);
            assertThat(manual.getLocation()).as("as the manifest names the storage").startsWith("s3://contract-state/savepoints/");
            assertThat(saved.getReconciliationStatus().deserializeLastReconciledSpec().getJob().getSavepointTriggerNonce()).isEqualTo(11L);
            assertThat(saved.getJobStatus().getJobId()).isEqualTo(firstJob);

            report("3. manual savepoint", seen);
            // 4. A savepoint upgrade: the job stops with a savepoint (UPGRADING, FINISHED), a new job restores from it.
            seen.clear();
            edit(resource, fd -> {
                fd.getSpec().getJob().setParallelism(2);
                return fd;
            });
            FlinkDeploymentStatus upgraded = await(resource, "upgraded and running", s -> "STABLE".equals(lifecycle(s))
                    && "RUNNING".equals(jobState(s)) && !firstJob.equals(s.getJobStatus().getJobId()));
            assertThat(distinct(seen)).containsSubsequence("UPGRADING/READY/FINISHED", "DEPLOYED/DEPLOYING/RECONCILING", "STABLE/READY/RUNNING");
            String upgradeSavepoint = upgraded.getJobStatus().getUpgradeSavepointPath();
            assertThat(upgradeSavepoint).startsWith("s3://contract-state/savepoints/");
            assertThat(upgraded.getJobStatus().getSavepointInfo().getLastSavepoint().getTriggerType()).isEqualTo(SnapshotTriggerType.UPGRADE);
            assertThat(upgraded.getReconciliationStatus().deserializeLastReconciledSpec().getJob().getUpgradeMode()).isEqualTo(UpgradeMode.SAVEPOINT);
            CheckpointStats stats = standIn.rest(NAMESPACE, name).checkpoints(upgraded.getJobStatus().getJobId());
            assertThat(stats.latestRestored()).as("the new job restored the upgrade savepoint").isPresent();
            assertThat(stats.latestRestored().get().externalPath()).endsWith(upgradeSavepoint.substring(upgradeSavepoint.lastIndexOf('/')));
            produce(topic, 50, 30);
            awaitRows(topic, 80);

            report("4. savepoint upgrade", seen);
            // 5. Suspend: stopped with a savepoint, the spec recorded suspended and stable at once.
            String runningJob = upgraded.getJobStatus().getJobId();
            edit(resource, fd -> {
                fd.getSpec().getJob().setState(JobState.SUSPENDED);
                return fd;
            });
            FlinkDeploymentStatus suspended = await(resource, "suspended", s -> "SUSPENDED".equals(lifecycle(s)));
            assertThat(jobState(suspended)).isEqualTo("FINISHED");
            String suspendSavepoint = suspended.getJobStatus().getUpgradeSavepointPath();
            assertThat(suspendSavepoint).isNotEqualTo(upgradeSavepoint).startsWith("s3://contract-state/savepoints/");

            report("5. suspend", seen);
            // 6. Resume: from the suspend savepoint, as a new job.
            edit(resource, fd -> {
                fd.getSpec().getJob().setState(JobState.RUNNING);
                return fd;
            });
            FlinkDeploymentStatus resumed = await(resource, "resumed", s -> "STABLE".equals(lifecycle(s)) && "RUNNING".equals(jobState(s))
                    && !runningJob.equals(s.getJobStatus().getJobId()));
            CheckpointStats resumedStats = standIn.rest(NAMESPACE, name).checkpoints(resumed.getJobStatus().getJobId());
            assertThat(resumedStats.latestRestored().orElseThrow().externalPath())
                    .endsWith(suspendSavepoint.substring(suspendSavepoint.lastIndexOf('/')));
            produce(topic, 80, 20);
            awaitRows(topic, 100);

            report("6. resume", seen);
            // 7. An invalid change (rollback without HA): refused with FKO's message, the job runs on with the last spec.
            String resumedJob = resumed.getJobStatus().getJobId();
            edit(resource, fd -> {
                fd.getSpec().getFlinkConfiguration().put("kubernetes.operator.deployment.rollback.enabled", "true");
                return fd;
            });
            FlinkDeploymentStatus refused = await(resource, "refused", s -> s.getError() != null && s.getError().contains("ValidationException"));
            assertThat(refused.getError()).contains("HA must be enabled for rollback support.");
            assertThat(refused.getJobStatus().getJobId()).isEqualTo(resumedJob);
            assertThat(jobState(refused)).isEqualTo("RUNNING");
            edit(resource, fd -> {
                fd.getSpec().getFlinkConfiguration().remove("kubernetes.operator.deployment.rollback.enabled");
                return fd;
            });
            await(resource, "valid again", s -> s.getError() == null);

            report("7. invalid change", seen);
            // 8. Periodic savepoints, and a history of at most 2 whose older entries are disposed, files and all.
            edit(resource, fd -> {
                fd.getSpec().getFlinkConfiguration().put("kubernetes.operator.periodic.savepoint.interval", "2s");
                fd.getSpec().getFlinkConfiguration().put("kubernetes.operator.savepoint.history.max.count", "2");
                return fd;
            });
            FlinkDeploymentStatus periodic = await(resource, "periodic savepoints", s -> s.getJobStatus().getSavepointInfo().getSavepointHistory()
                    .stream().filter(sp -> sp.getTriggerType() == SnapshotTriggerType.PERIODIC).count() >= 2);
            assertThat(periodic.getJobStatus().getSavepointInfo().getSavepointHistory()).hasSizeLessThanOrEqualTo(2);
            assertThat(localFile(manual.getLocation())).as("the manual savepoint, disposed with its history entry").doesNotExist();
            long periodicOff = edit(resource, fd -> {
                fd.getSpec().getFlinkConfiguration().remove("kubernetes.operator.periodic.savepoint.interval");
                return fd;
            }).getMetadata().getGeneration();
            periodic = await(resource, "periodic savepoints off", s -> Long.valueOf(periodicOff).equals(s.getObservedGeneration())
                    && s.getJobStatus().getSavepointInfo().getTriggerId() == null);

            report("8. periodic savepoints", seen);
            // 9. savepointRedeployNonce with initialSavepointPath: the running job is cancelled without a savepoint and
            // a new one starts from the given savepoint, marked stable at once.
            String restoreFrom = periodic.getJobStatus().getSavepointInfo().getLastSavepoint().getLocation();
            int savepointsBefore = periodic.getJobStatus().getSavepointInfo().getSavepointHistory().size();
            edit(resource, fd -> {
                fd.getSpec().getJob().setInitialSavepointPath(restoreFrom);
                fd.getSpec().getJob().setSavepointRedeployNonce(1L);
                return fd;
            });
            FlinkDeploymentStatus redeployed = await(resource, "redeployed", s -> "STABLE".equals(lifecycle(s)) && "RUNNING".equals(jobState(s))
                    && !resumedJob.equals(s.getJobStatus().getJobId()));
            assertThat(redeployed.getJobStatus().getUpgradeSavepointPath()).isEqualTo(restoreFrom);
            assertThat(redeployed.getJobStatus().getSavepointInfo().getSavepointHistory()).as("no savepoint of the state it dropped")
                    .hasSizeLessThanOrEqualTo(savepointsBefore);
            assertThat(standIn.rest(NAMESPACE, name).checkpoints(redeployed.getJobStatus().getJobId())
                    .latestRestored().orElseThrow().externalPath()).endsWith(restoreFrom.substring(restoreFrom.lastIndexOf('/')));

            report("9. savepoint redeploy", seen);
            // The Events FKO emits on the way.
            assertThat(client.v1().events().inNamespace(NAMESPACE).list().getItems())
                    .filteredOn(e -> name.equals(e.getInvolvedObject().getName()))
                    .extracting(io.fabric8.kubernetes.api.model.Event::getReason)
                    .contains("Submit", "JobStatusChanged", "SpecChanged", "Suspended", "ValidationError");

            // 10. Deletion: the stand-in's finalizer holds the resource until the cluster is gone.
            List<ProcessHandle> jvms = standIn.jvms(NAMESPACE, name);
            assertThat(jvms).isNotEmpty();
            resource.delete();
            awaitGone(resource);
            assertThat(jvms).noneMatch(ProcessHandle::isAlive);
        }
    }

    /** FKO never deploys a FlinkDeployment created suspended, and writes no status for it. */
    @Test
    void aFlinkDeploymentCreatedSuspendedIsNeverDeployed() throws Exception {
        String name = "parked";
        createJobConfig(name, "parked");
        FlinkDeployment deployment = flinkDeployment(name, 1);
        deployment.getSpec().getJob().setState(JobState.SUSPENDED);
        client.resource(deployment).create();
        Resource<FlinkDeployment> resource = client.resources(FlinkDeployment.class).inNamespace(NAMESPACE).withName(name);
        // The finalizer shows the stand-in has looked at it; a few loops later there is still no status.
        awaitTrue("the stand-in's finalizer", () -> resource.get().getMetadata().getFinalizers().contains(StandInController.FINALIZER));
        Thread.sleep(3_000);
        FlinkDeploymentStatus status = resource.get().getStatus();
        assertThat(status == null || status.getReconciliationStatus().getLastReconciledSpec() == null).isTrue();
        assertThat(status == null ? null : status.getObservedGeneration()).isNull();
        assertThat(standIn.jvms(NAMESPACE, name)).isEmpty();
        resource.delete();
        awaitGone(resource);
    }

    private static void createJobConfig(String name, String topic) {
        StreamingPipelineSpec spec = PipelineSpecs.fromJson("""
                {"parallelism": 1,
                 "source": {"kafka": {"bootstrapServers": "%s", "topic": "%s", "groupId": "%s"},
                            "startingOffsets": {"policy": "earliest"},
                            "schema": [{"name": "order_id", "type": "string", "required": true},
                                       {"name": "amount", "type": "double", "required": true},
                                       {"name": "updated_at", "type": "timestamp", "required": true}]},
                 "transform": {"keyBy": ["order_id"]},
                 "sink": {"postgres": {"jdbcUrl": "%s", "table": "%s", "credentialsSecretRef": {"name": "db"}, "createTable": true,
                                       "batch": {"size": 10, "interval": "100ms"}}},
                 "deadLetter": {"table": "%s_rejects"},
                 "checkpointing": {"interval": "1s", "storage": {"path": "file:///unused"}}}
                """.formatted(KAFKA.bootstrapServers(), topic, topic, POSTGRES.jdbcUrl(), table(topic), table(topic)));
        client.configMaps().inNamespace(NAMESPACE).resource(new ConfigMapBuilder().withNewMetadata().withName(name + "-job").endMetadata()
                .addToData("spec.json", PipelineSpecs.toJson(spec)).build()).create();
    }

    /** As our operator writes one: application mode, s3 storage (which the stand-in maps to disk), secrets as env. */
    private static FlinkDeployment flinkDeployment(String name, int parallelism) {
        Map<String, String> configuration = new LinkedHashMap<>();
        configuration.put("taskmanager.numberOfTaskSlots", "2");
        configuration.put("state.checkpoints.dir", "s3://contract-state/checkpoints/" + name);
        configuration.put("state.savepoints.dir", "s3://contract-state/savepoints/" + name);
        configuration.put("execution.checkpointing.interval", "1s");
        configuration.put("kubernetes.operator.snapshot.resource.enabled", "false");
        FlinkDeployment deployment = PipelineFlinkDeployments.of(NAMESPACE, name, parallelism, configuration);
        deployment.getSpec().setPodTemplate(new PodTemplateSpecBuilder().withNewSpec()
                .addNewContainer().withName("flink-main-container")
                .addNewEnv().withName("STREAMPIPE_POSTGRES_USERNAME").withNewValueFrom().withNewSecretKeyRef("username", "db", false)
                .endValueFrom().endEnv()
                .addNewEnv().withName("STREAMPIPE_POSTGRES_PASSWORD").withNewValueFrom().withNewSecretKeyRef("password", "db", false)
                .endValueFrom().endEnv()
                .addNewVolumeMount().withName("pipeline-spec").withMountPath("/opt/streampipe/pipeline").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("pipeline-spec").withNewConfigMap().withName(name + "-job").endConfigMap().endVolume()
                .endSpec().build());
        deployment.getSpec().getJob().setArgs(new String[]{"--spec-file", "/opt/streampipe/pipeline/spec.json", "--source-epoch", "0"});
        return deployment;
    }

    private static void produce(String topic, int from, int count) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        IntStream.range(from, from + count).forEach(i -> records.add(new ProducerRecord<>(topic, "o-" + i,
                "{\"order_id\":\"o-%d\",\"amount\":%d.5,\"updated_at\":\"%s\"}".formatted(i, i, Instant.ofEpochSecond(1_790_000_000L + i)))));
        KAFKA.produce(records);
    }

    /** Where the stand-in keeps an s3:// location of this test. */
    private static Path localFile(String location) {
        return work.resolve("standin/object-store/s3").resolve(location.substring("s3://".length()));
    }

    private static String table(String topic) {
        return topic.replace('-', '_');
    }

    private static void awaitRows(String topic, int rows) throws InterruptedException {
        awaitTrue(rows + " rows in " + table(topic), () -> {
            try {
                return ((Number) POSTGRES.query("SELECT count(*) AS n FROM " + table(topic)).get(0).get("n")).intValue() == rows;
            } catch (RuntimeException tableNotThereYet) {
                return false;
            }
        });
    }

    private static Watch record(Resource<FlinkDeployment> resource, List<String> seen) {
        return resource.watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, FlinkDeployment deployment) {
                if (deployment.getStatus() != null) {
                    FlinkDeploymentStatus s = deployment.getStatus();
                    seen.add(lifecycle(s) + "/" + s.getJobManagerDeploymentStatus() + "/" + jobState(s));
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
    }

    /** Prints the statuses (lifecycle/JobManager/job) written since the last report, and forgets them. */
    private static void report(String step, List<String> seen) {
        System.out.println("CONTRACT [" + System.getProperty("streampipe.flinkOperator", "standin") + "] " + step + ": "
                + String.join(" -> ", distinct(seen)));
        seen.clear();
    }

    private static List<String> distinct(List<String> seen) {
        List<String> result = new ArrayList<>();
        for (String state : seen) {
            if (result.isEmpty() || !result.get(result.size() - 1).equals(state)) {
                result.add(state);
            }
        }
        return result;
    }

    private static String lifecycle(FlinkDeploymentStatus status) {
        return status.getLifecycleState() == null ? null : status.getLifecycleState().name();
    }

    private static String jobState(FlinkDeploymentStatus status) {
        return status.getJobStatus().getState() == null ? null : status.getJobStatus().getState().name();
    }

    /**
     * Changes the FlinkDeployment as our operator does: read, change, write, and again when the write lost to the Flink
     * operator's status write (fabric8's edit checks the resourceVersion).
     */
    private static FlinkDeployment edit(Resource<FlinkDeployment> resource, java.util.function.UnaryOperator<FlinkDeployment> change) {
        return io.streampipe.testkit.kube.Edits.edit(resource, change);
    }

    private static FlinkDeploymentStatus await(Resource<FlinkDeployment> resource, String what, Predicate<FlinkDeploymentStatus> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        FlinkDeploymentStatus last = null;
        while (System.nanoTime() < deadline) {
            FlinkDeployment deployment = resource.get();
            last = deployment == null ? null : deployment.getStatus();
            if (last != null && condition.test(last)) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("FlinkDeployment not " + what + " within " + PATIENCE + "; last status: "
                + (last == null ? null : io.fabric8.kubernetes.client.utils.Serialization.asYaml(last)));
    }

    private static void awaitGone(Resource<FlinkDeployment> resource) throws InterruptedException {
        awaitTrue("the FlinkDeployment deleted", () -> resource.get() == null);
    }

    private static void awaitTrue(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Not " + what + " within " + PATIENCE);
            }
            Thread.sleep(250);
        }
    }
}
