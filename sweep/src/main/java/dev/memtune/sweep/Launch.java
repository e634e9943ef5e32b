package dev.memtune.sweep;

import java.io.File;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

/**
 * How an executor starts a cell's child JVM: the project root (where {@code reproduce/configs} and the
 * built jars are; a worker whose copy lives elsewhere sets {@code MEMTUNE_ROOT}), the output folder
 * (shared between workers for checkpoints to survive a lost worker), JVM options, the classpath
 * (null: the launcher's, derived from the root on the worker), the main class and the thread count
 * (0: {@code spark.task.cpus} of the task).
 */
public record Launch(String root, String out, List<String> javaOpts, String classpath, String mainClass, int threads)
        implements Serializable {
    public static final String MAIN = "dev.memtune.app.Main";

    /** The project root on this machine: {@code MEMTUNE_ROOT} if set, else the driver's. */
    public String localRoot() {
        String env = System.getenv("MEMTUNE_ROOT");
        return env != null && !env.isBlank() ? env : root;
    }

    /**
     * The classpath {@code reproduce/memtune} builds: the kernel and toolkit jars and their
     * {@code target/lib/*} folders (a {@code *} entry is expanded by the java launcher).
     */
    public String localClasspath() {
        if (classpath != null) return classpath;
        Path r = Path.of(localRoot());
        List<String> cp = new ArrayList<>();
        for (String m : List.of("kernel", "toolkit")) cp.add(jar(r.resolve(m).resolve("target"), "memtune-" + m + "-"));
        for (String m : List.of("kernel", "toolkit")) cp.add(r.resolve(m).resolve("target").resolve("lib") + File.separator + "*");
        return String.join(File.pathSeparator, cp);
    }

    private static String jar(Path target, String prefix) {
        try (var s = Files.list(target)) {
            return s.map(Path::toString).filter(p -> Path.of(p).getFileName().toString().startsWith(prefix) && p.endsWith(".jar"))
                    .sorted().findFirst()
                    .orElseThrow(() -> new IllegalStateException("no " + prefix + "*.jar in " + target + ": build the project on this machine (mvn -DskipTests package)"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot list " + target + " (" + e.getMessage() + "): build the project on this machine (mvn -DskipTests package)");
        }
    }

    public Launch withClasspath(String cp, String main) { return new Launch(root, out, javaOpts, cp, main, threads); }
    public Launch withThreads(int t) { return new Launch(root, out, javaOpts, classpath, mainClass, t); }
}
