package dev.memtune.sys;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ProcMemoryTest {
    static final long MiB = 1024 * 1024;

    /** Resident bytes from /proc/self/statm (pages), a second kernel interface than /proc/self/status. */
    static long statmResident() throws Exception {
        String[] f = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
        return Long.parseLong(f[1]) * 4096;
    }

    /**
     * The measurement runs in a child JVM of its own: in the test JVM, native memory of earlier tests
     * (DJL arrays) is freed by cleaner threads at any moment, and a CI run once saw RSS rise by 11 MiB
     * for a 128 MiB buffer because about as much was freed in between. The child does nothing else.
     * Prints: VmRSS, statm resident, resetPeak(), RSS before, peak and RSS after a 128 MiB buffer (bytes).
     */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            long a = ProcMemory.residentBytes(), b = statmResident();
            boolean reset = ProcMemory.resetPeak();
            long before = ProcMemory.residentBytes(), peakAtReset = ProcMemory.peakResidentBytes();
            ByteBuffer buf = ByteBuffer.allocateDirect((int) (128 * MiB));
            // a byte written to every page makes it resident whatever the kernel does with zero-filled memory
            for (int i = 0; i < buf.capacity(); i += 4096) buf.put(i, (byte) 1);
            long peak = ProcMemory.peakResidentBytes(), now = ProcMemory.residentBytes();
            System.out.println(a + " " + b + " " + reset + " " + before + " " + peakAtReset + " " + peak + " " + now + " " + buf.capacity());
        }
    }

    @Test void residentAgreesWithStatmAndSeesANativeAllocation() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/status")), "Linux /proc needed");
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:MaxDirectMemorySize=256m", "-cp", System.getProperty("java.class.path"), Probe.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor(), out);
        String[] f = out.split("\\s+");
        assertEquals(8, f.length, out);
        long a = Long.parseLong(f[0]), b = Long.parseLong(f[1]), before = Long.parseLong(f[3]), peakAtReset = Long.parseLong(f[4]),
                peak = Long.parseLong(f[5]) - before, now = Long.parseLong(f[6]) - before;
        boolean reset = Boolean.parseBoolean(f[2]);
        assertTrue(Math.abs(a - b) < 16 * MiB, "VmRSS " + a / MiB + " MiB vs statm " + b / MiB + " MiB");
        // resetPeak reports what the kernel did: true exactly when the peak came down to the current size
        // (some sandboxes accept the write to clear_refs and keep the old peak)
        assertEquals(reset, peakAtReset - before < 16 * MiB,
                "resetPeak() returned " + reset + " with the peak " + (peakAtReset - before) / MiB + " MiB above the current size");
        assertTrue(peak >= 120 * MiB && now >= 120 * MiB, "peak " + peak / MiB + " MiB, now " + now / MiB + " MiB for 128 MiB");
        assertEquals(128 * MiB, Long.parseLong(f[7]));
    }

    @Test void formatUsesBinaryUnits() {
        assertEquals("512 B", ProcMemory.format(512));
        assertEquals("1.5 KiB", ProcMemory.format(1536));
        assertEquals("3.0 MiB", ProcMemory.format(3 * MiB));
        assertEquals("1.50 GiB", ProcMemory.format(1536 * MiB));
    }
}
