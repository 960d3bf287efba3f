package io.streampipe.testkit.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Free TCP ports on a loopback address, asked of the kernel (port 0) so parallel test JVMs don't collide. */
final class FreePorts {

  /** Where the testkit's services listen unless told otherwise. */
  static final String LOOPBACK = "127.0.0.1";

  private FreePorts() {}

  /** {@code count} distinct ports of 127.0.0.1: all sockets are held open together, so none repeats. */
  static int[] allocate(int count) {
    return allocate(LOOPBACK, count);
  }

  /** {@code count} distinct ports of {@code host}, an IP address of this machine. */
  static int[] allocate(String host, int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      InetAddress address = InetAddress.getByName(host);
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, address));
      }
      return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not find a free port on " + host, e);
    } finally {
      sockets.forEach(FreePorts::closeQuietly);
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Only the port number was needed.
    }
  }
}
