package io.streampipe.sandbox;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** Whether the Kafka brokers and the database a manifest names answer on TCP, tried briefly. */
final class Endpoints {
    static final int CONNECT_TIMEOUT_MILLIS = 1_000;
    private static final int POSTGRES_DEFAULT_PORT = 5432;

    private Endpoints() {
    }

    /** {@code host:port,host:port} → whether any of them accepts a connection. */
    static boolean anyReachable(String bootstrapServers) {
        return hostPorts(bootstrapServers, -1).stream().anyMatch(Endpoints::reachable);
    }

    /** The hosts of {@code jdbc:postgresql://host[:port][,host[:port]]/database?…}. */
    static String postgresHosts(String jdbcUrl) {
        String rest = jdbcUrl.substring("jdbc:postgresql://".length());
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }

    static boolean postgresReachable(String jdbcUrl) {
        return hostPorts(postgresHosts(jdbcUrl), POSTGRES_DEFAULT_PORT).stream().anyMatch(Endpoints::reachable);
    }

    private static List<InetSocketAddress> hostPorts(String list, int defaultPort) {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String entry : list.split(",")) {
            try {
                URI uri = URI.create("tcp://" + entry.trim());
                int port = uri.getPort() >= 0 ? uri.getPort() : defaultPort;
                if (uri.getHost() != null && port > 0) {
                    addresses.add(InetSocketAddress.createUnresolved(uri.getHost(), port));
                }
            } catch (IllegalArgumentException notAnAddress) {
                // Validation has already named the field; an unparsable entry is simply not reachable.
            }
        }
        return addresses;
    }

    private static boolean reachable(InetSocketAddress address) {
        InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
        if (resolved.isUnresolved()) {
            return false;
        }
        try (Socket socket = new Socket()) {
            socket.connect(resolved, CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException unreachable) {
            return false;
        }
    }
}
