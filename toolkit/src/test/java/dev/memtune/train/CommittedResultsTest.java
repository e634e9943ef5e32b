package dev.memtune.train;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A run committed to {@code reproduce/results/runs/<table>/<config-id>/<task>/seed<k>.json} with the same
 * resolved settings is reused without training, even where the task data is not staged; with other
 * settings it is not (here: the data is then missing, so the run fails asking for it).
 */
class CommittedResultsTest {
    private final String root = System.getProperty("memtune.root"), data = System.getProperty("memtune.data");

    @AfterEach
    void restore() {
        if (root == null) System.clearProperty("memtune.root"); else System.setProperty("memtune.root", root);
        if (data == null) System.clearProperty("memtune.data"); else System.setProperty("memtune.data", data);
    }

    @Test
    void aCommittedRunWithTheSameSettingsIsReused(@TempDir Path dir) throws IOException {
        System.setProperty("memtune.root", dir.toString());
        System.setProperty("memtune.data", dir.resolve("no-data").toString());       // nothing staged
        Path cfg = ExperimentConfigTest.write(dir, "reproduce/configs/t/tiny-lora.json", """
                {"backbone": "tiny-bert", "method": "lora", "tasks": ["rte"], "protocol": "standard",
                 "train": {"learning_rate": 1e-3, "num_train_epochs": 1}}""");
        JsonObject settings = ExperimentConfig.load(cfg).resolve("rte", 42, "cpu", Map.of()).json();
        Path kept = dir.resolve("reproduce/results/runs/t/tiny-lora/rte/seed42.json");
        assertEquals(kept, Experiments.resultIn(Experiments.committed(), ExperimentConfig.load(cfg), "rte", 42));
        ExperimentConfigTest.write(dir, "reproduce/results/runs/t/tiny-lora/rte/seed42.json",
                "{\"config\": " + settings + ", \"data\": {\"protocol\": \"standard\"}, \"test_score\": 0.625}");

        ExperimentResult r = Experiments.run(cfg, "rte", 42, "cpu", Experiments.RunOptions.defaults().withOut(dir.resolve("out")));
        assertEquals(0.625, r.json().get("test_score").getAsDouble());
        assertFalse(Files.exists(dir.resolve("out/results")), "nothing trained");

        // the config's description edited (free text, not a setting): still reused, nothing trained
        ExperimentConfigTest.write(dir, "reproduce/configs/t/tiny-lora.json", """
                {"description": "edited", "backbone": "tiny-bert", "method": "lora", "tasks": ["rte"], "protocol": "standard",
                 "train": {"learning_rate": 1e-3, "num_train_epochs": 1}}""");
        assertNotEquals(settings, ExperimentConfig.load(cfg).resolve("rte", 42, "cpu", Map.of()).json(), "the description is in the settings");
        r = Experiments.run(cfg, "rte", 42, "cpu", Experiments.RunOptions.defaults().withOut(dir.resolve("out")));
        assertEquals(0.625, r.json().get("test_score").getAsDouble());
        assertFalse(Files.exists(dir.resolve("out/results")), "nothing trained");

        // other settings: not reused; without data the run then stops asking for it
        var o = Experiments.RunOptions.defaults().withOut(dir.resolve("out")).withSets(Map.of("train.learning_rate", "2e-3"));
        assertThrows(dev.memtune.data.MissingDataException.class, () -> Experiments.run(cfg, "rte", 42, "cpu", o));
    }
}
