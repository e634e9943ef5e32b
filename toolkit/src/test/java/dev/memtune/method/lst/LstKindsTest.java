package dev.memtune.method.lst;

import dev.memtune.backbone.Batch;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbones.Backbones;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.memtune.backbone.*;
import dev.memtune.backbone.t5.T5Model;
import dev.memtune.method.HeadSpec;
import dev.memtune.methods.Methods;
import dev.memtune.method.SgdSteps;
import dev.memtune.method.TunedModel;
import dev.memtune.nn.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/** LST beyond BERT: the layer-at-a-time trunks, T5 text-to-text (the paper's 1.74%), OPT causality. */
class LstKindsTest {
    static Batch batch(NDManager nd, boolean decoder) {
        NDArray ids = nd.create(new long[][]{{2, 5, 7, 3, 9, 4}, {2, 8, 6, 3, 0, 0}});
        NDArray mask = nd.create(new long[][]{{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}});
        if (!decoder) return Batch.encoder(ids, mask, null);
        return new Batch(ids, mask, null, nd.create(new long[][]{{0, 4, 5}, {0, 6, 7}}), nd.ones(new Shape(2, 3), DataType.INT64));
    }

    static float maxDiff(NDArray a, NDArray b) { return a.sub(b).abs().max().getFloat(); }

    /** The trunk, run layer by layer, reproduces each backbone's own forward (independently written). */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-bert", "tiny-t5", "tiny-opt"})
    void trunkReproducesTheBackboneForward(String preset) {
        try (NDManager nd = NDManager.newBaseManager(); Backbone b = Backbones.create(preset, 21)) {
            b.train(false);
            Batch in = batch(nd, false);
            NDArray want = b.forward(in, Capture.NONE).lastHiddenState();
            try (Trunk t = Trunk.of(b, in)) {
                NDArray h = t.embed();
                for (int i = 0; i < t.numLayers(); i++) h = t.layer(i, h, false).hidden();
                assertTrue(maxDiff(want, t.finish(h)) < 1e-5, preset + " trunk differs from the backbone");
            }
            if (b instanceof T5Model t5) {                                     // and the decoder stack
                Batch dec = batch(nd, true);
                NDArray wantDec = b.forward(dec, Capture.NONE).lastHiddenState();
                NDArray enc = t5.encode(dec.inputIds(), dec.attentionMask(), Capture.NONE).lastHiddenState();
                try (Trunk t = Trunk.t5Decoder(t5, dec, enc)) {
                    NDArray h = t.embed();
                    for (int i = 0; i < t.numLayers(); i++) h = t.layer(i, h, false).hidden();
                    assertTrue(maxDiff(wantDec, t.finish(h)) < 1e-5, "T5 decoder trunk differs from the backbone");
                }
            }
        }
    }

    /** Paper, Table 1: LST on T5-base (r = 8, layers 0, 4, 8 dropped) updates 1.74% of the parameters. */
    @Test
    void t5BaseTextToTextShareMatchesThePaper() {
        try (TunedModel m = Methods.create("lst").attach(Backbones.create("t5-base", 0), HeadSpec.lm())) {
            long own = m.methodParams().values().stream().mapToLong(Param::numel).sum();
            double share = 100.0 * own / m.backbone.numParams();
            System.out.printf("LST t5-base text-to-text: %,d trainable = %.3f%% of %,d (paper 1.74%%)%n", own, share, m.backbone.numParams());
            assertEquals(1.74, share, 0.2);
            assertEquals(List.of(1, 2, 3, 5, 6, 7, 9, 10, 11), ((LstModel) m).side.encoder.kept);
            assertEquals(List.of(1, 2, 3, 5, 6, 7, 9, 10, 11), ((LstModel) m).side.decoder.kept);
            assertTrue(m.methodParams().containsKey("side.decoder.block.0.layer.1.EncDecAttention.q.weight"));
            assertTrue(m.methodParams().containsKey("side.encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"));
            assertEquals(new Shape(96, 96), m.methodParams().get("side.encoder.block.0.layer.0.SelfAttention.q.weight").data().getShape());
        }
    }

