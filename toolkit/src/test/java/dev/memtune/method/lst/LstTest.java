package dev.memtune.method.lst;

import dev.memtune.backbone.Batch;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbones.Backbones;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.memtune.backbone.*;
import dev.memtune.backbone.bert.BertModel;
import dev.memtune.method.HeadSpec;
import dev.memtune.methods.Methods;
import dev.memtune.method.TunedModel;
import dev.memtune.nn.Param;
import dev.memtune.step.AdamW;
import dev.memtune.step.TrainStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.*;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** LST on BERT-family backbones: parameter formula, gates, layer dropping, frozen backbone, bad config. */
class LstTest {
    static Batch batch(NDManager nd) {
        NDArray ids = nd.create(new long[][]{{2, 5, 7, 3, 9, 4}, {2, 8, 6, 3, 0, 0}});
        NDArray mask = nd.create(new long[][]{{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}});
        return Batch.encoder(ids, mask, ids.zerosLike());
    }

    static TunedModel lst(String preset, Map<String, String> opts) {
        return Methods.create("lst", opts).attach(Backbones.create(preset, 3), HeadSpec.classification(2));
    }

    /** Trainable count from the paper's architecture: K side blocks of width d/r, K+1 ladders, up-projection, K gates. */
    static long formula(BackboneConfig c, int r, int kept) {
        long d = c.hiddenSize(), ds = d / r, ff = c.intermediateSize() / r;
        long block = 4 * (ds * ds + ds) + 2 * (2 * ds) + (ds * ff + ff) + (ff * ds + ds);
        long ladder = d * ds + ds;
        long up = ds * d + d;
        return kept * block + (kept + 1) * ladder + up + kept;
    }

    static Stream<Arguments> counts() {
        return Stream.of(Arguments.of("tiny-bert", 8), Arguments.of("minilm-l6", 8), Arguments.of("bert-base", 8), Arguments.of("bert-base", 4));
    }

    @ParameterizedTest(name = "{0} r={1}")
    @MethodSource("counts")
    void trainableCountMatchesArchitectureFormula(String preset, int r) {
        BackboneConfig c = Backbones.preset(preset);
        try (TunedModel m = lst(preset, Map.of("reduction_factor", "" + r))) {
            long own = m.methodParams().values().stream().mapToLong(Param::numel).sum();
            long base = m.backbone.numParams();
            assertEquals(formula(c, r, c.numLayers()), own);
            System.out.printf("LST %s r=%d: %,d trainable = %.3f%% of %,d%n", preset, r, own, 100.0 * own / base, base);
            assertTrue(m.methodParams().keySet().stream().allMatch(n -> n.startsWith("side.")));
        }
    }

    @Test
    void gatesStartAtOneHalf() {
        try (TunedModel m = lst("tiny-bert", Map.of())) {
            LadderStack side = ((LstModel) m).side.encoder;
            for (int k = 0; k < side.kept.size(); k++) assertEquals(0.5f, side.gate(k).getFloat(), 0f);
        }
    }

    @Test
    void layerDroppingRemovesLaddersAndBlocks() {
        BackboneConfig c = Backbones.preset("tiny-bert");
        try (TunedModel all = lst("tiny-bert", Map.of()); TunedModel one = lst("tiny-bert", Map.of("kept_layers", "1"))) {
            Set<String> names = one.methodParams().keySet();
            assertTrue(names.contains("side.encoder.layer.0.attention.self.query.weight"));
            assertTrue(names.contains("side.encoder.downsamples.0.weight"));
            assertFalse(names.stream().anyMatch(n -> n.startsWith("side.encoder.layer.1.") || n.startsWith("side.encoder.downsamples.1.")), names.toString());
            assertEquals(List.of(1), ((LstModel) one).side.encoder.kept);
            assertEquals(-1, ((LstModel) one).side.encoder.slot(0));
            long a = all.methodParams().values().stream().mapToLong(Param::numel).sum();
            long b = one.methodParams().values().stream().mapToLong(Param::numel).sum();
            assertEquals(formula(c, 8, 2) - formula(c, 8, 1), a - b);
        }
    }

