package dev.memtune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.memtune.backbone.Batch;
import dev.memtune.method.TunedModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Gradients must not depend on the garbage collector. DJL's {@code mul/div(Number)} put the number
 * in a tensor over a Java direct buffer that a GC frees while autograd still holds it for the
 * backward pass (wrong gradients, NaN at random steps of real runs). The reference is the same
 * backward without a GC in between; with the churn, every gradient must be identical.
 */
class GcSafetyTest {
    /** Allocates and drops direct buffers filled with 1e30, then collects, so freed memory is overwritten. */
    static void churn() {
        for (int round = 0; round < 2; round++) {
            List<ByteBuffer> junk = new ArrayList<>();
            for (int k = 0; k < 3000; k++) {
                ByteBuffer b = ByteBuffer.allocateDirect(64);
                for (int i = 0; i < 16; i++) b.putFloat(4 * i, 1e30f);
                junk.add(b);
            }
            junk.clear();
            System.gc();
        }
    }

    static Map<String, float[]> grads(TunedModel m, List<Feature> data, boolean gc) {
        m.zeroGrad();
        try (NDManager nd = m.manager().newSubManager()) {
            int[] which = {0, 1, 2, 3, 4, 5, 6, 7};
            Batch b = Batches.collate(nd, data, which, 0);
            NDArray y = Batches.labels(nd, data, which, m.spec);
            try (NDScope s = new NDScope(); GradientCollector gcol = Engine.getInstance().newGradientCollector()) {
                NDArray loss = m.loss(b, y);
                if (gc) churn();
                gcol.backward(loss);
            }
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        m.namedParams().forEach((n, p) -> {
            if (!p.trainable()) return;
            try (NDScope s = new NDScope()) {
                NDArray g = p.grad();                       // null: the loss never reached it (e.g. an unused pooler)
                if (g != null) out.put(n, g.toFloatArray());
            }
        });
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"full", "lora"})
    void gradientsSurviveGarbageCollection(String method) {
        List<Feature> data = TrainerTest.synthetic(8, 4);
        try (TunedModel m = TrainerTest.model(method, 5)) {
            m.train(false);
            for (var p : m.trainableParams()) p.data().addi(0.01f);            // LoRA B starts at 0: make its path matter
            Map<String, float[]> ref = grads(m, data, false);
            for (int rep = 0; rep < 3; rep++) {
                Map<String, float[]> got = grads(m, data, true);
                for (String n : ref.keySet()) assertArrayEquals(ref.get(n), got.get(n), n + " differs after a GC (repeat " + rep + ")");
            }
        }
    }
}