    /** Text-to-text on T5 and causal LM on OPT: the backbone (LM head included) gets no gradient, the loss falls. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-t5", "tiny-opt"})
    void lmPathTrainsOnlyTheSide(String preset) {
        try (NDManager nd = NDManager.newBaseManager();
             TunedModel m = Methods.create("lst").attach(Backbones.create(preset, 8), HeadSpec.lm())) {
            m.train(false);
            boolean t5 = preset.equals("tiny-t5");
            Batch in = batch(nd, t5);
            NDArray labels = t5 ? nd.create(new long[][]{{4, 5, 1}, {6, 7, 1}}) : in.inputIds();
            Map<String, float[]> before = new LinkedHashMap<>();
            m.backbone.namedParams().forEach((n, p) -> before.put(n, p.data().toFloatArray()));
            float[] loss = SgdSteps.run(m, in, labels, 8, 0.05f);
            float first = loss[0], last = loss[1];
            for (Param p : m.trainableParams()) assertNotNull(p.grad(), "a trainable side parameter got no gradient");
            assertTrue(last < first, "loss did not fall: " + first + " -> " + last);
            m.backbone.namedParams().forEach((n, p) -> {
                assertFalse(p.data().hasGradient(), n + " records a gradient");
                assertArrayEquals(before.get(n), p.data().toFloatArray(), 0f, n + " changed");
            });
        }
    }

    /** On the OPT decoder the side network is causal: a later token cannot change earlier positions. */
    @Test
    void optSideIsCausal() {
        try (NDManager nd = NDManager.newBaseManager(); TunedModel m = Methods.create("lst").attach(Backbones.create("tiny-opt", 3), HeadSpec.lm())) {
            m.train(false);
            NDArray mask = nd.ones(new Shape(1, 5), DataType.INT64);
            NDArray a = m.lmHidden(Batch.encoder(nd.create(new long[][]{{2, 5, 7, 3, 9}}), mask, null));
            NDArray b = m.lmHidden(Batch.encoder(nd.create(new long[][]{{2, 5, 7, 3, 11}}), mask, null));
            assertTrue(maxDiff(a.get(":, 0:4, :"), b.get(":, 0:4, :")) < 1e-6, "earlier positions saw a later token");
            assertTrue(maxDiff(a.get(":, 4, :"), b.get(":, 4, :")) > 1e-6);
        }
    }

    /** T5 text-to-text with Fisher init: every side matrix is a sub-matrix of the backbone's; the backbone stays untouched. */
    @Test
    void t5FisherInitCopiesBackboneWeightsIntoBothSideStacks() {
        try (NDManager nd = NDManager.newBaseManager()) {
            Batch in = batch(nd, true);
            NDArray labels = nd.create(new long[][]{{4, 5, 1}, {6, 7, 1}});
            Lst method = (Lst) Methods.create("lst", Map.of("init", "fisher", "fisher_samples", "2"));
            method.withFisherData(() -> List.of(new LstInitializer.Sample(in, labels)));
            try (TunedModel m = method.attach(Backbones.create("tiny-t5", 4), HeadSpec.lm())) {
                assertSideValuesAreBackboneValues(m, List.of("encoder.block.%d.layer.0.SelfAttention.q.weight",
                        "decoder.block.%d.layer.1.EncDecAttention.k.weight", "decoder.block.%d.layer.2.DenseReluDense.wo.weight"));
                Map<String, Param> all = m.namedParams();
                String bias = "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight";
                assertArrayEquals(all.get("backbone." + bias).data().toFloatArray(), all.get("side." + bias).data().toFloatArray());
                assertBackboneUntouchedByAStep(m, in, labels);
            }
        }
    }

