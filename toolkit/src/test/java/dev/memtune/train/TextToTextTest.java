package dev.memtune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.memtune.backbones.Backbones;
import dev.memtune.backbone.Batch;
import dev.memtune.backbone.LmLoss;
import dev.memtune.method.HeadSpec;
import dev.memtune.methods.Methods;
import dev.memtune.method.TunedModel;
import dev.memtune.nn.NoGrad;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * T5 text-to-text training (LST's setting) on tiny-t5 with the synthetic task of {@link TrainerTest}:
 * decoder inputs and labels, rank classification against per-class losses computed one example at
 * a time, and training that learns for the methods with an LM head on T5.
 */
class TextToTextTest {
    /** Class names as token ids, the last one the end token (T5's eos = 1); of different lengths. */
    static final long[][] TARGETS = {{11, 12, 1}, {13, 1}};

    static TrainData data() {
        TrainData d = TrainerTest.data();
        return new TrainData(d.name(), HeadSpec.lm(), d.train(), d.validation(), d.test(), 0, d.evaluator(), TARGETS);
    }

    static TunedModel model(String method, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        return Methods.create(method).attach(Backbones.create("tiny-t5", seed), HeadSpec.lm());
    }

    @Test
    void decoderInputsAreTheTargetsShiftedRight() {
        try (NDManager m = NDManager.newBaseManager()) {
            Batch enc = Batch.encoder(m.ones(new ai.djl.ndarray.types.Shape(2, 4), ai.djl.ndarray.types.DataType.INT64), null, null);
            Batch b = TextToText.withTargets(m, enc, TARGETS, 0);
            assertArrayEquals(new long[]{0, 11, 12, 0, 13, 0}, b.decoderInputIds().toLongArray());
            assertArrayEquals(new long[]{1, 1, 1, 1, 1, 0}, b.decoderAttentionMask().toLongArray());
            assertArrayEquals(new long[]{11, 12, 1, 13, 1, LmLoss.IGNORE_INDEX}, TextToText.labels(m, TARGETS).toLongArray());
        }
    }

    /** The prediction is the class whose name has the lowest summed loss, each example scored alone. */
    @Test
    void rankClassificationPicksTheLikeliestClassName() {
        TrainData d = data();
        List<Feature> split = d.validation().subList(0, 6);
        try (TunedModel m = model("full", 3)) {
            Trainer t = new Trainer(TrainerTest.cfg().optMaxSteps(3).build(), m, d);
            t.train();                                                  // a few steps, so the classes differ
            double[] pred = t.predict(split);
            try (NoGrad ng = NoGrad.enter(); NDManager mm = m.manager().newSubManager()) {
                for (int i = 0; i < split.size(); i++) {
                    double best = Double.NEGATIVE_INFINITY;
                    int arg = -1;
                    for (int c = 0; c < TARGETS.length; c++) {
                        Batch b = TextToText.withTargets(mm, Batches.collate(mm, split, new int[]{i}, 0), new long[][]{TARGETS[c]}, 0);
                        NDArray mean = LmLoss.crossEntropy(m.logits(b), TextToText.labels(mm, new long[][]{TARGETS[c]}));
                        double ll = -mean.getFloat() * TARGETS[c].length;           // mean over the name's tokens -> sum
                        if (ll > best) { best = ll; arg = c; }
                    }
                    assertEquals(arg, (int) pred[i], "example " + i);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"full", "lst", "symtune"})
    void learnsTheTaskByGeneratingLabelNames(String method) {
        TrainConfig c = TrainerTest.cfg().setLearningRate(switch (method) { case "full" -> 1e-3; case "lst" -> 1e-2; default -> 3e-2; }).optNumTrainEpochs(6).build();
        try (TunedModel m = model(method, 5)) {
            TrainResult r = new Trainer(c, m, data()).train();
            double first = r.losses().subList(0, 8).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
            double last = r.losses().subList(r.losses().size() - 8, r.losses().size()).stream().mapToDouble(Float::doubleValue).average().orElseThrow();
            assertTrue(r.bestValidationScore() > 0.6, method + ": validation accuracy " + r.bestValidationScore() + ", loss " + first + " -> " + last);
            // SymTune changes only what the frozen (here random) decoder reads, so its loss falls less in 6 epochs
            double fall = method.equals("symtune") ? 0.75 : 0.6;
            assertTrue(last < first * fall, method + ": loss did not fall: " + first + " -> " + last);
        }
    }

    @Test
    void textToTextNeedsTargetsAndAClassificationTask() {
        TrainData d = TrainerTest.data();
        assertThrows(IllegalArgumentException.class, () -> new TrainData("x", HeadSpec.lm(), d.train(), d.validation(), d.test(), 0, d.evaluator()));
        assertThrows(IllegalArgumentException.class, () -> new TrainData("x", HeadSpec.classification(2), d.train(), d.validation(), d.test(), 0, d.evaluator(), TARGETS));
    }
}
