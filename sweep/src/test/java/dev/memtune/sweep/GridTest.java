package dev.memtune.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/** Grid files: expansion into cells in file order, and errors that name the file and the key. */
class GridTest {
    /** A project root with three small configs under reproduce/configs/t/. */
    static Path project(Path dir) throws IOException {
        Path c = dir.resolve("reproduce/configs/t");
        Files.createDirectories(c);
        for (String m : List.of("full", "lora", "broken"))
            Files.writeString(c.resolve(m + ".json"), "{\"backbone\": \"tiny-bert\", \"method\": \"" + (m.equals("broken") ? "full" : m) + "\", \"tasks\": [\"rte\"]}");
        return dir;
    }

    static Path grid(Path dir, String json) throws IOException {
        Path g = dir.resolve("grid.json");
        Files.writeString(g, json);
        return g;
    }

    @Test
    void expandsConfigsTasksSeedsAndOverridesInFileOrder(@TempDir Path dir) throws IOException {
        project(dir);
        Path g = grid(dir, """
                {"description": "d", "scale": "smoke", "groups": [
                  {"configs": ["t/full.json", "t/lora.json"], "tasks": ["rte", "mrpc"], "seeds": [42, 43]},
                  {"configs": ["t/full.json"], "tasks": ["rte"], "seeds": [42, 44],
                   "overrides": [{"train.learning_rate": 1e-4}, {"train.learning_rate": 3e-4, "method_options.r": 4}]},
                  {"configs": ["t/lora.json"], "tasks": ["mrpc"], "seeds": [43]}
                ]}""");
        Grid grid = Grid.load(g, dir.resolve("reproduce/configs"), null);
        List<String> expected = List.of(
                "t/full rte seed42", "t/full rte seed43", "t/full mrpc seed42", "t/full mrpc seed43",
                "t/lora rte seed42", "t/lora rte seed43", "t/lora mrpc seed42", "t/lora mrpc seed43",
                "t/full rte seed42 {train.learning_rate=1e-4}", "t/full rte seed42 {train.learning_rate=3e-4, method_options.r=4}",
                "t/full rte seed44 {train.learning_rate=1e-4}", "t/full rte seed44 {train.learning_rate=3e-4, method_options.r=4}");
        assertEquals(expected, grid.cells().stream().map(Cell::label).toList());
        assertEquals(1, grid.duplicates(), "the third group repeats t/lora mrpc seed43");
        for (int i = 0; i < grid.cells().size(); i++) assertEquals(i, grid.cells().get(i).index());
        assertEquals("smoke", grid.scale);
        assertEquals("cpu", Grid.load(g, dir.resolve("reproduce/configs"), "cpu").cells().get(0).scale(), "--scale replaces the file's");

        Cell v = grid.cells().get(9);
        assertEquals("variants/train.learning_rate=3e-4,method_options.r=4", v.outSubdir());
        assertEquals(List.of("train", "--config", "/c/t/full.json", "--task", "rte", "--seed", "42", "--scale", "smoke",
                        "--out", "/o/variants/train.learning_rate=3e-4,method_options.r=4", "--resume",
                        "--set", "train.learning_rate=3e-4", "--set", "method_options.r=4"),
                v.trainArgs("/c", "/o"));
        assertEquals("/o", grid.cells().get(0).trainArgs("/c", "/o").get(10));
    }

    @Test
    void dryRunListsEveryCellWithItsResultFile(@TempDir Path dir) throws IOException {
        project(dir);
        Path g = grid(dir, """
                {"scale": "smoke", "groups": [{"configs": ["t/full.json"], "tasks": ["rte"], "seeds": [1, 2],
                                               "overrides": {"train.num_train_epochs": 2}}]}""");
        Sweep s = Sweep.builder().optRoot(dir).optOut(dir.resolve("out")).build();
        SweepReport r = s.dryRun(s.load(g, null));
        assertEquals(List.of("planned", "planned"), r.rows().stream().map(SweepReport.Row::status).toList());
        assertEquals(dir.resolve("out/variants/train.num_train_epochs=2/results/t/full/rte/seed2.json").toString(), r.rows().get(1).source());
    }

