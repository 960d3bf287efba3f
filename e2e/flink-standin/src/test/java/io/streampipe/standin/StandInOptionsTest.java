package io.streampipe.standin;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one command line of both stand-ins (ours and FKO 1.16.1's controller in e2e/fko-real). */
class StandInOptionsTest {

    private static final String[] SANDBOX_ARGS = {"--kubeconfig", "/k/config", "--work-dir", "/w", "--job-jar", "/j.jar",
            "--hosts-file", "/h"};

    @Test
    void theSandboxsArgumentsParseTheSameForBothStandIns() {
        StandInOptions expected = new StandInOptions(Path.of("/k/config"), Path.of("/w"), Path.of("/j.jar"),
                Optional.of(Path.of("/h")), Duration.ofSeconds(1), false);
        assertThat(StandInOptions.parse(SANDBOX_ARGS, true)).isEqualTo(expected);
        assertThat(StandInOptions.parse(SANDBOX_ARGS, false)).isEqualTo(expected);
    }

    @Test
    void ourLoopsOptionsAreReadForOursAndRefusedByNameForFkos() {
        String[] args = {"--kubeconfig", "/k", "--work-dir", "/w", "--no-clusters", "--interval", "250ms"};
        StandInOptions options = StandInOptions.parse(args, true);
        assertThat(options.noClusters()).isTrue();
        assertThat(options.interval()).isEqualTo(Duration.ofMillis(250));
        assertThat(options.jobJar()).isNull();
        assertThatThrownBy(() -> StandInOptions.parse(args, false))
                .hasMessageStartingWith("--no-clusters is only for our stand-in, not FKO's controller");
    }

    @Test
    void missingOrUnknownOptionsAreNamed() {
        assertThatThrownBy(() -> StandInOptions.parse(new String[] {"--kubeconfig"}, true))
                .hasMessage("--kubeconfig needs a value");
        assertThatThrownBy(() -> StandInOptions.parse(new String[] {"--kubeconfig", "/k", "--work-dir", "/w"}, false))
                .hasMessage("--kubeconfig, --work-dir and --job-jar are required");
        assertThatThrownBy(() -> StandInOptions.parse(new String[] {"--port", "1"}, true))
                .hasMessageStartingWith("Unknown option --port; options: --kubeconfig FILE");
    }
}
