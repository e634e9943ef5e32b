package dev.memtune.method.lst;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.memtune.backbone.*;
import dev.memtune.backbone.t5.T5Model;
import dev.memtune.method.HeadSpec;
import dev.memtune.method.Methods;
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
            float first = 0, last = 0;
            for (int step = 0; step < 8; step++) {
                m.zeroGrad();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = m.loss(in, labels);
                    if (step == 0) first = loss.getFloat(); else last = loss.getFloat();
                    gc.backward(loss);
                }
                for (Param p : m.trainableParams()) p.data().subi(p.grad().mul(0.05f));
            }
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

    @Test
    void kindSpecificConfigErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Methods.create("lst").attach(Backbones.create("tiny-bert", 1), HeadSpec.lm()));
        assertTrue(e.getMessage().contains("head 'lm' needs a T5 or OPT backbone"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Methods.create("lst", Map.of("reduction_factor", "16")).attach(Backbones.create("tiny-t5", 1), HeadSpec.lm()));
        assertTrue(e.getMessage().contains("reduction_factor 16 does not divide d_kv 8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Methods.create("lst", Map.of("init", "fisher")).attach(Backbones.create("tiny-t5", 1), HeadSpec.lm()));
        assertTrue(e.getMessage().contains("init=fisher is implemented for BERT-family backbones only"), e.getMessage());
    }
}
