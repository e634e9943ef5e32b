package dev.memtune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.memtune.backbone.Batch;
import dev.memtune.backbones.Backbones;
import dev.memtune.data.Example;
import dev.memtune.data.Task;
import dev.memtune.method.Head;
import dev.memtune.method.HeadSpec;
import dev.memtune.method.TunedModel;
import dev.memtune.method.lst.LadderCache;
import dev.memtune.methods.Methods;
import dev.memtune.nn.NoGrad;
import dev.memtune.step.CustomBackward;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Multiple choice with questions of different sizes (ARC has 3-, 4- and 5-choice questions): a batch
 * pads each question to its most choices and masks the padding. The reference is each question
 * scored alone, unpadded: in a mixed batch its real choices get the same logits, the loss is the mean
 * of the questions' own losses and every gradient the mean of their own gradients, on every method
 * and tiny backbone (and through MEFT's reversible step and LST's backbone cache).
 */
class MixedChoicesTest {
    static final int[] CHOICES = {3, 5, 4, 2};
    static final int[] ANSWERS = {2, 4, 1, 0};

    /** Questions with {@link #CHOICES} choices, rows of different lengths. */
    static List<Feature> questions(long seed) {
        Random r = new Random(seed);
        List<Feature> out = new ArrayList<>();
        for (int q = 0; q < CHOICES.length; q++) {
            long[][] ids = new long[CHOICES[q]][], types = new long[CHOICES[q]][];
            for (int c = 0; c < ids.length; c++) {
                int len = 4 + r.nextInt(9);
                ids[c] = new long[len];
                types[c] = new long[len];
                ids[c][0] = 2;
                for (int j = 1; j < len; j++) ids[c][j] = 8 + r.nextInt(90);
            }
            out.add(new Feature(ids, types, ANSWERS[q]));
        }
        return out;
    }

