package io.streampipe.operator;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OperatorConfigTest {
    @Test
    void defaultsWatchAllNamespacesWithLeaderElection() {
        OperatorConfig config = OperatorConfig.fromEnvironment(Map.of("POD_NAMESPACE", "streampipe-system", "POD_NAME", "op-0"));

        assertThat(config.watchAllNamespaces()).isTrue();
        assertThat(config.leaderElection()).isTrue();
        assertThat(config.leaseNamespace()).isEqualTo("streampipe-system");
        assertThat(config.instance()).isEqualTo("op-0");
        assertThat(config.defaults().image()).isEqualTo(OperatorConfig.DEFAULT_IMAGE);
        assertThat(config.defaults().flinkPatchVersion()).isEqualTo("1.20.3");
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.resyncInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.reconcileThreads()).isEqualTo(10);
    }

    @Test
    void reconcileThreadsAreAPositiveWholeNumber() {
        assertThat(OperatorConfig.fromEnvironment(Map.of("STREAMPIPE_RECONCILE_THREADS", "4")).reconcileThreads()).isEqualTo(4);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("STREAMPIPE_RECONCILE_THREADS", "0")))
                .hasMessageContaining("STREAMPIPE_RECONCILE_THREADS").hasMessageContaining("at least 1");
    }

    @Test
    void aListOfNamespacesAndADefaultImage() {
        OperatorConfig config = OperatorConfig.fromEnvironment(Map.of(
                "STREAMPIPE_WATCH_NAMESPACES", "analytics, shop ,",
                "STREAMPIPE_DEFAULT_IMAGE", "registry.example/pipeline-job:1.2.3",
                "STREAMPIPE_LEADER_ELECTION", "false",
                "STREAMPIPE_RESYNC_INTERVAL", "90s"));

        assertThat(config.watchNamespaces()).containsExactlyInAnyOrder("analytics", "shop");
        assertThat(config.defaults().image()).isEqualTo("registry.example/pipeline-job:1.2.3");
        assertThat(config.leaderElection()).isFalse();
        assertThat(config.resyncInterval()).isEqualTo(Duration.ofSeconds(90));
    }
}
