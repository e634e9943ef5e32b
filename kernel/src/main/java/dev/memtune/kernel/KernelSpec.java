package dev.memtune.kernel;

import com.google.gson.GsonBuilder;
import dev.memtune.kernel.eval.Classpath;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Jupyter kernelspec ({@code kernel.json}) that starts this kernel: the absolute path of the
 * running JVM's {@code java}, its class path, {@code -Dai.djl.offline=true}, and
 * {@code interrupt_mode: message} (interrupts come as control-channel requests).
 */
public final class KernelSpec {
    public static final String DEFAULT_NAME = "memtune";
    public static final String DISPLAY_NAME = "Java (memtune)";

    private KernelSpec() {}

    /** The kernel.json content for a JVM with the given options and this JVM's class path. */
    public static Map<String, Object> json(List<String> jvmOptions) {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toAbsolutePath().toString());
        argv.addAll(jvmOptions);
        argv.addAll(opening(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
        argv.add("-Dai.djl.offline=true");
        argv.add("-Djava.awt.headless=true");
        String root = System.getProperty("memtune.root");
        if (root != null) argv.add("-Dmemtune.root=" + root);
        argv.add("-cp");
        argv.add(String.join(File.pathSeparator, dedupe(Classpath.current())));
        argv.add(KernelMain.class.getName());
        argv.add("{connection_file}");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("argv", argv);
        spec.put("display_name", DISPLAY_NAME);
        spec.put("language", "java");
        spec.put("interrupt_mode", "message");
        spec.put("env", Map.of("MALLOC_ARENA_MAX", "2"));
        spec.put("metadata", Map.of("debugger", false));
        return spec;
    }

    /**
     * The options among this JVM's that open JDK internals to the class path ({@code --add-opens},
     * {@code --add-exports} and the switches the launcher gives with them): a module on the class path
     * that needs them (Spark, through the sweep module's run executor) then works in the kernel too.
     */
    static List<String> opening(List<String> inputArguments) {
        List<String> out = new ArrayList<>();
        for (String a : inputArguments)
            if (a.startsWith("--add-opens=") || a.startsWith("--add-exports=") || a.equals("-XX:+IgnoreUnrecognizedVMOptions")
                    || a.startsWith("-Djdk.reflect.useDirectMethodHandle=") || a.startsWith("-Dio.netty.tryReflectionSetAccessible="))
                out.add(a);
        return out;
    }

    /** Drops jars whose file name already appeared (the kernel's lib/ repeats the toolkit's). */
    static List<String> dedupe(List<String> classpath) {
        java.util.Set<String> names = new java.util.HashSet<>();
        List<String> out = new ArrayList<>();
        for (String e : classpath) {
            String n = Path.of(e).getFileName().toString();
            if (!n.endsWith(".jar") || names.add(n)) out.add(e);
        }
        return out;
    }

    /**
     * Writes {@code <dataDir>/kernels/<name>/kernel.json}.
     *
     * @param dataDir a Jupyter data directory, e.g. {@code ~/.local/share/jupyter} or {@code PREFIX/share/jupyter}
     * @return the kernel directory
     */
    public static Path install(Path dataDir, String name, List<String> jvmOptions) throws IOException {
        if (!name.matches("[A-Za-z0-9._-]+")) throw new IllegalArgumentException("kernel name '" + name + "' may only use letters, digits, '.', '_' and '-'");
        Path dir = dataDir.resolve("kernels").resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("kernel.json"), new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(json(jvmOptions)) + "\n");
        return dir;
    }
}
