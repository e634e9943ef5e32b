package dev.memtune.kernel;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class KernelSpecTest {
    @Test void kernelJsonStartsThisJvmOnTheConnectionFile(@TempDir Path dir) throws Exception {
        Path k = KernelSpec.install(dir.resolve("share/jupyter"), "memtune", List.of("-Xmx2g"));
        assertEquals(dir.resolve("share/jupyter/kernels/memtune"), k);
        JsonObject spec = JsonParser.parseString(Files.readString(k.resolve("kernel.json"))).getAsJsonObject();
        assertEquals("Java (memtune)", spec.get("display_name").getAsString());
        assertEquals("java", spec.get("language").getAsString());
        assertEquals("message", spec.get("interrupt_mode").getAsString());
        JsonArray argv = spec.getAsJsonArray("argv");
        Path java = Path.of(argv.get(0).getAsString());
        assertTrue(java.isAbsolute() && Files.isExecutable(java), "explicit java: " + java);
        List<String> args = argv.asList().stream().map(e -> e.getAsString()).toList();
        assertTrue(args.contains("-Xmx2g") && args.contains("-Dai.djl.offline=true"));
        assertEquals("{connection_file}", args.get(args.size() - 1));
        assertEquals(KernelMain.class.getName(), args.get(args.size() - 2));
        String cp = args.get(args.indexOf("-cp") + 1);
        for (String e : cp.split(File.pathSeparator)) assertTrue(Files.exists(Path.of(e)), "class path entry exists: " + e);
        assertThrows(IllegalArgumentException.class, () -> KernelSpec.install(dir, "bad name", List.of()));
    }

    @Test void theKernelKeepsTheModuleOpeningOptionsOfTheJvmThatInstalledIt() {
        List<String> launcher = List.of("-Xmx6g", "-XX:+IgnoreUnrecognizedVMOptions", "-Djdk.reflect.useDirectMethodHandle=false",
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Dmemtune.root=/p", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "-Dfoo=bar");
        assertEquals(List.of("-XX:+IgnoreUnrecognizedVMOptions", "-Djdk.reflect.useDirectMethodHandle=false",
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED"), KernelSpec.opening(launcher));
    }
}
