package io.streampipe.standin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a client of a Flink cluster deployed by the Flink Kubernetes Operator finds on Kubernetes: the REST Service
 * that Flink's native integration creates for every cluster, {@code <cluster-id>-rest} in its namespace on
 * {@code rest.port} 8081 (flink-kubernetes, {@code ExternalServiceDecorator#getExternalServiceName}), reachable by its
 * DNS name {@code <cluster-id>-rest.<namespace>}. There is no cluster DNS or kube-proxy here, so each cluster's REST API
 * binds to a loopback address of its own (127.0.100.1 on), on port 8081, and the name goes into the Java hosts file
 * the sandbox's JVMs resolve names with ({@code -Djdk.net.hosts.file}). Without a hosts file there is no Service.
 */
final class RestServices {
    static final int REST_PORT = 8081;
    private static final Logger LOG = LoggerFactory.getLogger(RestServices.class);
    private static final int FIRST_SUBNET = 100;
    private static final int LAST_SUBNET = 119;

    private final Optional<Path> hostsFile;
    private final Map<String, InetSocketAddress> claimed = new ConcurrentHashMap<>();

    RestServices(Optional<Path> hostsFile) {
        this.hostsFile = hostsFile;
    }

    /** The Service's DNS name for a FlinkDeployment. */
    static String serviceName(String namespace, String name) {
        return name + "-rest." + namespace;
    }

    /** An address for the cluster's REST API, with its name in the hosts file; empty without a hosts file. */
    synchronized Optional<InetSocketAddress> claim(String namespace, String name) {
        if (hostsFile.isEmpty()) {
            return Optional.empty();
        }
        String service = serviceName(namespace, name);
        InetSocketAddress address = claimed.get(service);
        if (address == null || !bindable(address)) {
            address = freeAddress();
            claimed.put(service, address);
        }
        writeHostsEntry(service, Optional.of(address.getHostString()));
        LOG.info("REST Service {}:{} is the JobManager at {}", service, REST_PORT, address.getHostString());
        return Optional.of(address);
    }

    /**
     * The cluster is gone: so is its name. The address stays the Service's, as a Service's cluster IP outlives its
     * pods, so that a client's cached lookup never reaches another cluster.
     */
    synchronized void release(String namespace, String name) {
        String service = serviceName(namespace, name);
        if (hostsFile.isPresent() && claimed.containsKey(service)) {
            writeHostsEntry(service, Optional.empty());
        }
    }

    private InetSocketAddress freeAddress() {
        for (int subnet = FIRST_SUBNET; subnet <= LAST_SUBNET; subnet++) {
            for (int host = 1; host < 255; host++) {
                InetSocketAddress candidate = new InetSocketAddress("127.0." + subnet + "." + host, REST_PORT);
                if (!claimed.containsValue(candidate) && bindable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("No loopback address in 127.0." + FIRST_SUBNET + ".0-127.0." + LAST_SUBNET
                + ".255 has port " + REST_PORT + " free");
    }

    private static boolean bindable(InetSocketAddress address) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(address.getHostString()), address.getPort()));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /**
     * Rewrites the hosts file with the name set to the address (or removed), leaving every other line as it is. The
     * sandbox wrote the file first; a lock on a sibling file keeps two writers from losing each other's lines.
     */
    private void writeHostsEntry(String name, Optional<String> address) {
        Path file = hostsFile.orElseThrow();
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            List<String> lines = new ArrayList<>(Files.exists(file) ? Files.readAllLines(file) : List.of());
            lines.removeIf(line -> {
                String[] fields = line.trim().split("\\s+");
                return fields.length >= 2 && !line.trim().startsWith("#") && fields[1].equals(name);
            });
            address.ifPresent(ip -> lines.add(ip + " " + name));
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(temporary, lines);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + name + " into " + file, e);
        }
    }
}
