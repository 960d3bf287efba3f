package io.streampipe.job;

import io.streampipe.api.PipelineSpecs;
import io.streampipe.api.SpecValidator;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpecFilesTest {
    @ParameterizedTest
    @ValueSource(strings = {"sensor-anomalies", "clickstream-sessions", "orders-upsert"})
    void readsEveryExampleManifestAndItsJsonForm(String example) {
        StreamingPipelineSpec fromYaml = Specs.example(example);
        assertThat(SpecValidator.problems(fromYaml)).isEmpty();
        String json = PipelineSpecs.toJson(fromYaml);
        assertThat(PipelineSpecs.toJson(SpecFiles.parse(json))).isEqualTo(json);
    }

    @Test
    void readsABareSpecInYaml() {
        StreamingPipelineSpec spec = SpecFiles.parse("parallelism: 3\nsource: {kafka: {bootstrapServers: 'k:9092', topic: t, groupId: g}}\n");
        assertThat(spec.parallelism).isEqualTo(3);
        assertThat(spec.source.kafka.topic).isEqualTo("t");
    }

    @Test
    void refusesOtherKindsAndUnknownFields() {
        assertThatThrownBy(() -> SpecFiles.parse("kind: Deployment\nspec: {}\n"))
                .hasMessageContaining("Expected a StreamingPipeline manifest");
        assertThatThrownBy(() -> SpecFiles.parse("{\"parallelism\": 1, \"paralelism\": 2}"))
                .hasMessageContaining("paralelism");
    }

    @Test
    void commandLineOfTheJobContract() {
        assertThat(PipelineJob.Arguments.parse(new String[]{"--spec-file", "/x/spec.json", "--source-epoch", "reset-4"}))
                .isEqualTo(new PipelineJob.Arguments(Path.of("/x/spec.json"), "reset-4", null));
        assertThat(PipelineJob.Arguments.parse(new String[]{"--spec-file", "s", "--pipeline", "analytics/sensor-anomalies"}).pipeline())
                .isEqualTo("analytics/sensor-anomalies");
        assertThatThrownBy(() -> PipelineJob.Arguments.parse(new String[]{"--spec-file", "s", "--pipeline", "sensor-anomalies"}))
                .hasMessage("--pipeline must be <namespace>/<name> of a StreamingPipeline, got sensor-anomalies");
        assertThat(PipelineJob.Arguments.parse(new String[]{"--spec-file", "s.yaml"}).sourceEpoch()).isEqualTo("0");
        assertThatThrownBy(() -> PipelineJob.Arguments.parse(new String[]{"--source-epoch", "1"}))
                .hasMessage("--spec-file <path> is required");
        assertThatThrownBy(() -> PipelineJob.Arguments.parse(new String[]{"--spec-file", "s", "--source-epoch", "a b"}))
                .hasMessage("--source-epoch must be 1 to 63 of A-Z a-z 0-9 . _ - (an offset-reset token), got a b");
        assertThatThrownBy(() -> PipelineJob.Arguments.parse(new String[]{"--nope"}))
                .hasMessageStartingWith("Unknown argument --nope");
    }
}