    static int[] all(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    static Map<String, float[]> grads(TunedModel m) {
        Map<String, float[]> g = new LinkedHashMap<>();
        m.namedParams().forEach((n, p) -> { if (p.trainable() && p.grad() != null) g.put(n, p.grad().toFloatArray()); });
        return g;
    }

    /** Loss and gradients of one batch: the model's loss with a gradient collector, or its own backward (MEFT). */
    static float lossAndGrads(TunedModel m, Batch b, NDArray labels, boolean custom) {
        m.zeroGrad();
        if (custom) return ((CustomBackward) m).forwardBackward(b, labels);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray l = m.loss(b, labels);
            float v = l.getFloat();
            gc.backward(l);
            return v;
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("dev.memtune.method.MethodContractTest#cases")
    void aMixedBatchScoresEachQuestionAsAlone(String method, String backbone) {
        List<Feature> qs = questions(5);
        try (NDManager nd = NDManager.newBaseManager();
             TunedModel m = Methods.create(method).attach(Backbones.create(backbone, 9), HeadSpec.multipleChoice(4))) {
            m.train(false);                                            // dropout off: a question's score does not depend on its batch
            boolean custom = m instanceof CustomBackward;
            int[] every = all(qs.size());
            Batch joint = Batches.collate(nd, qs, every, 0);
            assertEquals(List.of((long) qs.size(), 5L), List.of(joint.choiceMask().getShape().get(0), joint.choiceMask().getShape().get(1)));
            float[] logits;
            try (NoGrad ng = NoGrad.enter()) { logits = m.logits(joint).toFloatArray(); }
            float loss = lossAndGrads(m, joint, Batches.labels(nd, qs, every, m.spec), custom);
            Map<String, float[]> g = grads(m);

            double lossSum = 0;
            Map<String, double[]> gSum = new LinkedHashMap<>();
            for (int q = 0; q < qs.size(); q++) {
                int[] one = {q};
                Batch alone = Batches.collate(nd, qs, one, 0);
                float[] own;
                try (NoGrad ng = NoGrad.enter()) { own = m.logits(alone).toFloatArray(); }
                assertEquals(CHOICES[q], own.length, "a question alone has its own choices only");
                for (int c = 0; c < 5; c++) {
                    float got = logits[q * 5 + c];
                    if (c < CHOICES[q]) assertEquals(own[c], got, 1e-4 * Math.max(1, Math.abs(own[c])), method + ": question " + q + " choice " + c);
                    else assertEquals(Head.PADDING_LOGIT, got, "question " + q + " padding choice " + c);
                }
                lossSum += lossAndGrads(m, alone, Batches.labels(nd, qs, one, m.spec), custom);
                grads(m).forEach((n, v) -> {
                    double[] s = gSum.computeIfAbsent(n, k -> new double[v.length]);
                    for (int i = 0; i < v.length; i++) s[i] += v[i];
                });
            }
            assertEquals(lossSum / qs.size(), loss, 1e-4 * Math.max(1, Math.abs(loss)), method + ": loss of the mixed batch");
            assertEquals(gSum.keySet(), g.keySet());
            for (String n : g.keySet()) {
                float[] a = g.get(n);
                double[] s = gSum.get(n);
                double scale = 0, diff = 0;
                for (int i = 0; i < a.length; i++) { scale = Math.max(scale, Math.abs(s[i] / qs.size())); diff = Math.max(diff, Math.abs(a[i] - s[i] / qs.size())); }
                assertTrue(diff <= 1e-4 * Math.max(scale, 1e-3), method + ": gradient of " + n + " differs by " + diff + " (largest " + scale + ")");
            }
        }
    }

    @Test
    void questionsOfOneSizeGetNoPaddingAndTheUsualShape() {
        List<Feature> qs = questions(3);
        try (NDManager nd = NDManager.newBaseManager();
             TunedModel m = Methods.create("lora").attach(Backbones.create("tiny-bert", 4), HeadSpec.multipleChoice(4));
             NoGrad ng = NoGrad.enter()) {
            m.train(false);
            int[] fours = {2};                                          // the 4-choice question
            Batch b = Batches.collate(nd, qs, fours, 0);
            assertEquals(4, b.batchSize(), "no padding rows");
            assertArrayEquals(new long[]{1, 1, 1, 1}, b.choiceMask().toLongArray());
            NDArray withMask = m.logits(b);
            NDArray without = m.logits(new Batch(b.inputIds(), b.attentionMask(), b.tokenTypeIds(), null, null));
            assertArrayEquals(without.toFloatArray(), withMask.toFloatArray(), "an all-ones mask changes nothing, bit for bit");
            assertEquals(List.of(1L, 4L), List.of(withMask.getShape().get(0), withMask.getShape().get(1)));
        }
    }

    @Test
    void predictionsNeverPickAPaddingChoice() {
        List<Feature> qs = questions(8);
        try (NDManager nd = NDManager.newBaseManager();
             TunedModel m = Methods.create("full").attach(Backbones.create("tiny-bert", 2), HeadSpec.multipleChoice(4))) {
            // a head whose bias makes every real choice score far below 0: padding at PADDING_LOGIT still loses
            m.head().out_proj.bias.data().subi(1e6f);
            TrainData data = new TrainData("mixed", HeadSpec.multipleChoice(4), qs, qs, qs, 0, (p, gold) -> new SplitScorer.Evaluation(Map.of(), 0), null);
            double[] pred = new Trainer(TrainerTest.cfg().build(), m, data).predict(qs);
            for (int q = 0; q < qs.size(); q++) assertTrue(pred[q] >= 0 && pred[q] < CHOICES[q], "question " + q + " predicted choice " + pred[q] + " of " + CHOICES[q]);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"memory", "disk"})
    void lstsBackboneCacheReadsMixedBatches(String mode) {
        List<Feature> qs = questions(6);
        Engine.getInstance().setRandomSeed(3);
        try (TunedModel m = Methods.create("lst:backbone_cache=" + mode).attach(Backbones.create("tiny-bert", 3), HeadSpec.multipleChoice(4));
             LadderCache c = (LadderCache) m.cache(Trainer.view(qs));
             NoGrad ng = NoGrad.enter(); NDManager mm = m.manager().newSubManager(); NDScope s = new NDScope()) {
            m.train(false);
            int[] every = all(qs.size());
            c.ladderInputs(Batches.collate(mm, qs, every, 0), every);               // fill from a batch padded to 5 choices
            assertEquals(c.estimateBytes(), c.bytes(), "only real choices are cached");
            for (int[] which : List.of(new int[]{0, 3}, new int[]{2, 1}, new int[]{3, 2, 0})) {
                Batch b = Batches.collate(mm, qs, which, 0);
                float[] want = m.logits(b).toFloatArray(), got = c.logits(b, which).toFloatArray();
                for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5 * Math.max(1, Math.abs(want[i])), mode + ": logit " + i);
            }
        }
    }

    @Test
    void featurizerKeepsEveryQuestionAndRejectsOneChoice() {
        Task t = dev.memtune.data.Tasks.get("arc-challenge");
        var tok = new dev.memtune.tokenize.WordPieceTokenizer(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "which", "?", "a", "b", "c", "d", "e"), true);
        List<Example> ex = List.of(Example.choice("q3", "Which?", null, List.of("a", "b", "c"), 2),
                Example.choice("q5", "Which?", null, List.of("a", "b", "c", "d", "e"), 4));
        List<Feature> f = Featurizer.features(tok, t, ex, 32);
        assertEquals(List.of(3, 5), List.of(f.get(0).rows(), f.get(1).rows()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Featurizer.features(tok, t, List.of(Example.choice("q1", "Which?", null, List.of("a"), 0)), 32));
        assertTrue(e.getMessage().contains("q1") && e.getMessage().contains("at least 2"), e.getMessage());
    }
}
