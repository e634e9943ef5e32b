package dev.memtune.method.meft;

import dev.memtune.backbone.Batch;
import dev.memtune.backbones.Backbones;
import ai.djl.ndarray.NDArray;
import dev.memtune.step.CustomBackward;
import ai.djl.ndarray.NDManager;
import dev.memtune.backbone.*;
import dev.memtune.method.HeadSpec;
import dev.memtune.methods.Methods;
import dev.memtune.method.TunedModel;
import dev.memtune.nn.Param;
import dev.memtune.step.AdamW;
import dev.memtune.step.TrainStep;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.*;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** MEFT through the shared TrainStep (its reversible backward), parameter counts, and flat forward memory. */
class MeftTrainingTest {
    static Batch batch(NDManager nd) { return MeftGradientTest.batch(nd); }

    /** Rows whose first (pooled) tokens differ, so a random tiny backbone can tell them apart. */
    static Batch separable(NDManager nd) {
        NDArray ids = nd.create(new long[][]{{11, 5, 7, 3, 9, 4}, {40, 8, 6, 3, 0, 0}});
        return Batch.encoder(ids, nd.create(new long[][]{{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}}), ids.zerosLike());
    }

    static Stream<Arguments> presetsAndVariants() {
        List<Arguments> out = new ArrayList<>();
        for (String p : List.of("tiny-bert", "tiny-opt", "tiny-opt-postln"))
            for (int v = 1; v <= 3; v++) out.add(Arguments.of(p, v));
        return out.stream();
    }

    @ParameterizedTest(name = "meft{1} on {0}")
    @MethodSource("presetsAndVariants")
    void trainStepLearnsAndTouchesOnlyAdaptersAndHead(String preset, int variant) {
        try (NDManager nd = NDManager.newBaseManager();
             TunedModel m = Methods.create("meft" + variant).attach(Backbones.create(preset, 3), HeadSpec.classification(2))) {
            assertInstanceOf(CustomBackward.class, m);
            Map<String, float[]> before = new LinkedHashMap<>();
            m.namedParams().forEach((n, p) -> before.put(n, p.data().toFloatArray()));
            Map<String, Param> trainable = new LinkedHashMap<>();
            m.namedParams().forEach((n, p) -> { if (p.trainable()) trainable.put(n, p); });
            AdamW opt = new AdamW(trainable, 0.9, 0.999, 1e-8, 0.0);
            m.train(false);                                                    // deterministic loss; dropout replay: MeftGradientTest
            Batch in = separable(nd);
            NDArray labels = nd.create(new long[]{1, 0});
            float first = TrainStep.run(m, opt, in, labels, 1e-2, 1.0), last = first;
            for (int i = 0; i < 10; i++) last = TrainStep.run(m, opt, in, labels, 1e-2, 1.0);
            assertTrue(last < first, "loss " + first + " -> " + last);
            m.namedParams().forEach((n, p) -> {
                boolean changed = !Arrays.equals(before.get(n), p.data().toFloatArray());
                boolean mine = n.startsWith("meft.") || n.startsWith("head.");
                if (!mine) assertFalse(changed, "frozen " + n + " changed");
                if (n.startsWith("meft.") && n.endsWith("weight")) assertTrue(changed, n + " did not train");
            });
        }
    }

    /** Two adapters per layer, each 2*d*b + b + d parameters (the authors' Adapter). */
    @ParameterizedTest(name = "meft{0}")
    @ValueSource(ints = {1, 2, 3})
    void trainableCountMatchesFormula(int variant) {
        try (TunedModel m = Methods.create("meft" + variant).attach(Backbones.create("bert-base", 1), HeadSpec.classification(2))) {
            long d = 768, b = 8, layers = 12;
            long want = layers * 2 * (2 * d * b + b + d);
            long got = m.methodParams().values().stream().mapToLong(Param::numel).sum();
            assertEquals(want, got);
            System.out.printf("meft%d on bert-base: %d adapter parameters, %.3f%% of the backbone%n", variant, got, 100 * m.trainableShare(m.backbone.numParams()));
        }
    }

    @ParameterizedTest(name = "meft{1} on {0}")
    @MethodSource("presetsAndVariants")
    void reversibleForwardHoldsTheSameArraysAtAnyDepth(String preset, int variant) {
        long[] retained = new long[2], bytes = new long[2];
        int[] depths = {2, 6};
        for (int j = 0; j < 2; j++) {
            try (NDManager nd = NDManager.newBaseManager(); MeftModel m = MeftGradientTest.model(preset, variant, depths[j], MeftConfig.ALL, ai.djl.ndarray.types.DataType.FLOAT32)) {
                m.train(true);
                m.measureRetention(true);
                try (Autograd.Mode on = Autograd.enableGrad()) {               // as on a thread where torch grad mode defaults to on
                    assertTrue(Autograd.records(m.features(batch(nd))), "control: the ordinary forward records");
                    m.forwardBackward(batch(nd), nd.create(new long[]{1, 0}));
                }
                MeftModel.Stats s = m.lastStats();
                assertFalse(s.forwardRecorded());
                assertEquals(depths[j], s.reversibleLayers());
                retained[j] = s.retainedArrays();
                bytes[j] = s.retainedBytes();
                System.out.printf("meft%d on %s, %d layers: forward retained %d arrays, %d bytes%n", variant, preset, depths[j], retained[j], bytes[j]);
            }
        }
        assertEquals(retained[0], retained[1], "arrays held at the top grow with depth");
        assertEquals(bytes[0], bytes[1], "bytes held at the top grow with depth");
    }
}
