package dev.memtune.train;

import ai.djl.ndarray.NDManager;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbones.Backbones;
import dev.memtune.data.Protocol;
import dev.memtune.data.TaskData;
import dev.memtune.data.TorchRandperm;
import dev.memtune.method.lst.Lst;
import dev.memtune.data.Tasks;
import dev.memtune.hub.ModelHub;
import dev.memtune.tokenize.Tokenizer;
import dev.memtune.weights.HostTensor;
import dev.memtune.weights.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * End to end on real RTE data with a tiny random BERT that uses MiniLM's vocabulary (an HF folder
 * written by the test): the result JSON, its reuse, --force and changed settings.
 */
class ExperimentsTest {
    static Path tinyFolder(Path dir) throws IOException {
        Path folder = dir.resolve("tiny-bert-wordpiece");
        Files.createDirectories(folder);
        BackboneConfig c = Backbones.preset("tiny-bert").with(Map.of("vocab_size", 30522, "max_position_embeddings", 128));
        try (Backbone b = Backbones.create(c, 3)) {
            Map<String, HostTensor> t = new LinkedHashMap<>();
            b.namedParams().forEach((n, p) -> t.put(n, new HostTensor(p.data().getShape().getShape(), p.data().toFloatArray())));
            SafeTensors.write(folder.resolve("model.safetensors"), t, Map.of());
        }
        Files.writeString(folder.resolve("config.json"), c.toJson());
        Files.copy(ModelHub.cacheDir().resolve("minilm-l6/tokenizer.json"), folder.resolve("tokenizer.json"));
        return folder;
    }

    static void assumeRteAndTokenizer() {
        assumeTrue(ModelHub.isCached("minilm-l6"), "needs the minilm-l6 tokenizer: run reproduce/memtune fetch-model minilm-l6");
        assumeTrue(Tasks.get("rte").missing(Tasks.dataDir()).isEmpty(), "needs RTE: set MEMTUNE_DATA to a folder with rte/ (see data/README)");
    }

    @Test
    void runsWritesReusesAndRetrains(@TempDir Path dir) throws IOException {
        assumeRteAndTokenizer();
        Path folder = tinyFolder(dir);
        Path cfg = ExperimentConfigTest.write(dir, "configs/t/tiny-lora.json", """
                {"backbone": "%s", "method": "lora", "tasks": ["rte"], "protocol": "lst",
                 "train": {"learning_rate": 1e-3, "num_train_epochs": 2, "max_train_samples": 48, "max_eval_samples": 40,
                           "max_seq_length": 48, "per_device_train_batch_size": 16}}""".formatted(folder.toString().replace("\\", "/")));
        Experiments.RunOptions o = Experiments.RunOptions.defaults().withOut(dir.resolve("out"));
        ExperimentResult r = Experiments.run(cfg, "rte", 42, "cpu", o);
        assertEquals(dir.resolve("out/results/t/tiny-lora/rte/seed42.json"), r.file());
        assertTrue(Files.isRegularFile(r.file()));
        assertFalse(Files.exists(dir.resolve("out/checkpoints/t/tiny-lora/rte/seed42/checkpoint.safetensors")), "checkpoint removed after the result");
        assertEquals(6, r.json().get("steps").getAsInt());                  // 48 examples / 16 x 2 epochs
        assertEquals(2, r.json().getAsJsonArray("epochs").size());
        TaskData d = Tasks.get("rte").load(Protocol.LST, 42);
        assertEquals(138, d.validation().size());                            // LST halves of the 277 dev rows
        assertEquals(40, r.json().getAsJsonObject("data").get("validation").getAsInt());
        double acc = r.test("accuracy");
        assertTrue(acc >= 0 && acc <= 1);
        assertEquals(r.testScore(), acc);                                     // RTE's task score is accuracy
        assertTrue(r.trainableParams() > 0 && r.trainableParams() < r.json().get("total_params").getAsLong());
        assertTrue(r.peakRssBytes() > 0);
        assertTrue(r.json().get("first_token_last_layer").getAsBoolean(), "the result records how the last layer ran");

        String finished = r.json().get("finished_at").getAsString();
        assertEquals(finished, Experiments.run(cfg, "rte", 42, "cpu", o).json().get("finished_at").getAsString(), "same settings: reused");
        assertNotEquals(finished, Experiments.run(cfg, "rte", 42, "cpu", o.withForce(true)).json().get("finished_at").getAsString(), "--force retrains");
        ExperimentResult changed = Experiments.run(cfg, "rte", 42, "cpu", o.withSets(Map.of("train.num_train_epochs", "1")));
        assertEquals(3, changed.json().get("steps").getAsInt(), "changed settings retrain");

        // a result of the earlier split procedure (no data.split) holds other examples: retrained, not reused
        assertEquals(Protocol.SPLIT, changed.json().getAsJsonObject("data").get("split").getAsString());
        var stale = changed.json().deepCopy();
        stale.getAsJsonObject("data").remove("split");
        Files.writeString(changed.file(), stale.toString());
        ExperimentResult redone = Experiments.run(cfg, "rte", 42, "cpu", o.withSets(Map.of("train.num_train_epochs", "1")));
        assertNotEquals(changed.json().get("finished_at").getAsString(), redone.json().get("finished_at").getAsString(), "other split: retrained");
        changed = redone;

        tech.tablesaw.api.Table t = Results.table(dir.resolve("out/results"));
        assertEquals(1, t.rowCount());
        assertEquals("lora", t.stringColumn("method").get(0));
        assertEquals(changed.testScore(), t.doubleColumn("test").get(0));
    }

