package dev.memtune.sys;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
     * Some kernels (and sandboxes that emulate /proc) accept the write to {@code clear_refs} but keep
     * the old {@code VmHWM}; the reset is checked by reading {@code VmHWM} and {@code VmRSS} back from
     * one snapshot of /proc/self/status.
     *
     * @return true if the resident peak now equals the current resident size (within {@link #RESET_SLACK});
     *         false off Linux, without permission, or where the kernel ignored the reset — the peak then
     *         still counts from process start
     */
    public static boolean resetPeak() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
            if (pool.getType() == MemoryType.HEAP) pool.resetPeakUsage();
        try {
            Files.writeString(CLEAR_REFS, "5");
            List<String> status = Files.readAllLines(STATUS);
            long hwm = bytes(field(status, "VmHWM:")), rss = bytes(field(status, "VmRSS:"));
            return hwm >= 0 && rss >= 0 && hwm - rss <= RESET_SLACK;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** How far {@code VmHWM} may sit above {@code VmRSS} right after a reset that the kernel honoured. */
    public static final long RESET_SLACK = 4L * 1024 * 1024;

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
            return field(Files.readAllLines(status), key);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The kB value of the line starting with {@code key} among the lines of one status snapshot; -1 when missing. */
    private static long field(List<String> lines, String key) {
        for (String line : lines) {
            if (line.startsWith(key)) {
                String v = line.substring(key.length()).trim();        // "123456 kB"
                try {
                    return Long.parseLong(v.substring(0, v.indexOf(' ')));
                } catch (RuntimeException e) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
