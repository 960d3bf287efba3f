package io.streampipe.job;

import io.streampipe.api.v1alpha1.SourceSpec.FieldType;
import io.streampipe.api.v1alpha1.SourceSpec.SchemaField;
import io.streampipe.api.v1alpha1.StreamingPipelineSpec;

import java.nio.file.Path;

/** Specs for tests: the repository's examples, read the way the job reads them. */
public final class Specs {
    private Specs() {
    }

    public static Path examples() {
        Path here = Path.of("").toAbsolutePath();
        Path examples = here.resolve("examples");
        return examples.toFile().isDirectory() ? examples : here.getParent().resolve("examples");
    }

    public static StreamingPipelineSpec example(String name) {
        return SpecFiles.read(examples().resolve(name + ".yaml"));
    }

    public static SchemaField field(String name, FieldType type) {
        return new SchemaField(name, type, false);
    }
}
