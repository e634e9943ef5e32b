package dev.memtune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.memtune.backbone.Batch;
import dev.memtune.method.TunedModel;
import dev.memtune.method.lst.LstModel;
import dev.memtune.nn.NoGrad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The LST backbone cache against the uncached forward: logits from assembled cache entries equal
 * the backbone's own in other batch groupings (other padding lengths), and a cached training run
 * equals an uncached one with dropout off (losses to float rounding, same validation scores).
 */
class LadderCacheTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "disk"})
    void cachedLogitsEqualTheBackbonesInAnyGrouping(String mode) {
        List<Feature> split = TrainerTest.synthetic(12, 7);
        try (TunedModel m = TrainerTest.model("lst", 3); LadderCache c = new LadderCache((LstModel) m, split, mode);
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
                NDArray got = ((LstModel) m).logitsOn(c.ladderInputs(b, which), b.attentionMask());
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
        TrainConfig cached = plain.toBuilder().optBackboneCache("memory").build();
        TrainResult a, b;
        try (TunedModel m = TrainerTest.model("lst", 5)) { a = new Trainer(plain, m, TrainerTest.data()).train(); }
        try (TunedModel m = TrainerTest.model("lst", 5)) { b = new Trainer(cached, m, TrainerTest.data()).train(); }
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
    void cacheNeedsLstWithAPooledHeadAndAKnownMode() {
        TrainConfig c = TrainerTest.cfg().optMaxSteps(2).optBackboneCache("auto").build();
        try (TunedModel m = TrainerTest.model("lora", 5)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(c, m, TrainerTest.data()).train());
            assertTrue(e.getMessage().contains("backbone_cache") && e.getMessage().contains("lst"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainConfig.fromMap(java.util.Map.of("backbone_cache", "gpu"), "cfg.json"));
        assertTrue(e.getMessage().contains("backbone_cache") && e.getMessage().contains("cfg.json"), e.getMessage());
    }
}
