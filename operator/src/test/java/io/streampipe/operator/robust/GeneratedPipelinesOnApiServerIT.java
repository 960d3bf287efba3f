package io.streampipe.operator.robust;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.streampipe.api.SpecValidator;
import io.streampipe.api.v1alpha1.StreamingPipeline;
import io.streampipe.operator.desired.DesiredState;
import io.streampipe.operator.plan.Preflight;
import io.streampipe.operator.plan.Problem;
import io.streampipe.operator.robust.GeneratedPipelines.Mistake;
import io.streampipe.operator.status.Reasons;
import io.streampipe.operator.testing.Examples;
import io.streampipe.testkit.kube.KubeApiServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A sample of the generated pipelines on a real kube-apiserver, with dry-run: the CRD's CEL rules and SpecValidator
 * agree (a pipeline SpecValidator accepts is created, one with a mistake it refuses is refused with 422), and each
 * valid pipeline's desired FlinkDeployment and ConfigMap pass the API server's validation of FKO 1.16.1's CRD. The
 * JVM check in PipelinePropertiesTest covers thousands; this one the real thing. The seed is in every message.
 */
class GeneratedPipelinesOnApiServerIT {
    private static final int SAMPLE = 60;
    /** Mistakes CEL cannot see (a regular expression that does not compile); SpecValidator alone refuses them. */
    private static final Set<String> JVM_ONLY = Set.of("broken topic pattern", "broken field pattern");

    @RegisterExtension
    static final KubeApiServer apiServer = new KubeApiServer().withCrds(Path.of("../crds/streamingpipelines.streampipe.io-v1.yml"));

    @BeforeAll
    static void namespace() {
        apiServer.client().resource(new NamespaceBuilder().withNewMetadata().withName(GeneratedPipelines.NAMESPACE).endMetadata()
                .build()).create();
    }

    @Test
    void theApiServerAndSpecValidatorAgreeAndDesiredStateIsAccepted() {
        long seed = Long.getLong("streampipe.seed", new Random().nextLong());
        Random random = new Random(seed);
        KubernetesClient client = apiServer.client();
        for (int i = 0; i < SAMPLE; i++) {
            StreamingPipeline pipeline = GeneratedPipelines.valid(random);
            pipeline.getMetadata().setUid(null);
            pipeline.getMetadata().setGeneration(null);
            String context = "seed " + seed + ", case " + i + ":\n" + Serialization.asYaml(pipeline);
            List<Problem> problems = Preflight.problems(pipeline, allSecrets(), null).stream()
                    .filter(problem -> problem.reason().equals(Reasons.INVALID_SPEC)).toList();
            if (problems.isEmpty()) {
                client.resource(pipeline).dryRun().create();
                DesiredState desired = DesiredState.of(pipeline, Examples.firstDeploy(pipeline), Examples.DEFAULTS);
                client.resource(desired.flinkDeployment()).dryRun().create();
                client.resource(desired.jobConfigMap()).dryRun().create();
                desired.statePvc().ifPresent(pvc -> client.resource(pvc).dryRun().create());
            } else {
                assertRefused(client, pipeline, problems.get(0).message().substring(0, problems.get(0).message().indexOf(':')), context);
            }
            Mistake mistake = GeneratedPipelines.pick(random, GeneratedPipelines.MISTAKES);
            StreamingPipeline wrong = Serialization.clone(pipeline);
            try {
                mistake.edit().accept(wrong.getSpec());
            } catch (RuntimeException notApplicable) {
                continue;
            }
            if (!JVM_ONLY.contains(mistake.name())) {
                assertThat(SpecValidator.problems(wrong.getSpec()).isEmpty() && Preflight.problems(wrong, allSecrets(), null).isEmpty())
                        .as("refused on the JVM: %s, %s", mistake, context).isFalse();
                assertRefused(client, wrong, "", "mistake " + mistake + ", " + context);
            }
        }
    }

    private static void assertRefused(KubernetesClient client, StreamingPipeline pipeline, String field, String context) {
        try {
            client.resource(pipeline).dryRun().create();
            fail("the API server accepted it: " + context);
        } catch (KubernetesClientException refused) {
            assertThat(refused.getCode()).as(context).isEqualTo(422);
            assertThat(refused.getMessage()).as(context).contains(field);
        }
    }

    private static Map<String, Set<String>> allSecrets() {
        Map<String, Set<String>> secrets = new java.util.HashMap<>();
        GeneratedPipelines.SECRETS.forEach(secret -> secrets.put(secret, Set.of("username", "password", "accessKeyId",
                "secretAccessKey", "key.json", "accountKey")));
        return secrets;
    }
}
