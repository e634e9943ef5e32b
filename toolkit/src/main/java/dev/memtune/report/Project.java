package dev.memtune.report;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the project folder (for {@code reproduce/papers}, {@code reproduce/configs},
 * {@code reproduce/out}): system property {@code memtune.root} (set by the launchers), else the
 * nearest folder upwards from the working directory that holds {@code reproduce/memtune}.
 */
public final class Project {
    private Project() {}

    public static Path root() {
        String p = System.getProperty("memtune.root");
        if (p != null && !p.isBlank()) return Path.of(p).toAbsolutePath();
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent())
            if (Files.exists(d.resolve("reproduce/memtune"))) return d;
        throw new IllegalStateException("cannot find the memtune project folder from " + Path.of("").toAbsolutePath()
                + ": set -Dmemtune.root=/path/to/memtune or start from inside the project");
    }

    public static Path reproduce(String first, String... more) { return root().resolve("reproduce").resolve(Path.of(first, more)); }
}
