package dev.memtune.backbone;

import dev.memtune.backbones.Backbones;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.memtune.nn.Param;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Behaviour of the BERT encoder that needs no reference weights (reference outputs: see BackboneFixtureTest). */
class BertModelTest {
    static Batch batch(NDManager m, long[][] ids, long[][] mask) {
        return Batch.encoder(m.create(ids), m.create(mask), m.zeros(new Shape(ids.length, ids[0].length), ai.djl.ndarray.types.DataType.INT64));
    }

    @Test
    void shapesCapturesAndHfNames() {
        try (Backbone b = Backbones.create("tiny-bert", 1); NDManager m = NDManager.newBaseManager()) {
            var names = b.namedParams().keySet();
            assertTrue(names.contains("embeddings.word_embeddings.weight"));
            assertTrue(names.contains("encoder.layer.1.attention.self.query.weight"));
            assertTrue(names.contains("encoder.layer.1.output.LayerNorm.bias"));
            assertTrue(names.contains("pooler.dense.weight"));
            try (BackboneOutput o = b.forward(batch(m, new long[][]{{2, 5, 7, 3}}, new long[][]{{1, 1, 1, 1}}), Capture.ALL)) {
                assertEquals(new Shape(1, 4, 32), o.lastHiddenState().getShape());
                assertEquals(3, o.hiddenStates().size());                 // embeddings + 2 layers
                assertEquals(2, o.attentions().size());
                assertEquals(new Shape(1, 4, 4, 4), o.attentions().get(0).getShape());
                // attention rows are distributions
                assertEquals(1.0, o.attentions().get(1).sum(new int[]{3}).mean().getFloat(), 1e-5);
                assertEquals(new Shape(1, 32), o.pooled().getShape());
            }
        }
    }

    @Test
    void paddingDoesNotChangeRealTokens() {
        try (Backbone b = Backbones.create("tiny-bert", 2); NDManager m = NDManager.newBaseManager()) {
            NDArray a = b.forward(batch(m, new long[][]{{2, 5, 7, 3}}, new long[][]{{1, 1, 1, 1}}), Capture.NONE).lastHiddenState();
            NDArray p = b.forward(batch(m, new long[][]{{2, 5, 7, 3, 0, 0}}, new long[][]{{1, 1, 1, 1, 0, 0}}), Capture.NONE).lastHiddenState();
            float diff = a.sub(p.get(new NDIndex(":, 0:4, :"))).abs().max().getFloat();
            assertTrue(diff < 1e-5, "padding changed real token outputs by " + diff);
        }
    }

