package dev.memtune.train;

import dev.memtune.backbones.Backbones;
import dev.memtune.method.HeadSpec;
import dev.memtune.methods.Methods;
import dev.memtune.method.TunedModel;
import dev.memtune.progress.Progress;
import dev.memtune.progress.ProgressListener;
import ai.djl.engine.Engine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The loop on tiny-bert with a synthetic task (label = whether token 7 occurs; lengths vary so
 * padding and bucketing matter): learning, determinism, resume after an interrupt, NaN stop.
 */
class TrainerTest {
    /** Synthetic sentences of length 4..20 over ids 4..98; about half contain token 7. */
    static List<Feature> synthetic(int n, long seed) {
        Random r = new Random(seed);
        List<Feature> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 4 + r.nextInt(17);
            long[] ids = new long[len], types = new long[len];
            ids[0] = 2;
            boolean pos = r.nextBoolean();
            for (int j = 1; j < len; j++) { ids[j] = 8 + r.nextInt(90); }
            if (pos) ids[1 + r.nextInt(len - 1)] = 7;
            out.add(Feature.of(ids, types, pos ? 1 : 0));
        }
        return out;
    }

    static TrainData data() {
        return new TrainData("synthetic", HeadSpec.classification(2), synthetic(64, 1), synthetic(24, 2), synthetic(24, 3), 0, SplitScorer.accuracy());
    }

    static TunedModel model(String method, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        return Methods.create(method).attach(Backbones.create("tiny-bert", seed), HeadSpec.classification(2));
    }

    static TrainConfig.Builder cfg() {
        return TrainConfig.builder().setLearningRate(3e-3).optNumTrainEpochs(3).optPerDeviceTrainBatchSize(8)
                .optWarmupRatio(0.1).optWeightDecay(0.01).optSeed(5).optLengthGroupMegaBatches(4);
    }

    @Test
    void learnsAndKeepsBestEpoch() {
        try (TunedModel m = model("full", 5)) {
            TrainResult r = new Trainer(cfg().optNumTrainEpochs(6).build(), m, data()).train();
            assertEquals(6 * 8, r.steps());
            assertEquals(r.steps(), r.losses().size());
            double first = r.losses().subList(0, 8).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
            double last = r.losses().subList(40, 48).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
            assertTrue(last < first * 0.8, "loss did not fall: " + first + " -> " + last);
            EpochResult best = r.history().stream().filter(EpochResult::best).reduce((a, b) -> b).orElseThrow();
            assertEquals(best.epoch(), r.bestEpoch());
            assertEquals(r.history().stream().mapToDouble(EpochResult::validationScore).max().orElseThrow(), r.bestValidationScore());
            assertEquals(best.test(), r.test());
            assertTrue(r.bestValidationScore() > 0.6, "validation accuracy " + r.bestValidationScore());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"full", "lora"})
    void sameSeedSameLosses(String method) {
        TrainConfig c = cfg().optMaxSteps(10).build();
        List<Float> a, b;
        try (TunedModel m = model(method, 5)) { a = new Trainer(c, m, data()).train().losses(); }
        try (TunedModel m = model(method, 5)) { b = new Trainer(c, m, data()).train().losses(); }
        assertEquals(a, b);
        List<Float> other;
        try (TunedModel m = model(method, 5)) { other = new Trainer(cfg().optMaxSteps(10).optSeed(6).build(), m, data()).train().losses(); }
        assertNotEquals(a, other, "a different seed should change data order and dropout");
    }

    @Test
    void otherThreadGivesTheSameLosses() throws Exception {
        // PyTorch's grad mode is per thread and on by default off the engine's thread (kernel cells run there)
        TrainConfig c = cfg().optMaxSteps(10).build();
        List<Float> here;
        try (TunedModel m = model("lora", 5)) { here = new Trainer(c, m, data()).train().losses(); }
        List<List<Float>> there = new ArrayList<>();
        Throwable[] err = new Throwable[1];
        Thread t = new Thread(() -> {
            try (TunedModel m = model("lora", 5)) { there.add(new Trainer(c, m, data()).train().losses()); }
            catch (Throwable e) { err[0] = e; }
        });
        t.start();
        t.join();
        if (err[0] != null) throw new AssertionError("training on another thread failed", err[0]);
        assertEquals(here, there.get(0));
    }

    @Test
    void resumedRunEndsWithTheSameNumbers(@TempDir Path dir) throws Exception {
        TrainConfig c = cfg().optSaveSteps(4).build();                 // 24 steps over 3 epochs
        TrainResult straight;
        Map<String, float[]> straightParams = new LinkedHashMap<>();
        try (TunedModel m = model("lora", 5)) {
            straight = new Trainer(c, m, data()).train();
            m.namedParams().forEach((n, p) -> straightParams.put(n, p.data().toFloatArray()));
        }
        trainUntilInterrupted(c, dir, 11);                             // killed mid-epoch 2 (steps 9..16)
        assertTrue(Files.isRegularFile(dir.resolve("checkpoint.safetensors")));
        long trainable, written = Files.size(dir.resolve("checkpoint.safetensors")) + Files.size(dir.resolve("best.safetensors"));
        try (TunedModel m = model("lora", 5)) { trainable = m.numTrainable(); }
        assertTrue(written >= Checkpoint.bytes(trainable) && written <= Checkpoint.bytes(trainable) + 16384,
                "the checkpoint's files take " + written + " bytes; predicted " + Checkpoint.bytes(trainable) + " for " + trainable + " parameters, headers aside");
        TrainResult resumed;
        try (TunedModel m = model("lora", 5)) {                        // same frozen backbone; trainable state must come from the checkpoint
            m.trainableParams().forEach(p -> p.set(p.data().zerosLike()));
            resumed = new Trainer(c, m, data()).optCheckpoint(dir, true).train();
            m.namedParams().forEach((n, p) -> {
                if (p.trainable()) assertArrayEquals(straightParams.get(n), p.data().toFloatArray(), n);
            });
        }
        assertEquals(straight.losses(), resumed.losses());
        assertEquals(withoutTimes(straight.history()), withoutTimes(resumed.history()));   // wall times differ, nothing else may
        assertEquals(straight.test(), resumed.test());
        assertEquals(straight.bestEpoch(), resumed.bestEpoch());
    }

    /** A checkpoint of other settings (a config edited after an interrupt) is kept aside and the run equals a fresh one. */
    @Test
    void checkpointOfOtherSettingsIsMovedAsideAndTheRunStartsAfresh(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("seed42");
        TrainConfig before = cfg().setLearningRate(1e-3).optSaveSteps(4).build(), after = cfg().optSaveSteps(4).build();
        trainUntilInterrupted(before, dir, 5);
        byte[] stale = Files.readAllBytes(dir.resolve("checkpoint.safetensors"));
        TrainResult fresh, resumed;
        try (TunedModel m = model("lora", 5)) {
            fresh = new Trainer(after, m, data()).train();                          // the reference: no checkpoint at all
        }
        List<String> messages = new ArrayList<>();
        ProgressListener log = e -> { if (e.message() != null) messages.add(e.message()); };
        Progress.addListener(log);
        try (TunedModel m = model("lora", 5)) {
            resumed = new Trainer(after, m, data()).optCheckpoint(dir, true).train();
        } finally {
            Progress.removeListener(log);
        }
        assertEquals(fresh.losses(), resumed.losses());
        assertEquals(withoutTimes(fresh.history()), withoutTimes(resumed.history()));
        List<Path> aside;
        try (var s = Files.list(tmp)) { aside = s.filter(p -> p.getFileName().toString().startsWith("seed42.stale-")).toList(); }
        assertEquals(1, aside.size(), "one folder moved aside: " + aside);
        assertArrayEquals(stale, Files.readAllBytes(aside.get(0).resolve("checkpoint.safetensors")), "the stale checkpoint is kept byte for byte");
        String msg = messages.stream().filter(x -> x.contains("other train settings")).findFirst().orElseThrow(() -> new AssertionError(messages.toString()));
        assertTrue(msg.contains("learning_rate") && msg.contains(aside.get(0).toString()), msg);
    }

    /** Trains LoRA with {@code c} and checkpoints in {@code dir} until the real interrupt path stops it at step {@code atStep}. */
    static void trainUntilInterrupted(TrainConfig c, Path dir, long atStep) {
        ProgressListener killer = e -> { if (e.step() >= atStep) Thread.currentThread().interrupt(); };
        Progress.addListener(killer);
        try (TunedModel m = model("lora", 5)) {
            assertThrows(Progress.InterruptedWork.class, () -> new Trainer(c, m, data()).optCheckpoint(dir, false).train());
        } finally {
            Progress.removeListener(killer);
            Thread.interrupted();
        }
    }

    static List<EpochResult> withoutTimes(List<EpochResult> h) {
        return h.stream().map(e -> new EpochResult(e.epoch(), e.step(), e.trainLoss(), e.learningRate(), e.validation(),
                e.validationScore(), e.best(), e.test(), 0)).toList();
    }

    @Test
    void nanLossStopsNamingTheStep() {
        try (TunedModel m = model("full", 5)) {
            TrainConfig c = cfg().setLearningRate(1e30).optMaxGradNorm(0).optMaxSteps(20).build();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Trainer(c, m, data()).train());
            assertTrue(e.getMessage().matches("(?s).*loss is (NaN|Infinity|-Infinity) at step \\d+.*"), e.getMessage());
        }
    }

    @Test
    void earlyStoppingStopsAfterPatience() {
        try (TunedModel m = model("full", 5)) {
            // lr 0 after warmup means no progress after epoch 1: patience 2 stops at epoch 3 of 6
            TrainResult r = new Trainer(cfg().setLearningRate(1e-12).optNumTrainEpochs(6).optEarlyStoppingPatience(2).optDropout(false).build(), m, data()).train();
            assertEquals("early_stopping", r.stopReason());
            assertTrue(r.history().size() < 6, "ran " + r.history().size() + " epochs");
        }
    }
}
