package io.streampipe.standin.fko.real.objectstore;

import org.apache.flink.core.fs.BlockLocation;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemKind;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.local.LocalFileSystem;

import java.io.IOException;
import java.net.URI;

/**
 * Runs inside the Flink JVMs of the FKO stand-in (as a Flink filesystem plugin): one bucket of an object store
 * ({@code s3://bucket/…}, {@code gs://…}, {@code abfss://…}) kept as a directory on this machine,
 * {@code <root>/<scheme>/<bucket>/…}, the layout e2e/flink-standin's {@code LocalPaths} uses. FKO hands the storage
 * URIs of a FlinkDeployment to Flink unchanged (savepoint directories, {@code execution.savepoint.path}, disposal), so
 * here Flink itself reads and writes those URIs and reports them back as they were named, as it would on S3.
 */
public final class ObjectStoreFileSystem extends FileSystem {
    private final LocalFileSystem local = LocalFileSystem.getSharedInstance();
    private final URI uri;
    private final String localRoot;

    ObjectStoreFileSystem(URI uri, java.nio.file.Path storeRoot) {
        String bucket = uri.getAuthority() == null ? "" : uri.getAuthority();
        this.uri = URI.create(uri.getScheme() + "://" + bucket + "/");
        this.localRoot = storeRoot.resolve(uri.getScheme()).resolve(bucket).toAbsolutePath().toString();
    }

    private Path toLocal(Path remote) {
        String path = remote.toUri().getPath();
        return new Path("file://" + localRoot + (path == null || path.isEmpty() ? "/" : path));
    }

    private Path toRemote(Path localPath) {
        String path = localPath.toUri().getPath();
        String rest = path.startsWith(localRoot) ? path.substring(localRoot.length()) : path;
        return new Path(uri.getScheme() + "://" + uri.getAuthority() + (rest.startsWith("/") ? rest : "/" + rest));
    }

    @Override
    public Path getWorkingDirectory() {
        return new Path(uri);
    }

    @Override
    public Path getHomeDirectory() {
        return new Path(uri);
    }

    @Override
    public URI getUri() {
        return uri;
    }

    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
        return new Status(local.getFileStatus(toLocal(f)), f.isAbsolute() && f.toUri().getScheme() != null ? f : toRemote(toLocal(f)));
    }

    @Override
    public BlockLocation[] getFileBlockLocations(FileStatus file, long start, long len) throws IOException {
        return local.getFileBlockLocations(file instanceof Status status ? status.delegate : file, start, len);
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        return local.open(toLocal(f), bufferSize);
    }

    @Override
    public FSDataInputStream open(Path f) throws IOException {
        return local.open(toLocal(f));
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
        FileStatus[] statuses = local.listStatus(toLocal(f));
        if (statuses == null) {
            return null;
        }
        FileStatus[] remote = new FileStatus[statuses.length];
        for (int i = 0; i < statuses.length; i++) {
            remote[i] = new Status(statuses[i], toRemote(statuses[i].getPath()));
        }
        return remote;
    }

    @Override
    public boolean exists(Path f) throws IOException {
        return local.exists(toLocal(f));
    }

    @Override
    public boolean delete(Path f, boolean recursive) throws IOException {
        return local.delete(toLocal(f), recursive);
    }

    @Override
    public boolean mkdirs(Path f) throws IOException {
        return local.mkdirs(toLocal(f));
    }

    @Override
    public FSDataOutputStream create(Path f, WriteMode overwriteMode) throws IOException {
        return local.create(toLocal(f), overwriteMode);
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        return local.rename(toLocal(src), toLocal(dst));
    }

    @Override
    public boolean isDistributedFS() {
        return true; // as S3 is: every JVM of the cluster sees the same objects
    }

    @Override
    public FileSystemKind getKind() {
        return FileSystemKind.FILE_SYSTEM;
    }

    /** A local file's status under the object store's name. */
    private record Status(FileStatus delegate, Path path) implements FileStatus {
        @Override
        public long getLen() {
            return delegate.getLen();
        }

        @Override
        public long getBlockSize() {
            return delegate.getBlockSize();
        }

        @Override
        public short getReplication() {
            return delegate.getReplication();
        }

        @Override
        public long getModificationTime() {
            return delegate.getModificationTime();
        }

        @Override
        public long getAccessTime() {
            return delegate.getAccessTime();
        }

        @Override
        public boolean isDir() {
            return delegate.isDir();
        }

        @Override
        public Path getPath() {
            return path;
        }
    }
}
