package io.streampipe.standin.flink.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The command lines of a cluster's JVMs, as Flink 1.20's {@code bin/jobmanager.sh}, {@code bin/taskmanager.sh} and
 * {@code bin/flink-daemon.sh} build them: memory flags from {@code BashJavaUtils}, then the {@code env.java.*}
 * options of the configuration, the log settings, the classpath, the entry point with {@code --configDir} and the
 * dynamic properties.
 */
final class JvmCommands {
    /**
     * What Flink's own conf/config.yaml sets as {@code env.java.default-opts.all}: the JDK 17 module openings Flink
     * (Kryo, Pekko, Netty) needs. Used when the configuration has no {@code env.java.default-opts.all}, as a cluster
     * started from a stock Flink image would.
     */
    static final String JDK17_DEFAULT_OPTS = String.join(" ",
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";

    /** The two kinds of JVM of a session cluster. */
    enum Role {
        JOB_MANAGER("jobmanager", "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                "GET_JM_RESOURCE_PARAMS"),
        TASK_MANAGER("taskmanager", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                "GET_TM_RESOURCE_PARAMS");

        final String configName;
        final String mainClass;
        final String memoryCommand;

        Role(String configName, String mainClass, String memoryCommand) {
            this.configName = configName;
            this.mainClass = mainClass;
            this.memoryCommand = memoryCommand;
        }
    }

    private JvmCommands() {
    }

    /** The {@code BashJavaUtils} run that computes a role's memory flags from the configuration file. */
    static List<String> memoryCalculation(Role role, String classpath, Path confDir) {
        return List.of(java(), "-classpath", classpath, BASH_JAVA_UTILS, role.memoryCommand,
                "--configDir", confDir.toString());
    }

    /**
     * @param dynamicProperties {@code key=value} pairs for this JVM alone, passed as {@code -D key=value}
     */
    static List<String> flinkProcess(Role role, String classpath, Path confDir, Map<String, String> conf,
                                     MemoryParameters memory, Path logFile, Optional<Path> hostsFile,
                                     List<String> dynamicProperties) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(memory.jvmArguments());
        command.addAll(javaOptions(role, conf));
        command.add("-Dlog.file=" + logFile);
        command.add("-Dlog4j.configurationFile=file:" + confDir.resolve("log4j.properties"));
        hostsFile.ifPresent(file -> command.add("-Djdk.net.hosts.file=" + file));
        command.add("-classpath");
        command.add(classpath);
        command.add(role.mainClass);
        command.add("--configDir");
        command.add(confDir.toString());
        command.addAll(memory.dynamicProperties());
        for (String property : dynamicProperties) {
            command.add("-D");
            command.add(property);
        }
        return command;
    }

    /** {@code bin/config.sh}: default options and options for all JVMs, then those for this role; split on spaces. */
    static List<String> javaOptions(Role role, Map<String, String> conf) {
        List<String> options = new ArrayList<>();
        options.add("-XX:+IgnoreUnrecognizedVMOptions");
        options.addAll(words(conf.getOrDefault("env.java.default-opts.all", JDK17_DEFAULT_OPTS)));
        options.addAll(words(conf.getOrDefault("env.java.opts.all", conf.getOrDefault("env.java.opts", ""))));
        if (Runtime.version().feature() > 17) {
            options.add("-Djava.security.manager=allow");
        }
        options.addAll(words(conf.getOrDefault("env.java.default-opts." + role.configName, "")));
        options.addAll(words(conf.getOrDefault("env.java.opts." + role.configName, "")));
        return options;
    }

    private static List<String> words(String options) {
        String trimmed = options.strip();
        return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+"));
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
