package dev.memtune.train;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Config files: inheritance and override order, validation naming file and key, and every shipped config resolves. */
class ExperimentConfigTest {
    static Path write(Path dir, String rel, String json) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, json);
        return p;
    }

    @Test
    void mergesInheritedScaleTaskAndSetInThatOrder(@TempDir Path dir) throws IOException {
        write(dir, "configs/base.json", """
                {"protocol": "lst", "train": {"learning_rate": 1e-5, "num_train_epochs": 3, "weight_decay": 0.1},
                 "scales": {"smoke": {"train": {"num_train_epochs": 1}}}}""");
        write(dir, "configs/glue/base.json", """
                {"inherits": "../base.json", "tasks": ["rte", "sst2"], "task_train": {"sst2": {"num_train_epochs": 2}}}""");
        Path f = write(dir, "configs/glue/m/lora.json", """
                {"inherits": "../base.json", "backbone": "minilm-l6", "method": "lora", "method_options": {"r": 8},
                 "train": {"learning_rate": 5e-4}}""");
        ExperimentConfig c = ExperimentConfig.load(f);
        assertEquals("glue", c.table);
        assertEquals("m/lora", c.id);
        assertEquals(List.of("rte", "sst2"), c.tasks("cpu"));
        TrainConfig rte = c.resolve("rte", 7, "cpu", Map.of()).train();
        assertEquals(5e-4, rte.learningRate());          // file over base
        assertEquals(0.1, rte.weightDecay());            // inherited
        assertEquals(3, rte.numTrainEpochs());
        assertEquals(7, rte.seed());
        assertEquals(2, c.resolve("sst2", 7, "cpu", Map.of()).train().numTrainEpochs());     // task override
        assertEquals(1, c.resolve("rte", 7, "smoke", Map.of()).train().numTrainEpochs());    // scale override
        ExperimentConfig.Resolved s = c.resolve("rte", 7, "smoke", Map.of("train.num_train_epochs", "4", "method_options.r", "16", "backbone", "bert-base"));
        assertEquals(4, s.train().numTrainEpochs());                                          // --set last
        assertEquals(Map.of("r", "16"), s.methodOptions());
        assertEquals("bert-base", s.backbone());
    }

    @Test
    void methodOptionListsBecomeCommaListsAsPeftWritesThem(@TempDir Path dir) throws IOException {
        Path f = write(dir, "configs/t/lora.json", """
                {"backbone": "minilm-l6", "method": "lora",
                 "method_options": {"r": 8, "target_modules": ["query", "key", "value", "dense"]}}""");
        ExperimentConfig.Resolved r = ExperimentConfig.load(f).resolve("rte", 42, "cpu", Map.of());
        assertEquals("query,key,value,dense", r.methodOptions().get("target_modules"));
        assertEquals(List.of("query", "key", "value", "dense"),
                new dev.memtune.method.Options("lora", r.methodOptions()).list("target_modules"));
        // the same list given on the command line, as JSON
        ExperimentConfig.Resolved s = ExperimentConfig.load(f).resolve("rte", 42, "cpu", Map.of("method_options.target_modules", "[\"query\",\"value\"]"));
        assertEquals("query,value", s.methodOptions().get("target_modules"));

        Path g = write(dir, "configs/t/bad.json", """
                {"backbone": "minilm-l6", "method": "lora", "method_options": {"target_modules": {"q": 1}}}""");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExperimentConfig.load(g).resolve("rte", 42, "cpu", Map.of()).methodOptions());
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("method_options.target_modules"), e.getMessage());
    }

    @Test
    void unknownKeysNameFileAndKey(@TempDir Path dir) throws IOException {
        write(dir, "configs/base.json", "{\"train\": {\"learning_rat\": 1e-5}}");
        Path f = write(dir, "configs/t/x.json", "{\"inherits\": \"../base.json\", \"backbone\": \"b\", \"method\": \"full\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExperimentConfig.load(f));
        assertTrue(e.getMessage().contains("base.json") && e.getMessage().contains("'learning_rat'"), e.getMessage());

        Path g = write(dir, "configs/t/y.json", "{\"backbone\": \"b\", \"method\": \"full\", \"metod_options\": {}}");
        e = assertThrows(IllegalArgumentException.class, () -> ExperimentConfig.load(g));
        assertTrue(e.getMessage().contains("y.json") && e.getMessage().contains("'metod_options'"), e.getMessage());

        Path h = write(dir, "configs/t/z.json", "{\"backbone\": \"b\", \"method\": \"full\", \"scales\": {\"huge\": {}}}");
        e = assertThrows(IllegalArgumentException.class, () -> ExperimentConfig.load(h));
        assertTrue(e.getMessage().contains("z.json") && e.getMessage().contains("'huge'"), e.getMessage());

        Path pl = write(dir, "configs/t/p.json", "{\"backbone\": \"b\", \"method\": \"full\", \"pooling\": \"avg\"}");
        e = assertThrows(IllegalArgumentException.class, () -> ExperimentConfig.load(pl));
        assertTrue(e.getMessage().contains("p.json") && e.getMessage().contains("pooling"), e.getMessage());

        Path v = write(dir, "configs/t/v.json", "{\"backbone\": \"b\", \"method\": \"full\", \"train\": {\"learning_rate\": -1}}");
        e = assertThrows(IllegalArgumentException.class, () -> ExperimentConfig.load(v).resolve("rte", 1, "cpu", Map.of()).train());
        assertTrue(e.getMessage().contains("v.json") && e.getMessage().contains("learning_rate"), e.getMessage());
    }

    static Path configs() {
        Path root = Path.of(System.getProperty("memtune.root", "..")).resolve("reproduce/configs");
        return Files.isDirectory(root) ? root : Path.of("../reproduce/configs");
    }

    static Stream<Path> shipped() throws IOException {
        Path root = configs();
        try (var s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".json") && !p.getFileName().toString().equals("base.json")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shipped")
    void everyShippedConfigResolvesAtEveryScale(Path f) {
        ExperimentConfig c = ExperimentConfig.load(f);
        for (String scale : ExperimentConfig.SCALES) {
            assertFalse(c.tasks(scale).isEmpty(), f + " lists no tasks at " + scale);
            for (String t : c.tasks(scale)) {
                ExperimentConfig.Resolved r = c.resolve(t, 42, scale, Map.of());
                assertNotNull(r.train());
                assertTrue(JsonParser.parseString(r.json().toString()).isJsonObject());
            }
        }
    }

    /** LST's settings (papers.md, "Settings [code]"): batch 100, 500 warmup steps, 20 epochs for the small tasks, 10 for the others. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shipped")
    void glueAtPaperScaleUsesLstSettings(Path f) {
        ExperimentConfig c = ExperimentConfig.load(f);
        if (!"glue".equals(c.resolve(c.tasks("paper").get(0), 42, "paper", Map.of()).json().get("table").getAsString())) return;
        for (String t : c.tasks("paper")) {
            TrainConfig tc = c.resolve(t, 42, "paper", Map.of()).train();
            double epochs = List.of("rte", "mrpc", "stsb", "cola").contains(t) ? 20 : 10;
            assertEquals(epochs, tc.numTrainEpochs(), f + " " + t);
            assertEquals(100, tc.perDeviceTrainBatchSize(), f + " " + t);
            assertEquals(500, tc.warmupSteps(), f + " " + t);
        }
        assertEquals(3, c.seeds("paper").size(), f.toString());
    }
}
