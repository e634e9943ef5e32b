package dev.memtune.kernel.eval;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The JVM's effective class path as a list of absolute paths: {@code java.class.path}, with
 * manifest-only jars (Maven Surefire's booter jar) expanded into their {@code Class-Path} entries,
 * so JShell compiles against exactly what the kernel runs with.
 */
public final class Classpath {
    private Classpath() {}

    public static List<String> current() {
        Set<String> out = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator))
            if (!e.isBlank()) add(Path.of(e).toAbsolutePath(), out);
        return new ArrayList<>(out);
    }

    private static void add(Path p, Set<String> out) {
        out.add(p.toString());
        if (!p.toString().endsWith(".jar") || !Files.isRegularFile(p)) return;
        try (JarFile jar = new JarFile(p.toFile())) {
            Manifest m = jar.getManifest();
            String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
            if (cp == null) return;
            URI base = p.getParent().toUri();
            for (String ref : cp.trim().split("\\s+")) {
                if (ref.isEmpty()) continue;
                Path q = Path.of(base.resolve(ref));
                if (out.add(q.toString()) && Files.exists(q)) add(q, out);
            }
        } catch (IOException | IllegalArgumentException ignored) {
            // not a readable jar: keep the entry as given
        }
    }
}
