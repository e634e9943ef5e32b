package dev.memtune.hub;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** A classroom's shared read-only cache is used before the user's own and never written to. */
class SharedCacheTest {
    @TempDir Path shared, user;

    @AfterEach void clear() {
        System.clearProperty("memtune.sharedCache");
        System.clearProperty("memtune.cache");
    }

    @Test void fetchUsesTheSharedFolderAndWritesNothingToTheUserCache() throws IOException {
        System.setProperty("memtune.cache", user.toString());
        String name = ModelSpec.of("minilm-l6").name();
        assertFalse(ModelHub.isCached("minilm-l6"), "empty caches");
        Path dir = Files.createDirectories(shared.resolve(name));
        Files.writeString(dir.resolve("memtune.json"), "{}");
        assertFalse(ModelHub.isCached("minilm-l6"), "no shared cache configured yet");
        System.setProperty("memtune.sharedCache", shared.toString());
        assertFalse(ModelHub.isCached("minilm-l6"), "an incomplete shared folder (no model.safetensors) does not count");
        Files.write(dir.resolve("model.safetensors"), new byte[8]);
        assertTrue(ModelHub.isCached("minilm-l6"));
        assertEquals(dir, ModelHub.fetch("minilm-l6"));
        try (var s = Files.list(user)) { assertEquals(0, s.count(), "nothing written to the user's cache"); }
    }
}