    /** The T5 pruning walk on a hand-built importance (tiny-t5: d 32, inner 32, d_ff 37, r 8 -> 4, 4, 4). */
    @Test
    void t5PruningKeepsTheMostImportantRowsOverKeptColumns() {
        try (NDManager nd = NDManager.newBaseManager(); Backbone b = Backbones.create("tiny-t5", 9)) {
            Map<String, NDArray> w = new LinkedHashMap<>(), imp = new LinkedHashMap<>();
            b.namedParams().forEach((n, p) -> { w.put(n, p.data()); imp.put(n, nd.zeros(p.data().getShape())); });
            for (int j : new int[]{1, 6, 9, 30}) imp.get("shared.weight").set(new NDIndex(":, " + j), 1f);
            String e0 = "encoder.block.0.layer.", e1 = "encoder.block.1.layer.", d0 = "decoder.block.0.layer.";
            rows(imp, e0 + "0.SelfAttention.q.weight", 2); rows(imp, e0 + "0.SelfAttention.k.weight", 4); rows(imp, e0 + "0.SelfAttention.v.weight", 8, 11);
            rows(imp, e0 + "0.SelfAttention.o.weight", 0, 5, 10, 15);
            rows(imp, e0 + "1.DenseReluDense.wi.weight", 3, 7, 20, 36);
            rows(imp, e0 + "1.DenseReluDense.wo.weight", 12, 13, 14, 16);
            rows(imp, e1 + "0.SelfAttention.q.weight", 1, 17, 18, 19);
            imp.get(e1 + "0.SelfAttention.k.weight").set(new NDIndex("25, 0"), 100f);   // important only on a dropped column
            rows(imp, e1 + "0.SelfAttention.o.weight", 20, 21, 22, 23);
            rows(imp, e1 + "1.DenseReluDense.wi.weight", 0, 1, 2, 3);
            rows(imp, e1 + "1.DenseReluDense.wo.weight", 24, 25, 26, 27);
            rows(imp, d0 + "0.SelfAttention.q.weight", 5, 6, 7, 8);
            rows(imp, d0 + "0.SelfAttention.o.weight", 9, 10, 11, 12);
            rows(imp, d0 + "1.EncDecAttention.k.weight", 28, 29, 30, 31);
            Map<String, NDArray> side = LstInitializer.pruneT5(nd, w, imp, 2, 2, List.of(1), List.of(0), 4, 4, 4);
            long[] enc1In = {12, 13, 14, 16}, qkv = {1, 17, 18, 19}, o = {20, 21, 22, 23}, wi = {0, 1, 2, 3}, encOut = {24, 25, 26, 27};
            expect(side, "encoder.block.0.layer.0.SelfAttention.q.weight", w.get(e1 + "0.SelfAttention.q.weight"), qkv, enc1In, nd);
            expect(side, "encoder.block.0.layer.0.SelfAttention.o.weight", w.get(e1 + "0.SelfAttention.o.weight"), o, qkv, nd);
            expect(side, "encoder.block.0.layer.1.DenseReluDense.wi.weight", w.get(e1 + "1.DenseReluDense.wi.weight"), wi, o, nd);
            expect(side, "encoder.block.0.layer.1.DenseReluDense.wo.weight", w.get(e1 + "1.DenseReluDense.wo.weight"), encOut, wi, nd);
            assertArrayEquals(w.get(e1 + "0.layer_norm.weight").get(nd.create(enc1In)).toFloatArray(), side.get("encoder.block.0.layer.0.layer_norm.weight").toFloatArray());
            assertArrayEquals(w.get("encoder.final_layer_norm.weight").get(nd.create(encOut)).toFloatArray(), side.get("encoder.final_layer_norm.weight").toFloatArray());
            long[] dq = {5, 6, 7, 8}, dIn = {1, 6, 9, 30}, dO = {9, 10, 11, 12}, cross = {28, 29, 30, 31};
            expect(side, "decoder.block.0.layer.0.SelfAttention.q.weight", w.get(d0 + "0.SelfAttention.q.weight"), dq, dIn, nd);
            expect(side, "decoder.block.0.layer.1.EncDecAttention.q.weight", w.get(d0 + "1.EncDecAttention.q.weight"), cross, dO, nd);
            expect(side, "decoder.block.0.layer.1.EncDecAttention.k.weight", w.get(d0 + "1.EncDecAttention.k.weight"), cross, encOut, nd);
            assertFalse(side.containsKey("encoder.block.1.layer.0.SelfAttention.q.weight"), "only kept layers are initialised");
        }
    }