    @Test
    void droppedLayerLeavesSideOutputIndependentOfItsLadderInput() {
        // with kept_layers=0 the output may not depend on backbone layer 1: perturb it and compare
        try (NDManager nd = NDManager.newBaseManager(); TunedModel m = lst("tiny-bert", Map.of("kept_layers", "0"))) {
            m.train(false);
            Batch in = batch(nd);
            float[] before = m.logits(in).toFloatArray();
            BertModel bert = (BertModel) m.backbone;
            Param w = bert.layer(1).intermediate.dense.weight;
            w.set(w.data().mul(3f));
            assertArrayEquals(before, m.logits(in).toFloatArray(), 0f);
            Param w0 = bert.layer(0).intermediate.dense.weight;
            w0.set(w0.data().mul(3f));
            assertFalse(Arrays.equals(before, m.logits(in).toFloatArray()), "kept layer 0 must feed the side network");
        }
    }

    @Test
    void cachedLadderInputsGiveTheSameFeatures() {
        try (NDManager nd = NDManager.newBaseManager(); TunedModel m = lst("tiny-bert", Map.of("kept_layers", "0"))) {
            m.train(false);
            LstModel l = (LstModel) m;
            Batch in = batch(nd);
            List<NDArray> cache = l.ladderInputs(in);
            assertEquals(2, cache.size());
            assertArrayEquals(m.features(in).toFloatArray(), l.sideFeatures(cache, in.attentionMask()).toFloatArray(), 0f);
        }
    }

    /** backbone_dropout=false: in training the side network drops out, the frozen backbone does not (its ladder inputs repeat). */
    @Test
    void backboneDropoutOffKeepsTheBackboneDeterministicInTraining() {
        try (NDManager nd = NDManager.newBaseManager();
             TunedModel on = lst("tiny-bert", Map.of()); TunedModel off = lst("tiny-bert", Map.of("backbone_dropout", "false"))) {
            Batch in = batch(nd);
            on.train(true);
            off.train(true);
            assertTrue(on.backbone.isTraining());
            assertFalse(off.backbone.isTraining());
            assertTrue(((LstModel) off).side.isTraining());
            float[] a = ((LstModel) off).ladderInputs(in).get(1).toFloatArray(), b = ((LstModel) off).ladderInputs(in).get(1).toFloatArray();
            assertArrayEquals(a, b, 0f);
            float[] c = ((LstModel) on).ladderInputs(in).get(1).toFloatArray(), d = ((LstModel) on).ladderInputs(in).get(1).toFloatArray();
            assertFalse(Arrays.equals(c, d), "with backbone dropout on, two training forwards must differ");
        }
    }

