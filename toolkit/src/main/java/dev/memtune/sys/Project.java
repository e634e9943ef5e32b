package dev.memtune.sys;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project folder, the one place every lookup of {@code reproduce/papers}, {@code reproduce/configs},
 * {@code reproduce/out}, {@code data/} starts from: system property {@code memtune.root} (set by the
 * launchers), else the nearest folder upwards from the working directory that holds
 * {@code reproduce/memtune}, else (the toolkit used as a library in another project) the working
 * directory itself.
 */
public final class Project {
    private Project() {}

    public static Path root() {
        String p = System.getProperty("memtune.root");
        if (p != null && !p.isBlank()) return Path.of(p).toAbsolutePath();
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent())
            if (Files.exists(d.resolve("reproduce/memtune"))) return d;
        return Path.of("").toAbsolutePath();
    }

    /** A path under {@code reproduce/}. */
    public static Path reproduce(String first, String... more) { return root().resolve("reproduce").resolve(Path.of(first, more)); }

    /** A file or folder of the project that must exist; the error says where it was looked for and how to point there. */
    public static Path require(Path p) {
        if (!Files.exists(p)) throw new IllegalStateException("cannot find " + p + " (project folder " + root()
                + "): set -Dmemtune.root=/path/to/memtune or start from inside the project");
        return p;
    }
}