    /** OPT with Fisher init, pooled and LM heads: every side matrix is a sub-matrix of the backbone's; the backbone stays untouched. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void optFisherInitCopiesBackboneWeightsIntoTheSideDecoder(boolean lm) {
        try (NDManager nd = NDManager.newBaseManager()) {
            Batch in = batch(nd, false);
            NDArray labels = lm ? nd.create(new long[][]{{2, 5, 7, 3, 9, 4}, {2, 8, 6, 3, -100, -100}}) : nd.create(new long[]{1, 0});
            Lst method = (Lst) Methods.create("lst", Map.of("init", "fisher", "fisher_samples", "2"));
            method.withFisherData(() -> List.of(new LstInitializer.Sample(in, labels)));
            try (TunedModel m = method.attach(Backbones.create("tiny-opt", 4), lm ? HeadSpec.lm() : HeadSpec.classification(2))) {
                assertSideValuesAreBackboneValues(m, List.of("decoder.layers.%d.self_attn.q_proj.weight", "decoder.layers.%d.self_attn.out_proj.bias",
                        "decoder.layers.%d.fc2.weight", "decoder.layers.%d.final_layer_norm.weight"));
                assertBackboneUntouchedByAStep(m, in, labels);
            }
        }
    }

    /** The OPT pruning walk on a hand-built importance (tiny-opt: d 32, ffn 37, r 8 -> 4, 4). */
    @Test
    void optPruningKeepsTheMostImportantRowsOverKeptColumns() {
        try (NDManager nd = NDManager.newBaseManager(); Backbone b = Backbones.create("tiny-opt", 9)) {
            Map<String, NDArray> w = new LinkedHashMap<>(), imp = new LinkedHashMap<>();
            b.namedParams().forEach((n, p) -> { w.put(n, p.data()); imp.put(n, nd.zeros(p.data().getShape())); });
            for (int j : new int[]{2, 3, 11, 29}) imp.get("decoder.embed_tokens.weight").set(new NDIndex(":, " + j), 1f);
            String l0 = "decoder.layers.0.", l1 = "decoder.layers.1.";
            rows(imp, l0 + "self_attn.q_proj.weight", 1); rows(imp, l0 + "self_attn.k_proj.weight", 4, 9); rows(imp, l0 + "self_attn.v_proj.weight", 30);
            rows(imp, l0 + "self_attn.out_proj.weight", 6, 7, 8, 20);
            rows(imp, l0 + "fc1.weight", 0, 12, 33, 36);
            rows(imp, l0 + "fc2.weight", 13, 14, 15, 31);
            rows(imp, l1 + "self_attn.q_proj.weight", 3, 5, 16, 17);
            imp.get(l1 + "self_attn.v_proj.weight").set(new NDIndex("27, 0"), 100f);  // important only on a dropped column
            rows(imp, l1 + "self_attn.out_proj.weight", 18, 19, 21, 22);
            rows(imp, l1 + "fc1.weight", 1, 2, 3, 4);
            rows(imp, l1 + "fc2.weight", 23, 24, 25, 26);
            Map<String, NDArray> side = LstInitializer.pruneOpt(nd, w, imp, 2, List.of(1), 4, 4);
            long[] in1 = {13, 14, 15, 31}, qkv = {3, 5, 16, 17}, o = {18, 19, 21, 22}, fc1 = {1, 2, 3, 4}, out = {23, 24, 25, 26};
            expect(side, "decoder.layers.0.self_attn.q_proj.weight", w.get(l1 + "self_attn.q_proj.weight"), qkv, in1, nd);
            expect(side, "decoder.layers.0.self_attn.v_proj.weight", w.get(l1 + "self_attn.v_proj.weight"), qkv, in1, nd);
            expect(side, "decoder.layers.0.self_attn.out_proj.weight", w.get(l1 + "self_attn.out_proj.weight"), o, qkv, nd);
            expect(side, "decoder.layers.0.fc1.weight", w.get(l1 + "fc1.weight"), fc1, o, nd);
            expect(side, "decoder.layers.0.fc2.weight", w.get(l1 + "fc2.weight"), out, fc1, nd);
            for (var e : Map.of("self_attn_layer_norm.weight", in1, "self_attn_layer_norm.bias", in1, "final_layer_norm.weight", o,
                    "self_attn.k_proj.bias", qkv, "fc2.bias", out).entrySet())
                assertArrayEquals(w.get(l1 + e.getKey()).get(nd.create(e.getValue())).toFloatArray(), side.get("decoder.layers.0." + e.getKey()).toFloatArray(), e.getKey());
            assertArrayEquals(w.get("decoder.final_layer_norm.bias").get(nd.create(out)).toFloatArray(), side.get("decoder.final_layer_norm.bias").toFloatArray());
            assertFalse(side.containsKey("decoder.layers.1.fc1.weight"), "only kept layers are initialised");
        }
    }