    @Test
    void methodSpecsCarryOptions() {
        assertFalse(((LstConfig) Methods.create("lst:backbone_dropout=false").config()).backboneDropout());
        assertEquals(16, ((LstConfig) Methods.create("lst:reduction_factor=16:backbone_dropout=true").config()).reductionFactor());
        assertEquals("lst", Methods.specName("lst:reduction_factor=16"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Methods.create("lst:16"));
        assertTrue(bad.getMessage().contains("lst:16"), bad.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Methods.create("lst:dropout_backbone=false"));
        assertTrue(unknown.getMessage().contains("dropout_backbone"), unknown.getMessage());
    }

    static void assertBackboneUntouchedByStep(TunedModel m, NDManager nd) {
        Map<String, float[]> before = new LinkedHashMap<>();
        m.backbone.namedParams().forEach((n, p) -> before.put(n, p.data().toFloatArray()));
        AdamW opt = new AdamW(m.namedParams().entrySet().stream().filter(e -> e.getValue().trainable())
                .collect(LinkedHashMap::new, (mp, e) -> mp.put(e.getKey(), e.getValue()), Map::putAll), 0.9, 0.999, 1e-8, 0.01);
        m.train(true);
        TrainStep.run(m, opt, batch(nd), nd.create(new long[]{1, 0}), 1e-2, 1.0);
        m.backbone.namedParams().forEach((n, p) -> {
            assertFalse(p.data().hasGradient(), "backbone parameter " + n + " records a gradient");
            assertArrayEquals(before.get(n), p.data().toFloatArray(), 0f, "backbone parameter " + n + " changed");
        });
        assertTrue(m.methodParams().values().stream().allMatch(p -> p.grad() != null));
        assertTrue(m.methodParams().values().stream().anyMatch(p -> p.grad().abs().sum().getFloat() > 0), "side network got no gradient");
    }

    @Test
    void noGradientReachesTheBackbone() {
        try (NDManager nd = NDManager.newBaseManager(); TunedModel m = lst("tiny-bert", Map.of())) {
            assertBackboneUntouchedByStep(m, nd);
        }
    }

    /** Even a backbone unfrozen by mistake gets no gradient: LST runs it in a no-grad region. */
    @Test
    void noGradientPathThroughTheBackboneEvenWhenItsParametersRequireOne() {
        try (NDManager nd = NDManager.newBaseManager(); TunedModel m = lst("tiny-bert", Map.of())) {
            m.backbone.namedParams().values().forEach(p -> p.setTrainable(true));
            m.zeroGrad();
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                gc.backward(m.loss(batch(nd), nd.create(new long[]{1, 0})));
            }
            m.backbone.namedParams().forEach((n, p) -> {
                NDArray g = p.grad();
                assertTrue(g == null || g.abs().sum().getFloat() == 0f, "backbone parameter " + n + " received a gradient");
            });
            assertTrue(m.methodParams().get("side.upsample.weight").grad().abs().sum().getFloat() > 0);
        }
    }

    @Test
    void fisherInitLeavesBackboneFrozenAndCopiesBackboneWeights() {
        try (NDManager nd = NDManager.newBaseManager()) {
            Lst method = (Lst) Methods.create("lst", Map.of("init", "fisher", "fisher_samples", "3"));
            method.withFisherData(() -> List.of(new LstInitializer.Sample(batch(nd), nd.create(new long[]{1, 0})),
                    new LstInitializer.Sample(batch(nd), nd.create(new long[]{0, 1}))));
            try (TunedModel m = method.attach(Backbones.create("tiny-bert", 5), HeadSpec.classification(2))) {
                BertModel bert = (BertModel) m.backbone;
                for (int k = 0; k < 2; k++) {
                    Set<Float> backbone = new HashSet<>();
                    for (float f : bert.layer(k).attention.self.query.weight.data().toFloatArray()) backbone.add(f);
                    float[] side = m.namedParams().get("side.encoder.layer." + k + ".attention.self.query.weight").data().toFloatArray();
                    for (float f : side) assertTrue(backbone.contains(f), "side query weight " + f + " is not a backbone query weight");
                }
                assertBackboneUntouchedByStep(m, nd);
            }
        }
    }