    /**
     * A result committed to reproduce/results/runs/<table>/<config-id>/<task>/seed<k>.json with the cell's settings is
     * reused, also after an edit of the config's description; not after an edit of a setting.
     */
    @Test
    void aCommittedResultIsReused(@TempDir Path dir) throws IOException {
        project(dir);
        Path g = grid(dir, """
                {"scale": "smoke", "groups": [{"configs": ["t/full.json"], "tasks": ["rte"], "seeds": [1, 2]}]}""");
        Sweep s = Sweep.builder().optRoot(dir).optOut(dir.resolve("out")).build();
        var plan = s.plan(s.load(g, null));
        Path committed = dir.resolve("reproduce/results/runs/t/full/rte/seed1.json");
        Files.createDirectories(committed.getParent());
        Files.writeString(committed, "{\"config\": " + plan.get(0).settings() + ", \"data\": {\"protocol\": \"standard\"}}");
        SweepReport r = s.dryRun(s.load(g, null));
        assertEquals(List.of("reused", "planned"), r.rows().stream().map(SweepReport.Row::status).toList());

        // an edited description (free text) keeps the result; an edited setting does not
        Path cfg = dir.resolve("reproduce/configs/t/full.json");
        Files.writeString(cfg, "{\"description\": \"edited\", \"backbone\": \"tiny-bert\", \"method\": \"full\", \"tasks\": [\"rte\"]}");
        assertEquals(List.of("reused", "planned"), s.dryRun(s.load(g, null)).rows().stream().map(SweepReport.Row::status).toList());
        Files.writeString(cfg, "{\"backbone\": \"tiny-bert\", \"method\": \"full\", \"tasks\": [\"rte\"], \"train\": {\"learning_rate\": 1e-3}}");
        assertEquals(List.of("planned", "planned"), s.dryRun(s.load(g, null)).rows().stream().map(SweepReport.Row::status).toList());
    }

    private static String error(Path dir, String json) throws IOException {
        Path g = grid(dir, json);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            Sweep s = Sweep.builder().optRoot(dir).optOut(dir.resolve("out")).build();
            s.plan(s.load(g, null));
        });
        assertTrue(e.getMessage().contains(g.toString()), "names the grid file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void badGridFilesNameTheFileAndTheKey(@TempDir Path dir) throws IOException {
        project(dir);
        assertTrue(error(dir, "{\"scale\": \"smoke\", \"group\": []}").contains(": group: unknown key"));
        assertTrue(error(dir, "{\"scale\": \"smoke\"}").contains(": groups: missing"));
        assertTrue(error(dir, "{\"scale\": \"huge\", \"groups\": []}").contains(": scale: unknown scale 'huge'"));
        assertTrue(error(dir, "{\"groups\": [{\"configs\": [\"t/full.json\"], \"tasks\": [\"rte\"]}]}").contains(": groups[0].seeds: missing"));
        assertTrue(error(dir, "{\"groups\": [{\"configs\": [\"t/full.json\"], \"tasks\": [\"rte\"], \"seeds\": [\"42\"]}]}")
                .contains(": groups[0].seeds[0]: must be an integer"));
        assertTrue(error(dir, "{\"groups\": [{\"configs\": [\"t/full.json\"], \"tasks\": [\"rte\"], \"seeds\": [4.5]}]}")
                .contains(": groups[0].seeds[0]: must be an integer"));
        assertTrue(error(dir, "{\"groups\": [{\"configs\": [\"t/full.json\", \"t/nope.json\"], \"tasks\": [\"rte\"], \"seeds\": [1]}]}")
                .contains(": groups[0].configs[1]: no config file"));
        assertTrue(error(dir, "{\"groups\": [{\"configs\": [\"t/full.json\"], \"tasks\": [\"rte\"], \"seeds\": [1], \"seed\": 2}]}")
                .contains(": groups[0].seed: unknown key"));
        assertTrue(error(dir, "{\"groups\": [{\"configs\": [\"t/full.json\"], \"tasks\": [], \"seeds\": [1]}]}").contains(": groups[0].tasks: is empty"));
        assertTrue(error(dir, "{\"groups\": [{\"configs\": [\"t/full.json\"], \"tasks\": [\"rte\"], \"seeds\": [1], \"overrides\": [3]}]}")
                .contains(": groups[0].overrides[0]: must be an object"));
        assertTrue(error(dir, "{\"groups\": [").contains(": not valid JSON"));
        // checked against the toolkit when the cells are planned: a task that does not exist, a train setting that does not exist
        String task = error(dir, "{\"groups\": [{\"configs\": [\"t/full.json\"], \"tasks\": [\"rtee\"], \"seeds\": [1]}]}");
        assertTrue(task.contains("cell 0 (t/full rtee seed1): tasks:"), task);
        String set = error(dir, "{\"groups\": [{\"configs\": [\"t/full.json\"], \"tasks\": [\"rte\"], \"seeds\": [1], \"overrides\": {\"train.learning_rat\": 1}}]}");
        assertTrue(set.contains("unknown train setting 'learning_rat'"), set);
    }
}
