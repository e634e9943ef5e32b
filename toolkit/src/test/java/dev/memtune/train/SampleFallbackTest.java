package dev.memtune.train;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.memtune.data.MissingDataException;
import dev.memtune.hub.ModelHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine without task data: a smoke run trains on the bundled sample and says so in its result;
 * a cpu run of the same config refuses with the "data not staged" error; a result made on the
 * sample is not reused once the data is staged.
 */
class SampleFallbackTest {
    static final Path SAMPLES = Path.of("..", "data", "samples").toAbsolutePath().normalize();

    @AfterEach
    void clear() {
        System.clearProperty("memtune.data");
        System.clearProperty("memtune.samples");
    }

    @Test
    void smokeTrainsOnTheSampleCpuRefuses(@TempDir Path dir) throws IOException {
        assumeTrue(ModelHub.isCached("minilm-l6"), "needs the minilm-l6 tokenizer: run reproduce/memtune fetch-model minilm-l6");
        Path folder = ExperimentsTest.tinyFolder(dir);
        Path data = Files.createDirectories(dir.resolve("no-data"));
        System.setProperty("memtune.data", data.toString());
        System.setProperty("memtune.samples", SAMPLES.toString());
        Path cfg = ExperimentConfigTest.write(dir, "configs/t/tiny-lora.json", """
                {"backbone": "%s", "method": "lora", "tasks": ["rte"], "protocol": "lst",
                 "train": {"learning_rate": 1e-3, "num_train_epochs": 1, "max_seq_length": 32, "per_device_train_batch_size": 8}}"""
                .formatted(folder.toString().replace("\\", "/")));
        Experiments.RunOptions o = Experiments.RunOptions.defaults().withOut(dir.resolve("out"));

        ExperimentResult r = Experiments.run(cfg, "rte", 42, "smoke", o);
        assertEquals("bundled sample", r.dataSource());
        assertEquals("bundled sample", r.json().getAsJsonObject("data").get("source").getAsString());
        assertEquals(40, r.json().getAsJsonObject("data").get("train").getAsInt());   // all 40 sample rows
        assertEquals(20, r.json().getAsJsonObject("data").get("test").getAsInt());
        assertEquals(5, r.json().get("steps").getAsInt());                            // 40 / 8, one epoch: it trained
        double acc = r.test("accuracy");
        assertTrue(acc >= 0 && acc <= 1, "accuracy " + acc);

        MissingDataException e = assertThrows(MissingDataException.class, () -> Experiments.run(cfg, "rte", 42, "cpu", o));
        assertTrue(e.getMessage().contains(data.resolve("rte").toAbsolutePath().toString()), e.getMessage());

        // the data gets staged: the smoke result made on the sample is not reused
        Files.createDirectories(data.resolve("rte"));
        Files.writeString(data.resolve("rte/train.tsv"), Files.readString(SAMPLES.resolve("rte/train.tsv")));
        Files.writeString(data.resolve("rte/dev.tsv"), Files.readString(SAMPLES.resolve("rte/dev.tsv")));
        ExperimentResult again = Experiments.run(cfg, "rte", 42, "smoke", o);
        assertEquals("staged", again.dataSource());
        assertNotEquals(r.json().get("finished_at"), again.json().get("finished_at"));
    }
}
