package dev.memtune.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The task samples bundled with the toolkit: the first 40 rows of every staged split (see the
 * project's {@code data/samples/README.md} for sources and licences), in the task layout
 * ({@code rte/train.tsv}). Smoke runs read a task from here when the data folder lacks it
 * ({@link Task#locate(Protocol, boolean)}); nothing else does.
 *
 * <p>{@link #dir()} is, in order: system property {@code memtune.samples}; the project's
 * {@code data/samples} when the launcher set {@code memtune.root}; else the copy inside the
 * toolkit jar (resources {@code dev/memtune/data/samples/}), extracted into
 * {@code ~/.cache/memtune/samples/<version>/}, so a project using the toolkit as a library
 * has the samples too.
 */
public final class Samples {
    /** Class-path folder of the bundled samples. */
    public static final String RESOURCE_ROOT = "dev/memtune/data/samples/";

    private static Path extracted;

    private Samples() {}

    /** The folder holding the samples in the task layout (it may lack tasks that have no sample). */
    public static synchronized Path dir() {
        String p = System.getProperty("memtune.samples");
        if (p != null && !p.isBlank()) return Path.of(p);
        String root = System.getProperty("memtune.root");
        if (root != null && !root.isBlank() && Files.isDirectory(Path.of(root, "data", "samples"))) return Path.of(root, "data", "samples");
        if (extracted == null)
            extracted = extract(Path.of(System.getProperty("user.home"), ".cache", "memtune", "samples", dev.memtune.Version.VERSION));
        return extracted;
    }

    /** True when every file of these splits has a sample. */
    public static boolean has(Task task, List<String> splits) {
        Path d = dir();
        for (String s : splits) for (String f : task.files(s)) if (!Files.isRegularFile(d.resolve(f))) return false;
        return true;
    }

    /** Tasks with a sample of at least their training split, in registry order. */
    public static List<String> tasks() {
        List<String> out = new ArrayList<>();
        for (Task t : Tasks.all()) if (has(t, List.of("train"))) out.add(t.name());
        return out;
    }

    /** Copies every sample file the class path holds into {@code target} (rewriting files whose bytes differ). */
    static Path extract(Path target) {
        ClassLoader cl = Samples.class.getClassLoader();
        try {
            for (Task t : Tasks.all())
                for (String split : t.splits())
                    for (String f : t.files(split)) {
                        Path out = target.resolve(f);
                        byte[] bytes;
                        try (InputStream in = cl.getResourceAsStream(RESOURCE_ROOT + f)) {
                            if (in == null) continue;
                            bytes = in.readAllBytes();
                        }
                        if (Files.isRegularFile(out) && Arrays.equals(bytes, Files.readAllBytes(out))) continue;
                        Files.createDirectories(out.getParent());
                        Path tmp = Files.createTempFile(out.getParent(), "." + out.getFileName(), ".part");
                        Files.write(tmp, bytes);
                        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the bundled task samples into " + target + ": " + e.getMessage(), e);
        }
        return target;
    }
}