    @Test
    void fisherPruningKeepsTheMostImportantRowsOverKeptColumns() {
        // tiny-bert: d=32, d_ff=37, r=8 -> side width 4, side d_ff 4; layer 0 dropped, layer 1 kept
        try (NDManager nd = NDManager.newBaseManager(); Backbone b = Backbones.create("tiny-bert", 9)) {
            Map<String, NDArray> w = new LinkedHashMap<>(), imp = new LinkedHashMap<>();
            b.namedParams().forEach((n, p) -> { w.put(n, p.data()); imp.put(n, nd.zeros(p.data().getShape())); });
            int[] emb = {3, 10, 20, 31};
            for (int j : emb) imp.get("embeddings.word_embeddings.weight").set(new ai.djl.ndarray.index.NDIndex(":, " + j), 1f);
            // layer 0 (dropped): q/k/v rows {1,2,5,7} jointly; the rest chosen by hand
            rows(imp, "encoder.layer.0.attention.self.query.weight", 5f, 1);
            rows(imp, "encoder.layer.0.attention.self.key.weight", 5f, 2);
            rows(imp, "encoder.layer.0.attention.self.value.weight", 5f, 5, 7);
            rows(imp, "encoder.layer.0.attention.output.dense.weight", 1f, 0, 9, 17, 30);
            rows(imp, "encoder.layer.0.intermediate.dense.weight", 1f, 4, 8, 15, 36);
            rows(imp, "encoder.layer.0.output.dense.weight", 1f, 2, 3, 11, 29);
            // layer 1 (kept): row 6 of query is important only on a column layer 0 did not keep -> must lose
            rows(imp, "encoder.layer.1.attention.self.query.weight", 1f, 0, 12, 13, 31);
            imp.get("encoder.layer.1.attention.self.query.weight").set(new ai.djl.ndarray.index.NDIndex("6, 0"), 100f);
            rows(imp, "encoder.layer.1.attention.output.dense.weight", 1f, 1, 2, 3, 4);
            rows(imp, "encoder.layer.1.intermediate.dense.weight", 1f, 0, 18, 19, 33);
            rows(imp, "encoder.layer.1.output.dense.weight", 1f, 5, 6, 7, 8);
            Map<String, NDArray> side = LstInitializer.pruneBert(nd, w, imp, 2, List.of(1), 4, 4);
            long[] prev = {2, 3, 11, 29}, qkv = {0, 12, 13, 31}, ao = {1, 2, 3, 4}, ffn = {0, 18, 19, 33}, out = {5, 6, 7, 8};
            String p = "encoder.layer.1.";
            expect(side, "0.attention.self.query", w.get(p + "attention.self.query.weight"), w.get(p + "attention.self.query.bias"), qkv, prev, nd);
            expect(side, "0.attention.self.value", w.get(p + "attention.self.value.weight"), w.get(p + "attention.self.value.bias"), qkv, prev, nd);
            expect(side, "0.attention.output.dense", w.get(p + "attention.output.dense.weight"), w.get(p + "attention.output.dense.bias"), ao, qkv, nd);
            expect(side, "0.intermediate.dense", w.get(p + "intermediate.dense.weight"), w.get(p + "intermediate.dense.bias"), ffn, ao, nd);
            expect(side, "0.output.dense", w.get(p + "output.dense.weight"), w.get(p + "output.dense.bias"), out, ffn, nd);
            assertArrayEquals(w.get(p + "output.LayerNorm.weight").get(nd.create(out)).toFloatArray(), side.get("0.output.LayerNorm.weight").toFloatArray());
            assertFalse(side.keySet().stream().anyMatch(k -> k.startsWith("1.")), "only the kept layer is initialised");
        }
    }

    private static void rows(Map<String, NDArray> imp, String name, float v, int... rows) {
        for (int r : rows) imp.get(name).set(new ai.djl.ndarray.index.NDIndex(r + ", :"), v);
    }

    /** Expected pruned weight by DJL indexing: W[rows][:, cols] and b[rows]. */
    private static void expect(Map<String, NDArray> side, String name, NDArray w, NDArray b, long[] rows, long[] cols, NDManager nd) {
        NDArray want = w.get(nd.create(rows)).transpose().get(nd.create(cols)).transpose();
        assertEquals(new Shape(rows.length, cols.length), side.get(name + ".weight").getShape());
        assertArrayEquals(want.toFloatArray(), side.get(name + ".weight").toFloatArray(), 0f, name);
        assertArrayEquals(b.get(nd.create(rows)).toFloatArray(), side.get(name + ".bias").toFloatArray(), 0f, name + " bias");
    }

