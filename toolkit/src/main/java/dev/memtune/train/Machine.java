package dev.memtune.train;

import dev.memtune.sys.ProcMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Facts about the machine and process that results record: peak resident memory, CPU, versions. */
public final class Machine {
    private Machine() {}

    /** Peak resident set size of this process in bytes ({@code VmHWM}, via {@link ProcMemory}), or -1 where unknown. */
    public static long peakRssBytes() {
        long b = ProcMemory.peakResidentBytes();
        return b > 0 ? b : -1;
    }

    /** OS, CPU model and count, memory, Java, DJL and memtune versions. */
    public static Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("cpu", cpuModel());
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("djl", ai.djl.engine.Engine.getDjlVersion());
        m.put("engine", ai.djl.engine.Engine.getInstance().getEngineName() + " " + ai.djl.engine.Engine.getInstance().getVersion());
        m.put("memtune", dev.memtune.Version.VERSION);
        return m;
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (l.startsWith("model name")) return l.substring(l.indexOf(':') + 1).trim();
        } catch (IOException e) {
            return "unknown";
        }
        return "unknown";
    }
}