    /**
     * Without padding the additive mask is skipped (ext null): the layer's output and every gradient, dropout on,
     * are bitwise those of adding the all-zero mask, the formulation before 2026-12-05.
     */
    @Test
    void skippingTheAllZeroMaskIsBitwiseAddingIt() {
        try (Backbone bb = Backbones.create("tiny-bert", 4); NDManager m = NDManager.newBaseManager()) {
            var b = (dev.memtune.backbone.bert.BertModel) bb;
            b.train(true);
            b.setTrainable(n -> true);
            NDArray x = m.randomNormal(new Shape(2, 6, 32));
            float[][] out = new float[2][], grad = new float[2][];
            for (int run = 0; run < 2; run++) {
                NDArray ext = run == 0 ? dev.memtune.backbone.bert.BertModel.extendedMask(m.ones(new Shape(2, 6))) : null;
                Engine.getInstance().setRandomSeed(11);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = b.layer(0).forward(x, ext, false).hidden();
                    gc.backward(y.mul(y).sum());
                    out[run] = y.toFloatArray();
                }
                grad[run] = b.namedParams().get("encoder.layer.0.attention.self.query.weight").grad().toFloatArray();
                b.namedParams().values().forEach(Param::zeroGrad);
            }
            assertArrayEquals(out[0], out[1]);
            assertArrayEquals(grad[0], grad[1]);
            assertTrue(java.util.Arrays.stream(new double[]{grad[0][0], grad[0][1]}).anyMatch(v -> v != 0), "a gradient reached the query");
        }
    }

    /** Per-layer scoping closes intermediates; the autograd graph must still give the right gradient. */
    @Test
    void gradientMatchesFiniteDifferences() {
        try (Backbone b = Backbones.create("tiny-bert", 3); NDManager m = NDManager.newBaseManager()) {
            Batch in = batch(m, new long[][]{{2, 5, 7, 3, 9}}, new long[][]{{1, 1, 1, 1, 1}});
            NDArray r = m.randomNormal(new Shape(1, 5, 32));
            Param p = b.namedParams().get("encoder.layer.0.intermediate.dense.bias");
            b.setTrainable(n -> n.equals("encoder.layer.0.intermediate.dense.bias"));
            NDArray g;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = b.forward(in, Capture.NONE).lastHiddenState().mul(r).sum();
                gc.backward(loss);
            }
            g = p.grad().duplicate();
            p.setTrainable(false);
            float[] v = p.data().toFloatArray();
            for (int j : new int[]{0, 7, 30}) {
                double eps = 1e-2;
                double[] f = new double[2];
                for (int s = 0; s < 2; s++) {
                    float[] w = v.clone();
                    w[j] += (float) (s == 0 ? eps : -eps);
                    p.set(m.create(w));
                    f[s] = b.forward(in, Capture.NONE).lastHiddenState().mul(r).sum().getFloat();
                }
                p.set(m.create(v));
                double fd = (f[0] - f[1]) / (2 * eps), ad = g.getFloat(j);
                assertEquals(fd, ad, 2e-2 * Math.max(1, Math.abs(fd)), "d loss / d bias[" + j + "]");
            }
        }
    }

    /**
     * {@link Capture#FIRST_TOKEN}: the last layer at position 0 only gives position 0's state and the pooled output of the
     * full forward, and the same gradient for every parameter (padded batch, eval mode; the reference is the full forward).
     */
    @Test
    void firstTokenLastLayerIsPositionZeroOfTheFullForward() {
        try (Backbone b = Backbones.create("tiny-bert", 6); NDManager m = NDManager.newBaseManager()) {
            b.train(false);
            b.setTrainable(n -> true);
            Batch in = batch(m, new long[][]{{2, 5, 7, 3, 9}, {2, 8, 6, 0, 0}}, new long[][]{{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}});
            NDArray r = m.randomNormal(new Shape(2, 32));
            float[][] out = new float[2][], pooled = new float[2][];
            java.util.List<java.util.Map<String, float[]>> grads = new java.util.ArrayList<>();
            for (Capture cap : new Capture[]{Capture.NONE, Capture.FIRST_TOKEN}) {
                java.util.Map<String, float[]> g = new java.util.TreeMap<>();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    BackboneOutput o = b.forward(in, cap);
                    assertEquals(cap.firstToken() ? 1 : 5, o.lastHiddenState().getShape().get(1));
                    out[grads.size()] = o.lastHiddenState().get(new NDIndex(":, 0, :")).toFloatArray();
                    pooled[grads.size()] = o.pooled().toFloatArray();
                    gc.backward(o.pooled().mul(r).sum().add(o.lastHiddenState().get(new NDIndex(":, 0, :")).square().sum()));
                }
                b.namedParams().forEach((n, p) -> { if (p.grad() != null) g.put(n, p.grad().toFloatArray()); });
                b.namedParams().values().forEach(Param::zeroGrad);
                grads.add(g);
            }
            assertArrayEquals(out[0], out[1], 1e-5f);
            assertArrayEquals(pooled[0], pooled[1], 1e-5f);
            assertEquals(grads.get(0).keySet(), grads.get(1).keySet());
            for (String n : grads.get(0).keySet())
                assertArrayEquals(grads.get(0).get(n), grads.get(1).get(n), 1e-4f, n);
            float[] last = grads.get(0).get("encoder.layer.1.output.dense.weight");
            assertTrue(java.util.stream.IntStream.range(0, last.length).anyMatch(j -> last[j] != 0), "the last layer learns");
        }
    }
}
