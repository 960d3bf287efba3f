package io.streampipe.charts.argocd;

import java.nio.file.Path;

/** StreamingPipelines recorded from the sandbox, one per state (src/test/resources/argocd/samples/README.md). */
final class Samples {
    static final Path DIR = Path.of("src/test/resources/argocd/samples");

    private Samples() {
    }

    static Path path(String name) {
        return DIR.resolve(name + ".yaml");
    }
}