    /** LST with init=fisher runs from a config: the experiment hands it n training examples in torch.randperm order. */
    @Test
    void lstFisherInitGetsTrainingSamples(@TempDir Path dir) throws IOException {
        assumeRteAndTokenizer();
        Path folder = tinyFolder(dir);
        Path cfg = ExperimentConfigTest.write(dir, "configs/t/tiny-lst-fisher.json", """
                {"backbone": "%s", "method": "lst", "tasks": ["rte"], "protocol": "lst",
                 "method_options": {"init": "fisher", "fisher_samples": 6, "reduction_factor": 4},
                 "train": {"learning_rate": 3e-3, "num_train_epochs": 1, "max_train_samples": 32, "max_eval_samples": 16,
                           "max_seq_length": 40, "per_device_train_batch_size": 16}}""".formatted(folder.toString().replace("\\", "/")));
        ExperimentResult r = Experiments.run(cfg, "rte", 42, "cpu", Experiments.RunOptions.defaults().withOut(dir.resolve("out")));
        assertEquals("fisher", r.json().getAsJsonObject("config").getAsJsonObject("method_options").get("init").getAsString());
        assertEquals(2, r.json().get("steps").getAsInt());

        try (Tokenizer tok = Backbones.tokenizer(folder.toString()); NDManager m = NDManager.newBaseManager()) {
            TaskData d = Tasks.get("rte").load(Protocol.LST, 42);
            TrainData td = Featurizer.trainData(tok, d, 40, false);
            List<Feature> used = td.train().subList(0, 32);                     // max_train_samples 32: only those are read
            var samples = Lst.fisherSamples(Experiments.examples(td, used), m, 6, 43);
            assertEquals(6, samples.size());
            int[] perm = TorchRandperm.permutation(32, 43);
            for (int j = 0; j < 6; j++) {
                assertArrayEquals(new long[]{(long) used.get(perm[j]).label()}, samples.get(j).labels().toLongArray(), "label of sample " + j);
                assertArrayEquals(used.get(perm[j]).inputIds()[0], samples.get(j).batch().inputIds().toLongArray(), "tokens of sample " + j);
            }
            assertEquals(32, Lst.fisherSamples(Experiments.examples(td, used), m, 1024, 43).size(), "never more than the run trains on");
        }
    }

    @Test
    void cliReportsBadConfigAsUserError(@TempDir Path dir) throws IOException {
        Path cfg = ExperimentConfigTest.write(dir, "configs/t/bad.json", "{\"backbone\": \"tiny-bert\", \"method\": \"lora\", \"tasks\": [\"rte\"], \"epochs\": 3}");
        var err = new java.io.ByteArrayOutputStream();
        var old = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        int rc;
        try { rc = dev.memtune.cli.Dispatch.run(java.util.Map.of("train", TrainCommand::new), new String[]{"train", "--config", cfg.toString(), "--out", dir.resolve("out").toString()}); }
        finally { System.setErr(old); }
        assertEquals(2, rc);
        assertTrue(err.toString().contains("bad.json") && err.toString().contains("'epochs'"), err.toString());
        assertEquals(2, dev.memtune.cli.Dispatch.run(java.util.Map.of("train", TrainCommand::new), new String[]{"train", "--config", cfg.toString(), "--bogus", "1"}));
    }
}
