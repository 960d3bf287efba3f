package io.streampipe.sandbox.services;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One address for PLAINTEXT and SASL_PLAINTEXT clients, as the examples name {@code kafka:9092} for both, in front of
 * a broker that (as every Kafka broker) speaks one security protocol per listener. Each connection is handed to the
 * listener its client speaks, judged by its first request other than ApiVersions: a SASL client's is SaslHandshake
 * (or SaslAuthenticate), a PLAINTEXT client's anything else. ApiVersions, which both kinds of client send first, is
 * answered by the PLAINTEXT listener: it changes no state, and the listeners of one broker answer it alike. From then
 * on bytes are copied unchanged both ways, so the broker sees the client's own requests and the client the broker's
 * own responses, and both listeners advertise this address in their metadata.
 */
final class KafkaListenerRouter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaListenerRouter.class);
    /** Kafka protocol API keys (org.apache.kafka.common.protocol.ApiKeys). */
    private static final short SASL_HANDSHAKE = 17;
    private static final short API_VERSIONS = 18;
    private static final short SASL_AUTHENTICATE = 36;
    /** The broker's socket.request.max.bytes: no real request is larger. */
    private static final int MAX_FRAME_BYTES = 100 * 1024 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final ServerSocket server;
    private final InetSocketAddress plaintextListener;
    private final InetSocketAddress saslListener;
    private final ExecutorService threads;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private KafkaListenerRouter(ServerSocket server, InetSocketAddress plaintextListener, InetSocketAddress saslListener) {
        this.server = server;
        this.plaintextListener = plaintextListener;
        this.saslListener = saslListener;
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "kafka-router-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Binds {@code address} (so a taken address fails here, before anything else starts) and serves it until closed.
     *
     * @throws IOException when the address is taken
     */
    static KafkaListenerRouter bind(InetSocketAddress address, InetSocketAddress plaintextListener,
                                    InetSocketAddress saslListener) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            server.bind(address);
        } catch (IOException e) {
            server.close();
            throw new IOException("Cannot listen on " + address.getAddress().getHostAddress() + ":" + address.getPort()
                    + ": " + e.getMessage(), e);
        }
        KafkaListenerRouter router = new KafkaListenerRouter(server, plaintextListener, saslListener);
        router.threads.execute(router::acceptConnections);
        return router;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        open.forEach(this::release);
        threads.shutdownNow();
    }

    private void acceptConnections() {
        while (!closed) {
            try {
                Socket client = server.accept();
                open.add(client);
                threads.execute(() -> route(client));
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("Stopped accepting Kafka connections at {}: {}", server.getLocalSocketAddress(), e.toString());
                }
                return;
            }
        }
    }

    private void route(Socket client) {
        Socket plaintext = null;
        Socket chosen = null;
        try {
            client.setTcpNoDelay(true);
            DataInputStream fromClient = new DataInputStream(client.getInputStream());
            byte[] request = readFrame(fromClient);
            while (apiKey(request) == API_VERSIONS) {
                plaintext = plaintext != null ? plaintext : connect(plaintextListener);
                plaintext.getOutputStream().write(request);
                client.getOutputStream().write(readFrame(new DataInputStream(plaintext.getInputStream())));
                request = readFrame(fromClient);
            }
            short apiKey = apiKey(request);
            if (apiKey == SASL_HANDSHAKE || apiKey == SASL_AUTHENTICATE) {
                chosen = connect(saslListener);
            } else {
                chosen = plaintext != null ? plaintext : connect(plaintextListener);
            }
            chosen.getOutputStream().write(request);
        } catch (IOException | RuntimeException e) {
            if (!closed && !(e instanceof EOFException || e instanceof SocketException)) {
                LOG.warn("Dropped a Kafka connection from {}: {}", client.getRemoteSocketAddress(), e.toString());
            }
            release(client);
            release(plaintext);
            release(chosen);
            return;
        }
        if (plaintext != chosen) {
            release(plaintext);
        }
        Socket backend = chosen;
        try {
            threads.execute(() -> copy(client, backend));
        } catch (RejectedExecutionException routerClosed) {
            release(client);
            release(backend);
            return;
        }
        copy(backend, client);
    }

    /** Copies until either side is done, then closes both (Kafka clients never half-close). */
    private void copy(Socket from, Socket to) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
            }
        } catch (IOException connectionClosed) {
            // The other direction closed the sockets, or a peer went away: either way this connection is over.
        } finally {
            release(from);
            release(to);
        }
    }

    private Socket connect(InetSocketAddress listener) throws IOException {
        Socket socket = new Socket();
        open.add(socket);
        socket.setTcpNoDelay(true);
        socket.connect(listener, CONNECT_TIMEOUT_MILLIS);
        return socket;
    }

    /** A size-prefixed Kafka frame, prefix included. */
    private static byte[] readFrame(DataInputStream in) throws IOException {
        int size = in.readInt();
        if (size < 4 || size > MAX_FRAME_BYTES) {
            throw new IOException("not a Kafka request or response: frame size " + size);
        }
        byte[] frame = new byte[4 + size];
        frame[0] = (byte) (size >>> 24);
        frame[1] = (byte) (size >>> 16);
        frame[2] = (byte) (size >>> 8);
        frame[3] = (byte) size;
        in.readFully(frame, 4, size);
        return frame;
    }

    /** A request header starts with the API key (int16). */
    private static short apiKey(byte[] request) {
        return (short) (((request[4] & 0xff) << 8) | (request[5] & 0xff));
    }

    private void release(Socket socket) {
        if (socket != null) {
            open.remove(socket);
            closeQuietly(socket);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // Closing is all that was left to do.
        }
    }
}
