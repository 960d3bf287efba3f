package io.streampipe.testkit.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The PostgreSQL server programs of the Debian package ({@code /usr/lib/postgresql/<newest>/bin},
 * or {@code $PG_BIN}), and the OS user they run as: PostgreSQL refuses to run as root, so a
 * root JVM runs them as {@code postgres}; any other user runs them as itself.
 */
final class PostgresBinaries {

  private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
  private static final String SERVICE_USER = "postgres";
  private static final List<String> REQUIRED_PROGRAMS = List.of("postgres", "initdb", "pg_ctl");

  private final Path binDirectory;
  private final boolean switchToServiceUser;

  private PostgresBinaries(Path binDirectory, boolean switchToServiceUser) {
    this.binDirectory = binDirectory;
    this.switchToServiceUser = switchToServiceUser;
  }

  static PostgresBinaries locate() {
    String configured = System.getenv("PG_BIN");
    Path binDirectory;
    if (configured != null && !configured.isBlank()) {
      binDirectory = Path.of(configured);
      if (!hasRequiredPrograms(binDirectory)) {
        throw new IllegalStateException("PG_BIN=" + configured + " does not hold executable "
            + String.join(", ", REQUIRED_PROGRAMS));
      }
    } else {
      binDirectory = newestDebianBinDirectory().orElseThrow(() -> new IllegalStateException(
          "PostgreSQL binaries not found under " + DEBIAN_ROOT + ": install the Debian package"
              + " 'postgresql', or set PG_BIN to a directory holding "
              + String.join(", ", REQUIRED_PROGRAMS)));
    }
    // user.name comes from the real uid (getpwuid), so it is "root" exactly when uid is 0.
    return new PostgresBinaries(binDirectory, "root".equals(System.getProperty("user.name")));
  }

  /** The command line of a PostgreSQL program, run as the right OS user. */
  List<String> command(String program, String... arguments) {
    List<String> command = new ArrayList<>();
    if (switchToServiceUser) {
      // setpriv execs the program itself (runuser would fork), so the process we hold is
      // the postmaster and signals reach it directly.
      command.addAll(List.of("setpriv", "--reuid=" + SERVICE_USER, "--regid=" + SERVICE_USER,
          "--init-groups", "--"));
    }
    command.add(binDirectory.resolve(program).toString());
    command.addAll(Arrays.asList(arguments));
    return command;
  }

  /** Gives the directory tree to the OS user the server runs as (a no-op unless root). */
  void handOver(Path directory) {
    if (!switchToServiceUser) {
      return;
    }
    UserPrincipalLookupService lookup = directory.getFileSystem().getUserPrincipalLookupService();
    try (Stream<Path> paths = Files.walk(directory)) {
      UserPrincipal user = lookup.lookupPrincipalByName(SERVICE_USER);
      GroupPrincipal group = lookup.lookupPrincipalByGroupName(SERVICE_USER);
      for (Path path : paths.toList()) {
        PosixFileAttributeView attributes = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        attributes.setOwner(user);
        attributes.setGroup(group);
      }
    } catch (UserPrincipalNotFoundException e) {
      throw new IllegalStateException("This JVM runs as root, so PostgreSQL must run as the OS user '"
          + SERVICE_USER + "', which does not exist: install the Debian package 'postgresql'"
          + " (it creates that user), or run the tests as another user", e);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not hand " + directory + " over to " + SERVICE_USER, e);
    }
  }

  /** The major version, from the directory name in the Debian layout (e.g. "15"). */
  String version() {
    Path parent = binDirectory.toAbsolutePath().getParent();
    return parent == null ? "?" : parent.getFileName().toString();
  }

  private static Optional<Path> newestDebianBinDirectory() {
    if (!Files.isDirectory(DEBIAN_ROOT)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
      return versions
          .filter(version -> version.getFileName().toString().matches("\\d+(\\.\\d+)?"))
          // A client-only package (postgresql-client-NN) has a bin directory without a server.
          .filter(version -> hasRequiredPrograms(version.resolve("bin")))
          .max(Comparator.comparingDouble(version -> Double.parseDouble(version.getFileName().toString())))
          .map(version -> version.resolve("bin"));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not list " + DEBIAN_ROOT, e);
    }
  }

  private static boolean hasRequiredPrograms(Path binDirectory) {
    return REQUIRED_PROGRAMS.stream().allMatch(program -> Files.isExecutable(binDirectory.resolve(program)));
  }
}
