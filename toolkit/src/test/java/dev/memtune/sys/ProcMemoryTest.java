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

    @Test void residentAgreesWithStatmAndSeesANativeAllocation() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/status")), "Linux /proc needed");
        long a = ProcMemory.residentBytes(), b = statmResident();
        assertTrue(Math.abs(a - b) < 16 * MiB, "VmRSS " + a / MiB + " MiB vs statm " + b / MiB + " MiB");

        boolean reset = ProcMemory.resetPeak();
        long before = ProcMemory.residentBytes();
        // resetPeak reports what the kernel did: true exactly when the peak came down to the current size
        // (some sandboxes accept the write to clear_refs and keep the old peak)
        assertEquals(reset, ProcMemory.peakResidentBytes() - before < 16 * MiB,
                "resetPeak() returned " + reset + " with the peak " + (ProcMemory.peakResidentBytes() - before) / MiB + " MiB above the current size");
        ByteBuffer buf = ByteBuffer.allocateDirect((int) (128 * MiB));
        // a byte written to every page makes it resident whatever the JVM and kernel do with zero-filled memory
        // (a CI run once saw the zero-filled buffer add nothing to the resident size)
        for (int i = 0; i < buf.capacity(); i += 4096) buf.put(i, (byte) 1);
        long peak = ProcMemory.peakResidentBytes() - before;
        long now = ProcMemory.residentBytes() - before;
        assertTrue(peak >= 120 * MiB && now >= 120 * MiB, "peak " + peak / MiB + " MiB, now " + now / MiB + " MiB for 128 MiB");
        assertEquals(128 * MiB, buf.capacity());
    }

    @Test void formatUsesBinaryUnits() {
        assertEquals("512 B", ProcMemory.format(512));
        assertEquals("1.5 KiB", ProcMemory.format(1536));
        assertEquals("3.0 MiB", ProcMemory.format(3 * MiB));
        assertEquals("1.50 GiB", ProcMemory.format(1536 * MiB));
    }
}
