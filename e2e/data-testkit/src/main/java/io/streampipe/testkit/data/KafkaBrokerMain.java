package io.streampipe.testkit.data;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Main class of the broker's child JVM (started by {@link KafkaBroker}): formats the KRaft
 * storage, then runs the broker. Doing both in one JVM saves a second start-up of Kafka's Scala
 * classes (a separate {@code kafka.tools.StorageTool} run costs 1.5 s or more).
 *
 * <p>Kafka is reached by reflection because only the child's classpath holds the broker's jars;
 * nothing here may touch the kafka-clients classes the rest of this module compiles against.
 */
public final class KafkaBrokerMain {

  private KafkaBrokerMain() {}

  /**
   * Arguments: the cluster id, the path of server.properties, and optionally a file of SCRAM users to create at
   * format time, one {@code --add-scram} value a line (a file, so no password shows on a command line).
   */
  public static void main(String[] args) throws Throwable {
    if (args.length != 2 && args.length != 3) {
      System.err.println("usage: KafkaBrokerMain <cluster id> <server.properties> [<scram credentials file>]");
      System.exit(2);
    }
    String clusterId = args[0];
    String serverProperties = args[1];
    List<String> format = new ArrayList<>(List.of("format", "-t", clusterId, "-c", serverProperties));
    if (args.length == 3) {
      for (String credential : Files.readAllLines(Path.of(args[2]))) {
        format.add("--add-scram");
        format.add(credential);
      }
    }
    int formatExitCode = (int) invokeStatic("kafka.tools.StorageTool", "execute",
        new Class<?>[] {String[].class, PrintStream.class}, format.toArray(String[]::new), System.out);
    if (formatExitCode != 0) {
      System.err.println("Formatting the Kafka storage failed with exit code " + formatExitCode);
      System.exit(formatExitCode);
    }
    invokeStatic("kafka.Kafka", "main", new Class<?>[] {String[].class},
        (Object) new String[] {serverProperties});
  }

  private static Object invokeStatic(String className, String method, Class<?>[] types, Object... args)
      throws Throwable {
    try {
      return Class.forName(className).getMethod(method, types).invoke(null, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(className + "." + method + " was not found: the broker's"
          + " classpath (" + System.getProperty("java.class.path") + ") does not hold the Kafka"
          + " version this testkit was built for; delete that cache directory to resolve it again", e);
    }
  }
}
