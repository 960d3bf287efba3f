package io.streampipe.standin.fko.real.objectstore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Writes the object-store filesystem as a Flink plugin directory ({@code <dir>/streampipe-object-store/…jar}), for
 * {@code FLINK_PLUGINS_DIR} of the Flink JVMs: Flink loads filesystems from plugins, each in a class loader of its
 * own, so this module's other classes never reach the JVMs.
 */
public final class ObjectStorePlugin {
    private ObjectStorePlugin() {
    }

    /** @return the plugins directory to give the Flink JVMs as {@code FLINK_PLUGINS_DIR} */
    public static Path write(Path pluginsDirectory) throws IOException {
        Path jar = pluginsDirectory.resolve("streampipe-object-store").resolve("streampipe-object-store.jar");
        Files.createDirectories(jar.getParent());
        List<Class<?>> classes = new ArrayList<>(List.of(ObjectStoreFileSystem.class, ObjectStoreFileSystemFactory.class));
        for (Class<?> factory : ObjectStoreFileSystemFactory.FACTORIES) {
            classes.add(factory);
        }
        for (Class<?> nested : ObjectStoreFileSystem.class.getDeclaredClasses()) {
            classes.add(nested);
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out)) {
            for (Class<?> type : classes) {
                String resource = type.getName().replace('.', '/') + ".class";
                try (InputStream in = ObjectStorePlugin.class.getClassLoader().getResourceAsStream(resource)) {
                    jarOut.putNextEntry(new JarEntry(resource));
                    in.transferTo(jarOut);
                    jarOut.closeEntry();
                }
            }
            jarOut.putNextEntry(new JarEntry("META-INF/services/org.apache.flink.core.fs.FileSystemFactory"));
            StringBuilder services = new StringBuilder();
            for (Class<?> factory : ObjectStoreFileSystemFactory.FACTORIES) {
                services.append(factory.getName()).append('\n');
            }
            jarOut.write(services.toString().getBytes(StandardCharsets.UTF_8));
            jarOut.closeEntry();
        }
        return pluginsDirectory;
    }
}