    /** For side slots 0 and 1, every value of side tensor {@code pattern} (with %d the slot) occurs in the backbone tensor of the same name. */
    private static void assertSideValuesAreBackboneValues(TunedModel m, List<String> patterns) {
        Map<String, Param> all = m.namedParams();
        for (String t : patterns) {
            for (int k = 0; k < 2; k++) {
                Set<Float> backbone = new HashSet<>();
                for (float f : all.get("backbone." + String.format(t, k)).data().toFloatArray()) backbone.add(f);
                for (float f : all.get("side." + String.format(t, k)).data().toFloatArray())
                    assertTrue(backbone.contains(f), String.format(t, k) + ": side value " + f + " is not a backbone value");
            }
        }
    }

    /** A gradient step on the trainable parameters leaves every backbone tensor as it was, with no gradient recorded. */
    private static void assertBackboneUntouchedByAStep(TunedModel m, Batch in, NDArray labels) {
        Map<String, float[]> before = new LinkedHashMap<>();
        m.backbone.namedParams().forEach((n, p) -> before.put(n, p.data().toFloatArray()));
        m.zeroGrad();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) { gc.backward(m.loss(in, labels)); }
        for (Param p : m.trainableParams()) p.data().subi(p.grad().mul(0.05f));
        m.backbone.namedParams().forEach((n, p) -> {
            assertFalse(p.data().hasGradient(), n + " records a gradient");
            assertArrayEquals(before.get(n), p.data().toFloatArray(), 0f, n + " changed");
        });
    }

    private static void rows(Map<String, NDArray> imp, String name, int... rows) {
        for (int r : rows) imp.get(name).set(new NDIndex(r + ", :"), 1f);
    }

    private static void expect(Map<String, NDArray> side, String name, NDArray w, long[] rows, long[] cols, NDManager nd) {
        NDArray want = w.get(nd.create(rows)).transpose().get(nd.create(cols)).transpose();
        assertArrayEquals(want.toFloatArray(), side.get(name).toFloatArray(), 0f, name);
    }

    @Test
    void kindSpecificConfigErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Methods.create("lst").attach(Backbones.create("tiny-bert", 1), HeadSpec.lm()));
        assertTrue(e.getMessage().contains("head 'lm' needs a T5 or OPT backbone"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Methods.create("lst", Map.of("reduction_factor", "16")).attach(Backbones.create("tiny-t5", 1), HeadSpec.lm()));
        assertTrue(e.getMessage().contains("reduction_factor 16 does not divide d_kv 8"), e.getMessage());
        Lst fisher = (Lst) Methods.create("lst", Map.of("init", "fisher"));
        fisher.withFisherData(List::of);
        e = assertThrows(IllegalArgumentException.class, () -> fisher.attach(Backbones.create("tiny-opt-postln", 1), HeadSpec.lm()));
        assertTrue(e.getMessage().contains("init=fisher on OPT needs a pre-LN model without projections"), e.getMessage());
    }
}
