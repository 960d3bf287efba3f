package io.streampipe.standin;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class LocalPathsTest {
    private final Path work = Path.of("/var/standin");
    private final LocalPaths paths = new LocalPaths(work, Path.of("/var/standin/pod-1/rootfs"));

    @Test
    void anObjectStoreIsADirectoryTreeAndComesBackUnderItsOwnName() {
        String local = paths.toLocal("s3://flink-state/streampipe/ns/p/savepoints");

        assertThat(local).isEqualTo("file:///var/standin/object-store/s3/flink-state/streampipe/ns/p/savepoints");
        assertThat(paths.toRemote("file:/var/standin/object-store/s3/flink-state/streampipe/ns/p/savepoints/savepoint-1a2b"))
                .isEqualTo("s3://flink-state/streampipe/ns/p/savepoints/savepoint-1a2b");
        assertThat(paths.toRemote(paths.toLocal("gs://bucket/x"))).isEqualTo("gs://bucket/x");
    }

    @Test
    void aVolumeMountMapsPathsAndFileUrisBothWays() {
        paths.mount("/flink-data", Path.of("/var/standin/persistent-volumes/ns/p-state"));
        paths.mount("/opt/streampipe/pipeline", Path.of("/var/standin/pod-1/volumes/pipeline-spec"));

        assertThat(paths.toLocal("/opt/streampipe/pipeline/spec.json")).isEqualTo("/var/standin/pod-1/volumes/pipeline-spec/spec.json");
        assertThat(paths.toLocal("file:///flink-data/ns/p/checkpoints")).isEqualTo("file:///var/standin/persistent-volumes/ns/p-state/ns/p/checkpoints");
        assertThat(paths.toRemote("file:/var/standin/persistent-volumes/ns/p-state/ns/p/savepoints/savepoint-9"))
                .isEqualTo("file:///flink-data/ns/p/savepoints/savepoint-9");
    }

    @Test
    void whatNoVolumeCoversIsOnThePodsOwnFilesystem() {
        paths.mount("/flink-data", Path.of("/var/standin/persistent-volumes/ns/p-state"));

        assertThat(paths.onVolume("file:///flink-data/x")).isTrue();
        assertThat(paths.onVolume("file:///tmp/checkpoints")).isFalse();
        assertThat(paths.toLocal("file:///tmp/checkpoints")).isEqualTo("file:///var/standin/pod-1/rootfs/tmp/checkpoints");
        assertThat(paths.toRemote("file:/var/standin/pod-1/rootfs/tmp/checkpoints/chk-3")).isEqualTo("file:///tmp/checkpoints/chk-3");
        assertThat(paths.toLocal("--source-epoch")).isEqualTo("--source-epoch");
        assertThat(LocalPaths.isObjectStore("file:///x")).isFalse();
        assertThat(LocalPaths.isObjectStore("abfss://c@a.dfs.core.windows.net/x")).isTrue();
    }
}
