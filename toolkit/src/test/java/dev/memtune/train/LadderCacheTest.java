package dev.memtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.memtune.backbone.Batch;
import dev.memtune.backbones.Backbones;
import dev.memtune.method.HeadSpec;
import dev.memtune.methods.Methods;
import dev.memtune.method.Split;
import dev.memtune.method.TunedModel;
import dev.memtune.method.lst.LadderCache;
import ai.djl.engine.Engine;
import dev.memtune.nn.NoGrad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The LST backbone cache (the LST option {@code backbone_cache}, opened by the trainer through
 * {@link TunedModel#cache}) against the uncached forward: logits from assembled cache entries equal
 * the backbone's own in other batch groupings (other padding lengths), and a cached training run
 * equals an uncached one with dropout off (losses to float rounding, same validation scores).
 */
class LadderCacheTest {
    static TunedModel lst(String cache, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        return Methods.create("lst:backbone_cache=" + cache).attach(Backbones.create("tiny-bert", seed), HeadSpec.classification(2));
    }

    static Split view(List<Feature> split) { return Trainer.view(split); }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "disk"})
    void cachedLogitsEqualTheBackbonesInAnyGrouping(String mode) {
        List<Feature> split = TrainerTest.synthetic(12, 7);
        try (TunedModel m = lst(mode, 3); LadderCache c = (LadderCache) m.cache(view(split));
             NoGrad ng = NoGrad.enter(); NDManager mm = m.manager().newSubManager(); NDScope s = new NDScope()) {
            m.train(false);
            // fill with one grouping (all at once), read back with others: padded to other lengths
            int[] all = new int[split.size()];
            for (int i = 0; i < all.length; i++) all[i] = i;
            c.ladderInputs(Batches.collate(mm, split, all, 0), all);
            assertEquals(1, c.misses());
            assertEquals(c.estimateBytes(), c.bytes());
            for (int[] which : List.of(new int[]{3}, new int[]{5, 0, 11}, new int[]{8, 9, 1, 2})) {
                Batch b = Batches.collate(mm, split, which, 0);
                NDArray want = m.logits(b);
                NDArray got = c.logits(b, which);
                float diff = want.sub(got).abs().max().getFloat();
                assertTrue(diff < 1e-5, mode + ": cached logits differ from the backbone's by " + diff);
            }
            assertEquals(3, c.hits());
            assertEquals(1, c.misses());
        }
    }

    @Test
    void cachedTrainingEqualsUncachedWithDropoutOff() {
        TrainConfig plain = TrainerTest.cfg().optNumTrainEpochs(3).optDropout(false).build();
        TrainResult a, b;
        try (TunedModel m = lst("off", 5)) { a = new Trainer(plain, m, TrainerTest.data()).train(); }
        try (TunedModel m = lst("memory", 5)) { b = new Trainer(plain, m, TrainerTest.data()).train(); }
        assertEquals(a.losses().size(), b.losses().size());
        for (int i = 0; i < a.losses().size(); i++)
            assertEquals(a.losses().get(i), b.losses().get(i), 1e-4 * Math.max(1, Math.abs(a.losses().get(i))), "loss at step " + (i + 1));
        for (int e = 0; e < a.history().size(); e++)
            assertEquals(a.history().get(e).validationScore(), b.history().get(e).validationScore(), "validation score of epoch " + (e + 1));
        assertEquals(a.test(), b.test());
        // the loss must have moved, or equality would prove nothing
        assertNotEquals(a.losses().get(0), a.losses().get(a.losses().size() - 1));
    }

    @Test
    void cacheIsAnLstOptionWithAKnownMode() {
        try (TunedModel m = TrainerTest.model("lora", 5)) {
            assertNull(m.cache(view(TrainerTest.synthetic(4, 1))), "a method without a cache opens none");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Methods.create("lst:backbone_cache=gpu"));
        assertTrue(e.getMessage().contains("backbone_cache") && e.getMessage().contains("gpu"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.fromMap(java.util.Map.of("backbone_cache", "auto"), "cfg.json"));
        assertTrue(e.getMessage().contains("cfg.json") && e.getMessage().contains("method_options.backbone_cache"), e.getMessage());
    }
}
