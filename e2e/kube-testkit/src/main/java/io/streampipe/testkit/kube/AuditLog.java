package io.streampipe.testkit.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The kube-apiserver audit log of a test control plane: every request at level Metadata, one
 * event per request (the RequestReceived stage is omitted; watches also log ResponseStarted);
 * the writes to the {@link Resource}s the control plane was started with at level Request, with
 * their body ({@link Event#requestObject()}).
 * Requests the API server makes to itself (user {@code system:apiserver}) are included; filter
 * by {@link Event#user()} to count what a component under test did.
 */
public final class AuditLog {

    private static final Set<String> WRITE_VERBS = Set.of("create", "update", "patch", "delete", "deletecollection");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;

    public AuditLog(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /** The events logged so far, oldest first. */
    public List<Event> events() {
        String content;
        try {
            content = Files.exists(path) ? Files.readString(path) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the audit log " + path, e);
        }
        // The API server may be writing the last line right now; only complete lines count.
        String completeLines = content.substring(0, content.lastIndexOf('\n') + 1);
        return completeLines.lines().map(AuditLog::parse).toList();
    }

    /** The events of requests that change state (create, update, patch, delete). */
    public List<Event> writes() {
        return events().stream().filter(Event::isWrite).toList();
    }

    private static Event parse(String line) {
        JsonNode event;
        try {
            event = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unreadable audit event: " + line, e);
        }
        JsonNode object = event.path("objectRef");
        return new Event(
                event.path("verb").asText(),
                event.path("user").path("username").asText(),
                object.path("resource").asText(null),
                object.path("subresource").asText(null),
                object.path("namespace").asText(null),
                object.path("name").asText(null),
                event.path("responseStatus").path("code").asInt(),
                event.path("requestURI").asText(),
                event.has("requestObject") ? event.get("requestObject") : null);
    }

    /**
     * A resource of the API, e.g. {@code new Resource("streampipe.io", "streamingpipelines/status")}: its group
     * ({@code ""} for the core group) and its plural, with {@code /subresource} for a subresource.
     */
    public record Resource(String group, String resource) {
        public Resource {
            if (!group.matches("[a-z0-9.-]*") || !resource.matches("[a-z0-9-]+(/[a-z0-9-]+)?")) {
                throw new IllegalArgumentException("not an API group and resource[/subresource]: '" + group + "', '" + resource + "'");
            }
        }

        @Override
        public String toString() {
            return group + ":" + resource;
        }
    }

    /**
     * One audited request; {@code resource} is the plural, e.g. {@code flinkdeployments}; {@code requestObject} the
     * body of a write audited at level Request, else null.
     */
    public record Event(String verb, String user, String resource, String subresource, String namespace,
            String name, int responseCode, String requestUri, JsonNode requestObject) {

        public boolean isWrite() {
            return WRITE_VERBS.contains(verb);
        }
    }
}
