package dev.memtune.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's own accounting of this process's memory ({@code /proc/self/status}): resident set
 * ({@code VmRSS}) and its high-water mark ({@code VmHWM}), which {@link #resetPeak()} resets to the
 * current RSS by writing "5" to {@code /proc/self/clear_refs} (Linux 4.0+). Private to the profiler
 * until the kernel's {@code ProcMemory} lands on main.
 */
final class ProcStatus {
    private ProcStatus() {}

    /** True when /proc/self/status can be read (Linux). */
    static boolean available() { return Files.isReadable(Path.of("/proc/self/status")); }

    /** Current resident set size in bytes. */
    static long rss() { return field("VmRSS"); }

    /** Peak resident set size in bytes since start or the last {@link #resetPeak()}. */
    static long peak() { return field("VmHWM"); }

    /** Resets VmHWM to the current RSS; false when the kernel refuses (then peaks are since start). */
    static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** A {@code kB} field of /proc/[pid]/status in bytes, or -1 when the process is gone. */
    static long field(long pid, String key) {
        try {
            return parse(Files.readString(Path.of("/proc/" + pid + "/status")), key);
        } catch (IOException | IllegalStateException e) {          // gone, or a zombie without memory fields
            return -1;
        }
    }

    static long field(String key) {
        try {
            return parse(Files.readString(Path.of("/proc/self/status")), key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/status", e);
        }
    }

    static long parse(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) {
                String[] f = line.substring(key.length() + 1).trim().split("\\s+");
                long v = Long.parseLong(f[0]);
                return f.length > 1 && f[1].equalsIgnoreCase("kB") ? v * 1024 : v;
            }
        }
        throw new IllegalStateException("/proc status has no field " + key);
    }
}
