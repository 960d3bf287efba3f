package io.streampipe.standin;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where the things a FlinkDeployment names live on this machine. A pod would see its volumes at their mount paths and
 * reach object stores over the network; here a volume is a directory and every object store ({@code s3://},
 * {@code gs://}, {@code abfss://}) is a directory tree under the stand-in's work directory. The mapping goes both ways,
 * so Flink runs on local paths while the FlinkDeployment status shows the paths the manifest named, as a real cluster
 * would report them.
 */
final class LocalPaths {
    private static final String OBJECT_STORE = "object-store";

    private final Path objectStore;
    /** The container's own filesystem: what no volume covers lives here, and goes with the pod. */
    private final Path containerFilesystem;
    /** Container path (a volume mount) to local directory; longest first when resolving. */
    private final Map<String, Path> mounts = new LinkedHashMap<>();

    LocalPaths(Path workDirectory, Path containerFilesystem) {
        this.objectStore = workDirectory.resolve(OBJECT_STORE).toAbsolutePath();
        this.containerFilesystem = containerFilesystem.toAbsolutePath();
    }

    /** Whether an absolute path or file URI lies on a volume rather than on the container's own filesystem. */
    boolean onVolume(String location) {
        String path = location.startsWith("file://") ? URI.create(location).getPath() : location;
        return mountedPath(path).isPresent();
    }

    void mount(String containerPath, Path directory) {
        mounts.put(trimSlash(containerPath), directory.toAbsolutePath());
    }

    /** Whether Flink can reach this URI or path only through the mapping. */
    static boolean isObjectStore(String uri) {
        String scheme = scheme(uri);
        return scheme != null && !scheme.equals("file") && !scheme.equals("local");
    }

    /**
     * The local {@code file://} URI (or path, for a plain path) that stands for {@code location}: an object store's
     * tree, a volume's directory, or else the container's own filesystem.
     */
    String toLocal(String location) {
        if (location == null) {
            return null;
        }
        if (isObjectStore(location)) {
            URI uri = URI.create(location);
            String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
            return "file://" + objectStore.resolve(uri.getScheme()).resolve(authority) + (uri.getRawPath() == null ? "" : uri.getRawPath());
        }
        boolean fileUri = location.startsWith("file://") || location.startsWith("local://");
        String path = fileUri ? URI.create(location).getPath() : location;
        if (!path.startsWith("/")) {
            return location;
        }
        String local = mountedPath(path).orElseGet(() -> containerFilesystem + path);
        return fileUri ? "file://" + local : local;
    }

    /** The location as the FlinkDeployment named it, for a local path Flink reported; the inverse of {@link #toLocal}. */
    String toRemote(String local) {
        if (local == null) {
            return null;
        }
        String path = local.startsWith("file:") ? URI.create(local).getPath() : local;
        String store = objectStore.toString() + "/";
        if (path.startsWith(store)) {
            String rest = path.substring(store.length());
            int schemeEnd = rest.indexOf('/');
            if (schemeEnd > 0) {
                String scheme = rest.substring(0, schemeEnd);
                String afterScheme = rest.substring(schemeEnd + 1);
                return scheme + "://" + afterScheme;
            }
        }
        String container = containerFilesystem.toString();
        if (path.startsWith(container + "/")) {
            return "file://" + path.substring(container.length());
        }
        for (Map.Entry<String, Path> mount : mounts.entrySet()) {
            String dir = mount.getValue().toString();
            if (path.equals(dir) || path.startsWith(dir + "/")) {
                return "file://" + mount.getKey() + path.substring(dir.length());
            }
        }
        return local;
    }

    private Optional<String> mountedPath(String path) {
        return mounts.entrySet().stream()
                .filter(mount -> path.equals(mount.getKey()) || path.startsWith(mount.getKey() + "/"))
                .max((a, b) -> Integer.compare(a.getKey().length(), b.getKey().length()))
                .map(mount -> mount.getValue() + path.substring(mount.getKey().length()));
    }

    private static String scheme(String uri) {
        int colon = uri.indexOf("://");
        return colon > 0 ? uri.substring(0, colon) : null;
    }

    private static String trimSlash(String path) {
        return path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    }
}
