package dev.memtune.sys;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Process memory as Linux reports it, plus the JVM heap. Native tensors (DJL/PyTorch) live outside
 * the Java heap, so resident memory is what a fine-tuning method really costs:
 * <ul>
 *   <li>{@link #residentBytes()} — {@code VmRSS} of {@code /proc/self/status}: resident now;</li>
 *   <li>{@link #peakResidentBytes()} — {@code VmHWM}: the resident high-water mark;</li>
 *   <li>{@link #resetPeak()} — writes {@code 5} to {@code /proc/self/clear_refs}, which resets
 *       {@code VmHWM} to the current {@code VmRSS} (Linux &ge; 4.0, see proc(5)), and resets the
 *       peak usage of the heap memory pools;</li>
 *   <li>{@link #residentBytes(long, String)} — the same fields of another process (the profiler's child JVM);</li>
 *   <li>{@link #heapUsedBytes()} / {@link #peakHeapBytes()} — JVM heap in use, and the sum of the
 *       heap pools' peaks since the last reset (an upper bound on the true simultaneous peak).</li>
 * </ul>
 * Typical use: {@code resetPeak(); long before = residentBytes(); run(); long peak = peakResidentBytes() - before;}.
 */
public final class ProcMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ProcMemory() {}

    /** Current resident set size in bytes ({@code VmRSS}), or -1 where /proc is unavailable. */
    public static long residentBytes() { return bytes(statusKb("VmRSS:")); }

    /** Resident high-water mark in bytes ({@code VmHWM}) since process start or {@link #resetPeak()}; -1 if unavailable. */
    public static long peakResidentBytes() { return bytes(statusKb("VmHWM:")); }

    /**
     * Resets the resident high-water mark to the current resident size and the heap pools' peaks.
     *
     * @return true if the kernel accepted the reset (false off Linux or without permission)
     */
    public static boolean resetPeak() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
            if (pool.getType() == MemoryType.HEAP) pool.resetPeakUsage();
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** Memory the system can give without swapping ({@code MemAvailable} of /proc/meminfo) in bytes, or -1 where unknown. */
    public static long availableBytes() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo")))
                if (l.startsWith("MemAvailable:")) {
                    String v = l.substring("MemAvailable:".length()).trim();
                    return Long.parseLong(v.substring(0, v.indexOf(' '))) * 1024;
                }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * A memory field of another process ({@code /proc/PID/status}, e.g. {@code VmRSS}, {@code VmHWM})
     * in bytes, or -1 when the process is gone (or a zombie without memory fields) or /proc is unavailable:
     * how the profiler follows the child JVM it measures.
     */
    public static long residentBytes(long pid, String field) { return bytes(kb(Path.of("/proc/" + pid + "/status"), field + ":")); }

    /** JVM heap in use now, in bytes. */
    public static long heapUsedBytes() { return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(); }

    /** Sum over heap pools of their peak usage since the last {@link #resetPeak()}, in bytes. */
    public static long peakHeapBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) sum += pool.getPeakUsage().getUsed();
        return sum;
    }

    /** Human-readable size: {@code 512 B}, {@code 3.4 MiB}, {@code 1.20 GiB}. */
    public static String format(long bytes) {
        long a = Math.abs(bytes);
        if (a < 1024) return bytes + " B";
        if (a < 1024L * 1024) return String.format("%.1f KiB", bytes / 1024.0);
        if (a < 1024L * 1024 * 1024) return String.format("%.1f MiB", bytes / (1024.0 * 1024));
        return String.format("%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    private static long bytes(long kb) { return kb < 0 ? -1 : kb * 1024; }

    private static long statusKb(String key) { return kb(STATUS, key); }

    /** A "{@code key  123 kB}" line of a /proc status file, in kB; -1 when missing or unreadable. */
    static long kb(Path status, String key) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(key)) {
                    String v = line.substring(key.length()).trim();        // "123456 kB"
                    return Long.parseLong(v.substring(0, v.indexOf(' ')));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
