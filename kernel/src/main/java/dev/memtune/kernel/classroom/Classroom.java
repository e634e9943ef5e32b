package dev.memtune.kernel.classroom;

import com.google.gson.GsonBuilder;
import dev.memtune.data.Tasks;
import dev.memtune.hub.ModelHub;
import dev.memtune.kernel.KernelSpec;
import dev.memtune.kernel.eval.Classpath;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.*;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.*;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Installs memtune for every user of a machine and prepares its caches so a class runs offline
 * (layout and environment in {@link ClassroomCommand#usage()}). Idempotent: a second run replaces
 * the jars, lessons, launcher and kernelspec and keeps what the caches already hold.
 */
public final class Classroom {
    private static final Pattern MEMORY = Pattern.compile("[1-9][0-9]*[mMgG]");

    /** What was installed, for the one-line summary. */
    public record Result(Path launcher, Path kernelspec, int jars, int lessons, List<String> models, List<String> tasks,
                         Path shared, String memory) {
        public String summary() {
            return String.format("classroom: launcher %s, kernelspec %s, %d jars, %d lessons, shared cache %s (engine%s%s), heap %s per kernel",
                    launcher, kernelspec, jars, lessons, shared,
                    models.isEmpty() ? "" : ", models " + String.join(",", models),
                    tasks.isEmpty() ? "" : ", tasks " + String.join(",", tasks), memory);
        }
    }

    private final Path prefix, shared, share;
    private final String memory, name;
    private String mainClass = "";           // the application entry point the launcher runs (given by the command registry above)

    public Classroom(Path prefix, Path sharedCache, String memory, String name) {
        if (!MEMORY.matcher(memory).matches())
            throw new IllegalArgumentException("memtune classroom: --memory must be a JVM heap size such as 2g or 1536m, got '" + memory + "'");
        if (!name.matches("[A-Za-z0-9._-]+"))
            throw new IllegalArgumentException("memtune classroom: --name may only use letters, digits, '.', '_' and '-', got '" + name + "'");
        this.prefix = prefix.toAbsolutePath().normalize();
        this.shared = sharedCache.toAbsolutePath().normalize();
        this.share = this.prefix.resolve("share/memtune");
        this.memory = memory.toLowerCase(Locale.ROOT);
        this.name = name;
    }

    /** The class the installed launcher runs (the application's entry point; the registry that creates the command names it). */
    public Classroom launching(String entryPoint) {
        this.mainClass = entryPoint;
        return this;
    }

    public Result install(List<String> models, List<String> tasks) throws IOException {
        int jars = copyJars();
        int lessons = copyLessons();
        Path launcher = writeLauncher();
        Path spec = writeKernelSpec(launcher);
        prepareEngine();
        for (String m : models) fetchModel(m);
        for (String t : tasks) copyTask(t);
        worldReadable(share);
        worldReadable(shared);
        worldReadable(spec);
        return new Result(launcher, spec, jars, lessons, models, tasks, shared, memory);
    }

    /** The running build's class path (kernel, toolkit and their libraries), one copy of each jar. */
    private int copyJars() throws IOException {
        Path lib = share.resolve("lib");
        if (Files.isDirectory(lib)) try (Stream<Path> old = Files.list(lib)) { for (Path p : old.toList()) Files.delete(p); }
        Files.createDirectories(lib);
        Set<String> seen = new HashSet<>();
        int n = 0;
        for (String e : Classpath.current()) {
            Path p = Path.of(e);
            if (!p.getFileName().toString().endsWith(".jar") || !Files.isRegularFile(p) || !seen.add(p.getFileName().toString())) continue;
            Files.copy(p, lib.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            n++;
        }
        if (n == 0) throw new IllegalStateException("memtune classroom: no jars on the class path; run it through reproduce/memtune");
        return n;
    }

    private int copyLessons() throws IOException {
        String root = System.getProperty("memtune.root");
        if (root == null) throw new IllegalStateException("memtune classroom: the project root is unknown (run it through reproduce/memtune)");
        Path src = Path.of(root, "notebooks", "lessons");
        Path dst = share.resolve("lessons");
        Files.createDirectories(dst);
        int n = 0;
        try (Stream<Path> s = Files.list(src)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".ipynb")).sorted().toList()) {
                Files.copy(p, dst.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                n++;
            }
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("memtune classroom: no lessons folder " + src);
        }
        return n;
    }

    /** {@code PREFIX/bin/memtune}: caches and memory limit per user, then the JVM on the installed jars. */
    private Path writeLauncher() throws IOException {
        Path bin = Files.createDirectories(prefix.resolve("bin"));
        Path launcher = bin.resolve("memtune");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long defaultMiB = mebibytes(memory);
        String script = """
                #!/bin/sh
                # memtune for every user of this machine, written by `memtune classroom`.
                # Caches: SHARED (read-only: PyTorch's native library, models, task data) and a per-user writable one.
                # Heap: %2$s, or $MEMTUNE_KERNEL_MEMORY; under JupyterHub at most half of $MEM_LIMIT (bytes).
                SHARE='%1$s'
                SHARED='%3$s'
                USER_CACHE="${MEMTUNE_USER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/memtune}"
                mkdir -p "$USER_CACHE/models" "$USER_CACHE/djl" || { echo "memtune: cannot create the per-user cache $USER_CACHE (set MEMTUNE_USER_CACHE)" >&2; exit 1; }
                HEAP="${MEMTUNE_KERNEL_MEMORY:-%2$s}"
                if [ -z "${MEMTUNE_KERNEL_MEMORY:-}" ] && [ -n "${MEM_LIMIT:-}" ] && [ "$MEM_LIMIT" -gt 0 ] 2>/dev/null; then
                  half=$((MEM_LIMIT / 2 / 1048576))
                  [ "$half" -lt %4$d ] && HEAP="${half}m"
                fi
                export MEMTUNE_CACHE="$USER_CACHE/models" MEMTUNE_SHARED_CACHE="$SHARED/models"
                export MEMTUNE_DATA="${MEMTUNE_DATA:-$SHARED/data}"
                export DJL_CACHE_DIR="$USER_CACHE/djl" ENGINE_CACHE_DIR="$SHARED/engine" MALLOC_ARENA_MAX=2
                exec '%5$s' -Xmx"$HEAP" -Dai.djl.offline=true -Djava.awt.headless=true -cp "$SHARE/lib/*" %6$s "$@"
                """.formatted(share, memory, shared, defaultMiB, java, mainClass);
        Files.writeString(launcher, script);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        return launcher;
    }

    private Path writeKernelSpec(Path launcher) throws IOException {
        Path dir = Files.createDirectories(prefix.resolve("share/jupyter/kernels").resolve(name));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("argv", List.of(launcher.toString(), "kernel", "start", "{connection_file}"));
        spec.put("display_name", KernelSpec.DISPLAY_NAME);
        spec.put("language", "java");
        spec.put("interrupt_mode", "message");
        spec.put("metadata", Map.of("debugger", false));
        Path file = dir.resolve("kernel.json");
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(spec) + "\n");
        return dir;
    }

    /** Loads PyTorch once with the shared engine cache, so its native library is extracted there (430 MB) and not per user. */
    private void prepareEngine() throws IOException {
        Path engine = Files.createDirectories(shared.resolve("engine"));
        String before = System.getProperty("ENGINE_CACHE_DIR");
        System.setProperty("ENGINE_CACHE_DIR", engine.toString());
        try (ai.djl.ndarray.NDManager nd = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
            nd.ones(new ai.djl.ndarray.types.Shape(2)).sum().getFloat();
        } finally {
            if (before == null) System.clearProperty("ENGINE_CACHE_DIR"); else System.setProperty("ENGINE_CACHE_DIR", before);
        }
        try (Stream<Path> s = Files.walk(engine)) {
            if (s.noneMatch(p -> p.getFileName().toString().startsWith("libtorch")))
                throw new IllegalStateException("memtune classroom: PyTorch loaded but its library is not under " + engine
                        + " (was the engine loaded before this command ran?)");
        }
    }

    private void fetchModel(String model) throws IOException {
        String before = System.getProperty("memtune.cache");
        System.setProperty("memtune.cache", shared.resolve("models").toString());
        try {
            System.out.println("classroom: model " + model + " -> " + ModelHub.fetch(model));
        } finally {
            if (before == null) System.clearProperty("memtune.cache"); else System.setProperty("memtune.cache", before);
        }
    }

    private void copyTask(String task) throws IOException {
        Tasks.get(task);                                           // an unknown name: the registry's own message
        Path src = Tasks.dataDir().resolve(task);
        if (!Files.isDirectory(src))
            throw new IllegalArgumentException("memtune classroom: --tasks " + task + ": no folder " + src + " (" + Tasks.dataDirDescription() + "; fetch it with `memtune fetch-data " + task + "`)");
        Path dst = shared.resolve("data").resolve(task);
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.toList()) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        System.out.println("classroom: task " + task + " -> " + dst);
    }

    /** a+r on files, a+rx on directories (and on files that are executable for their owner). */
    private static void worldReadable(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            s.forEach(p -> {
                try {
                    Set<PosixFilePermission> perm = EnumSet.copyOf(Files.getPosixFilePermissions(p));
                    perm.add(PosixFilePermission.OTHERS_READ);
                    perm.add(PosixFilePermission.GROUP_READ);
                    if (Files.isDirectory(p) || perm.contains(PosixFilePermission.OWNER_EXECUTE)) {
                        perm.add(PosixFilePermission.OTHERS_EXECUTE);
                        perm.add(PosixFilePermission.GROUP_EXECUTE);
                    }
                    Files.setPosixFilePermissions(p, perm);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        for (Path p = root.getParent(); p != null; p = p.getParent()) {          // users must be able to reach it
            Set<PosixFilePermission> perm = Files.getPosixFilePermissions(p);
            if (!perm.contains(PosixFilePermission.OTHERS_EXECUTE))
                throw new IllegalStateException("memtune classroom: " + p + " is not searchable by other users (chmod o+x), so " + root + " cannot be reached");
        }
    }

    static long mebibytes(String heap) {
        long n = Long.parseLong(heap.substring(0, heap.length() - 1));
        return Character.toLowerCase(heap.charAt(heap.length() - 1)) == 'g' ? n * 1024 : n;
    }
}