    /** Importance is a sum over rows taken one at a time (batch size 1), limited to fisher_samples rows. */
    @Test
    void fisherImportanceSumsPerRowSquaredGradients() {
        try (NDManager nd = NDManager.newBaseManager(); Backbone b = Backbones.create("tiny-bert", 12)) {
            BertModel bert = (BertModel) b;
            Batch two = batch(nd);
            NDArray labels = nd.create(new long[]{1, 0});
            Batch row0 = Batch.encoder(two.inputIds().get("0:1"), two.attentionMask().get("0:1"), two.tokenTypeIds().get("0:1"));
            Batch row1 = Batch.encoder(two.inputIds().get("1:2"), two.attentionMask().get("1:2"), two.tokenTypeIds().get("1:2"));
            HeadSpec spec = HeadSpec.classification(2);
            java.util.function.Function<List<LstInitializer.Sample>, Map<String, NDArray>> imp = s -> {
                ai.djl.engine.Engine.getInstance().setRandomSeed(77);          // the same fresh head every time
                return LstInitializer.fisherImportance(bert, spec, s, 10);
            };
            Map<String, NDArray> both = imp.apply(List.of(new LstInitializer.Sample(two, labels)));
            Map<String, NDArray> a = imp.apply(List.of(new LstInitializer.Sample(row0, labels.get("0:1"))));
            Map<String, NDArray> c = imp.apply(List.of(new LstInitializer.Sample(row1, labels.get("1:2"))));
            String n = "encoder.layer.1.attention.self.query.weight";
            assertTrue(a.get(n).sum().getFloat() > 0);
            for (String k : List.of(n, "encoder.layer.0.output.dense.weight", "embeddings.word_embeddings.weight")) {
                float[] want = a.get(k).add(c.get(k)).toFloatArray(), got = both.get(k).toFloatArray();
                float scale = a.get(k).add(c.get(k)).abs().max().getFloat();
                for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-4f * scale, k + "[" + i + "]");
            }
            ai.djl.engine.Engine.getInstance().setRandomSeed(77);
            Map<String, NDArray> first = LstInitializer.fisherImportance(bert, spec, List.of(new LstInitializer.Sample(two, labels)), 1);
            assertArrayEquals(a.get(n).toFloatArray(), first.get(n).toFloatArray(), 1e-6f * a.get(n).abs().max().getFloat());
            assertTrue(bert.namedParams().values().stream().noneMatch(p -> p.trainable() || p.data().hasGradient()), "flags restored");
        }
    }

    @Test
    void topKeepsLargestScoresInIndexOrder() {
        assertArrayEquals(new int[]{1, 3}, LstInitializer.top(new double[]{0.1, 5, 0.2, 7}, 2));
        assertArrayEquals(new int[]{0, 2}, LstInitializer.top(new double[]{1, 0, 1, 1}, 2));   // ties: lower index
    }

    @Test
    void defaultKeptLayersFollowTheReleasedSettings() {
        assertEquals(List.of(1, 2, 3, 5, 6, 7, 9, 10, 11), LstConfig.defaultKeptLayers("t5", 12));
        List<Integer> odd = new ArrayList<>();
        for (int i = 1; i < 24; i += 2) odd.add(i);
        assertEquals(odd, LstConfig.defaultKeptLayers("t5", 24));
        assertEquals(List.of(0, 1, 2, 3, 4, 5), LstConfig.defaultKeptLayers("bert", 6));
    }

    @Test
    void optionsRoundTripThroughTheRegistry() {
        Map<String, Object> m = Methods.create("lst", Map.of("reduction_factor", "4", "kept_layers", "1,0", "side_dropout", "0.0",
                "gate_temperature", "0.2")).config().toMap();
        assertEquals(4, m.get("reduction_factor"));
        assertEquals(List.of(0, 1), m.get("kept_layers"));
        assertEquals(0.0, m.get("side_dropout"));
        assertEquals(0.2, m.get("gate_temperature"));
        assertEquals("random", m.get("init"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"reduction_factor=0|reduction_factor", "reduction_factor=5|does not divide the hidden size 32",
            "reduction_factor=16|not divisible by the 4 attention heads", "kept_layers=0,2|kept_layers entry 2 is out of range",
            "kept_layers=-1|kept_layers must be >= 0", "kept_layers=1,1|duplicates", "init=magnitude|init must be one of",
            "gate_temperature=0|gate_temperature", "fisher_samples=0|fisher_samples", "side_dropout=1.5|side_dropout",
            "init=fisher|needs training samples", "ladders=3|unknown option 'ladders'"})
    void badConfigIsRejectedNamingTheKey(String row) {
        String[] kv = row.split("\\|")[0].split("=", 2);
        String msg = row.split("\\|")[1];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            try (TunedModel m = lst("tiny-bert", Map.of(kv[0], kv[1]))) { m.numParams(); }
        });
        assertTrue(e.getMessage().contains(msg), e.getMessage());
    }
}
