package dev.memtune.method;

import dev.memtune.backbone.Batch;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbones.Backbones;
import dev.memtune.methods.Methods;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.memtune.backbone.*;
import dev.memtune.nn.Param;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.*;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Contract every method keeps, on every tiny backbone: declared parameters only, starting point, learning. */
public class MethodContractTest {
    /** Every method on every tiny backbone it supports (also the cases of other parametrized method tests). */
    public static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String bb : Backbones.presets()) {
            if (!bb.startsWith("tiny-")) continue;
            String kind = Backbones.preset(bb).modelType;
            for (String m : Methods.names()) if (Methods.create(m).supports(kind)) out.add(Arguments.of(m, bb));
        }
        return out.stream();
    }

    static Batch batch(NDManager nd, String kind) {
        long[][] ids = {{2, 5, 7, 3, 9, 4}, {2, 8, 6, 3, 0, 0}};
        long[][] mask = {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}};
        NDArray i = nd.create(ids), m = nd.create(mask);
        if (kind.equals("t5")) return new Batch(i, m, null, nd.create(new long[][]{{0, 4, 5}, {0, 6, 7}}), nd.ones(new Shape(2, 3), DataType.INT64));
        return Batch.encoder(i, m, i.zerosLike());
    }

    /** Snapshot of every parameter value by name. */
    static Map<String, float[]> snapshot(TunedModel m) {
        Map<String, float[]> s = new LinkedHashMap<>();
        m.namedParams().forEach((n, p) -> s.put(n, p.data().toFloatArray()));
        return s;
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void onlyDeclaredParamsChangeAndLossFalls(String method, String backbone) {
        try (NDManager nd = NDManager.newBaseManager()) {
            Backbone b = Backbones.create(backbone, 7);
            String kind = b.config().modelType;
            try (TunedModel m = Methods.create(method).attach(b, HeadSpec.classification(2))) {
                m.train(false);                                      // deterministic: dropout off
                Set<String> trainable = new HashSet<>();
                m.namedParams().forEach((n, p) -> { if (p.trainable()) trainable.add(n); });
                assertFalse(trainable.isEmpty());
                if (!method.equals("full")) assertTrue(m.numTrainable() < m.numParams() / 2, method + " trains " + m.numTrainable() + " of " + m.numParams());
                Map<String, float[]> before = snapshot(m);
                Batch in = batch(nd, kind);
                NDArray labels = nd.create(new long[]{1, 0});
                float[] loss = SgdSteps.run(m, in, labels, 8, 0.05f);
                float first = loss[0], last = loss[1];
                assertTrue(last < first, method + ": loss did not fall (" + first + " -> " + last + ")");
                Map<String, float[]> after = snapshot(m);
                for (String n : before.keySet()) {
                    boolean changed = !Arrays.equals(before.get(n), after.get(n));
                    if (!trainable.contains(n)) assertFalse(changed, method + " changed frozen parameter " + n);
                }
                assertTrue(trainable.stream().anyMatch(n -> !n.startsWith("head.") && !Arrays.equals(before.get(n), after.get(n)))
                        || method.equals("full") && trainable.stream().anyMatch(n -> !Arrays.equals(before.get(n), after.get(n))),
                        method + ": no method parameter changed");
            }
        }
    }

    /**
     * At initialisation a method computes what the pretrained backbone computes (LST/SymTune excepted:
     * they add a side path; MEFT excepted: its output averages two streams, see MeftStartingPointTest
     * for what it keeps exactly).
     */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void startingPointKept(String method, String backbone) {
        if (List.of("lst", "symtune", "meft1", "meft2", "meft3").contains(method)) return;   // not claimed in this form
        try (NDManager nd = NDManager.newBaseManager()) {
            Backbone ref = Backbones.create(backbone, 11);
            Backbone b = Backbones.create(backbone, 11);
            String kind = ref.config().modelType;
            Batch in = batch(nd, kind);
            // pooled heads on T5 read the encoder (TunedModel.features), so the reference is the encoder's output
            Batch refIn = kind.equals("t5") ? Batch.encoder(in.inputIds(), in.attentionMask(), null) : in;
            NDArray want = ref.forward(refIn, Capture.NONE).lastHiddenState();
            try (TunedModel m = Methods.create(method).attach(b, HeadSpec.classification(2))) {
                m.train(false);
                NDArray got = m.features(in);                        // [B,1,H] when a first-token head lets the last layer stop there
                float diff = got.sub(want.get(new ai.djl.ndarray.index.NDIndex(":, 0:" + got.getShape().get(1) + ", :"))).abs().max().getFloat();
                assertTrue(diff < 1e-4, method + " moved the starting point by " + diff);
            }
            ref.close();
        }
    }

    /**
     * A first-token head lets the last layer run for that token only ({@link TunedModel#firstTokenLastLayer}): the loss and
     * every gradient are those of the computation over every position (the reference: the same model with it off), with
     * padding in the batch. Where it applies (BERT, first-token pooling) the features are [B,1,H].
     */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void firstTokenLastLayerKeepsLossAndGradients(String method, String backbone) {
        try (NDManager nd = NDManager.newBaseManager()) {
            Backbone b = Backbones.create(backbone, 5);
            String kind = b.config().modelType;
            try (TunedModel m = Methods.create(method).attach(b, HeadSpec.classification(2))) {
                m.train(false);                                      // dropout off: both ways see the same function
                Batch in = batch(nd, kind);
                NDArray labels = nd.create(new long[]{1, 0});
                float[] loss = new float[2];
                List<Map<String, float[]>> grads = new ArrayList<>();
                for (int run = 0; run < 2; run++) {
                    m.firstTokenLastLayer(run == 1);
                    m.zeroGrad();
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray l = m.loss(in, labels);
                        loss[run] = l.getFloat();
                        gc.backward(l);
                    }
                    Map<String, float[]> g = new LinkedHashMap<>();
                    for (var e : m.namedParams().entrySet()) if (e.getValue().trainable() && e.getValue().grad() != null) g.put(e.getKey(), e.getValue().grad().toFloatArray());
                    grads.add(g);
                }
                boolean applies = kind.equals("bert") && m.head().pooling.equals("first");
                assertEquals(applies && !List.of("lst", "symtune", "meft1", "meft2", "meft3").contains(method) ? 1 : 6,
                        m.features(in).getShape().get(1), "positions in the features with it on");
                assertEquals(loss[0], loss[1], 1e-5 * Math.max(1, Math.abs(loss[0])), method + ": loss");
                assertEquals(grads.get(0).keySet(), grads.get(1).keySet());
                for (String n : grads.get(0).keySet()) {
                    float[] a = grads.get(0).get(n), c = grads.get(1).get(n);
                    double scale = 0, diff = 0;
                    for (int i = 0; i < a.length; i++) { scale = Math.max(scale, Math.abs(a[i])); diff = Math.max(diff, Math.abs(a[i] - c[i])); }
                    assertTrue(diff <= 1e-4 * Math.max(scale, 1e-3), method + ": gradient of " + n + " differs by " + diff + " (largest " + scale + ")");
                }
                m.firstTokenLastLayer(true);
            }
        }
    }
}
