package dev.memtune.kernel.classroom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** Bad options are named; the end-to-end install (a second user, no network) is reproduce/test.d/classroom.sh. */
class ClassroomTest {
    @TempDir Path dir;

    @Test void badMemoryAndNameAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Classroom(dir, dir, "2x", "memtune"));
        assertTrue(e.getMessage().contains("--memory") && e.getMessage().contains("'2x'"), e.getMessage());
        var n = assertThrows(IllegalArgumentException.class, () -> new Classroom(dir, dir, "2g", "my kernel"));
        assertTrue(n.getMessage().contains("--name"), n.getMessage());
    }

    @Test void heapSizesInMebibytes() {
        assertEquals(2048, Classroom.mebibytes("2g"));
        assertEquals(1536, Classroom.mebibytes("1536M"));
    }
}
