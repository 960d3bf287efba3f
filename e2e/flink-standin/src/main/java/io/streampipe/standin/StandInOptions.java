package io.streampipe.standin;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The command line both Flink Kubernetes Operator stand-ins take: ours ({@link FlinkOperatorStandIn}) and FKO 1.16.1's
 * own controller wired by hand (e2e/fko-real's FkoControllerStandIn, which compiles this module's sources). One
 * parser, so {@code e2e/bin/sandbox up --flink-operator fko} passes the same arguments as the default.
 *
 * <p>{@code --interval} and {@code --no-clusters} belong to our stand-in's own loop; FKO's controller has its own
 * reconcile interval, so it parses with {@code ownLoopOptions = false} and refuses them by name.
 */
record StandInOptions(Path kubeconfig, Path workDirectory, Path jobJar, Optional<Path> hostsFile,
                      Duration interval, boolean noClusters) {

    static StandInOptions parse(String[] args, boolean ownLoopOptions) {
        Path kubeconfig = null;
        Path workDirectory = null;
        Path jobJar = null;
        Optional<Path> hostsFile = Optional.empty();
        Duration interval = Duration.ofSeconds(1);
        boolean noClusters = false;
        String usage = "options: --kubeconfig FILE --work-dir DIR --job-jar JAR [--hosts-file FILE]"
                + (ownLoopOptions ? " [--interval 1s] [--no-clusters]" : "");
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            boolean takesValue = true;
            switch (option) {
                case "--kubeconfig" -> kubeconfig = Path.of(required(option, value));
                case "--work-dir" -> workDirectory = Path.of(required(option, value));
                case "--job-jar" -> jobJar = Path.of(required(option, value));
                case "--hosts-file" -> hostsFile = Optional.of(Path.of(required(option, value)));
                case "--interval" -> interval = org.apache.flink.util.TimeUtils.parseDuration(
                        required(ownLoopOption(option, ownLoopOptions, usage), value));
                case "--no-clusters" -> {
                    ownLoopOption(option, ownLoopOptions, usage);
                    noClusters = true;
                    takesValue = false;
                }
                default -> throw new IllegalArgumentException("Unknown option " + option + "; " + usage);
            }
            if (takesValue) {
                i++;
            }
        }
        if (kubeconfig == null || workDirectory == null || jobJar == null && !noClusters) {
            throw new IllegalArgumentException("--kubeconfig, --work-dir and --job-jar"
                    + (ownLoopOptions ? " (unless --no-clusters)" : "") + " are required");
        }
        return new StandInOptions(kubeconfig, workDirectory, jobJar, hostsFile, interval, noClusters);
    }

    private static String ownLoopOption(String option, boolean ownLoopOptions, String usage) {
        if (!ownLoopOptions) {
            throw new IllegalArgumentException(option + " is only for our stand-in, not FKO's controller; " + usage);
        }
        return option;
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
