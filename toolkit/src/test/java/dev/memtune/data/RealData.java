package dev.memtune.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real task files for tests: {@code MEMTUNE_DATA}; tests skip with a message when absent. */
final class RealData {
    private RealData() {}

    /** The data folder, skipping the test unless it holds the task's files of {@code split}. */
    static Path require(Task task, String split) {
        String env = System.getenv("MEMTUNE_DATA");
        assumeTrue(env != null && !env.isBlank(),
                "MEMTUNE_DATA is not set: point it at the task data (e.g. ../shared/data) or run `reproduce/memtune fetch-data --all`");
        Path dir = Path.of(env);
        for (String f : task.files(split))
            assumeTrue(Files.isRegularFile(dir.resolve(f)),
                    dir.resolve(f) + " is absent: fetch it with `reproduce/memtune fetch-data --task " + task.name() + "`");
        return dir;
    }
}
