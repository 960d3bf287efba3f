package io.streampipe.standin.fko.real.objectstore;

import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * The Flink filesystem plugin of the FKO stand-in's clusters: {@code s3}, {@code s3a}, {@code s3p}, {@code gs} and
 * {@code abfss} as directories under {@value #ROOT_VARIABLE} (set on every Flink JVM by {@code LocalFlinkService}).
 * One subclass per scheme, since a factory serves one scheme.
 */
public abstract class ObjectStoreFileSystemFactory implements FileSystemFactory {
    public static final String ROOT_VARIABLE = "STREAMPIPE_OBJECT_STORE_DIR";
    /** The factories, as listed in the plugin's service file. */
    public static final Class<?>[] FACTORIES = {S3.class, S3a.class, S3p.class, Gs.class, Abfss.class};

    private final String scheme;

    ObjectStoreFileSystemFactory(String scheme) {
        this.scheme = scheme;
    }

    @Override
    public String getScheme() {
        return scheme;
    }

    @Override
    public FileSystem create(URI fsUri) throws IOException {
        String root = System.getenv(ROOT_VARIABLE);
        if (root == null || root.isBlank()) {
            throw new IOException("No " + ROOT_VARIABLE + " set: the stand-in's " + scheme
                    + ":// storage has no local directory on this machine");
        }
        return new ObjectStoreFileSystem(fsUri, Path.of(root));
    }

    public static final class S3 extends ObjectStoreFileSystemFactory {
        public S3() {
            super("s3");
        }
    }

    public static final class S3a extends ObjectStoreFileSystemFactory {
        public S3a() {
            super("s3a");
        }
    }

    public static final class S3p extends ObjectStoreFileSystemFactory {
        public S3p() {
            super("s3p");
        }
    }

    public static final class Gs extends ObjectStoreFileSystemFactory {
        public Gs() {
            super("gs");
        }
    }

    public static final class Abfss extends ObjectStoreFileSystemFactory {
        public Abfss() {
            super("abfss");
        }
    }
}
