package dev.memtune.step;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.memtune.backbone.Batch;
import dev.memtune.method.TunedModel;
import dev.memtune.nn.Param;
import dev.memtune.profile.Workload;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A step that drops its gradients ({@link Param#clearGrad()}, PyTorch's {@code zero_grad(set_to_none=True)})
 * trains bit for bit as one that zeroes them in place ({@code set_to_none=False}, the reference: {@code 0 + g}
 * accumulation), for every method, and between steps the dropped gradients are gone.
 */
class SetToNoneTest {
    /** Losses and final trainable values after 4 steps with -Dmemtune.set_to_none=none. */
    static List<float[]> train(String backbone, String method, boolean none) {
        String before = System.getProperty("memtune.set_to_none");
        System.setProperty("memtune.set_to_none", Boolean.toString(none));
        try {
            Workload w = Workload.of(backbone, method, 2, 8);
            Engine.getInstance().setRandomSeed(5);
            try (NDManager nd = NDManager.newBaseManager(); TunedModel m = w.build(); Batch b = w.batch(nd); NDArray y = w.labels(nd)) {
                Map<String, Param> tr = new LinkedHashMap<>();
                m.namedParams().forEach((n, p) -> { if (p.trainable()) tr.put(n, p); });
                AdamW opt = new AdamW(tr, 0.9, 0.999, 1e-8, 0.01);
                List<float[]> out = new ArrayList<>();
                float[] losses = new float[4];
                for (int i = 0; i < 4; i++) losses[i] = TrainStep.run(m, opt, b, y, 1e-2, 1.0);
                out.add(losses);
                for (Param p : tr.values()) out.add(p.data().toFloatArray());
                if (none) {                                       // what the next step does first
                    for (Param p : tr.values()) p.clearGrad();
                    for (Param p : tr.values()) assertNull(p.grad(), "gradient dropped");
                    for (Param p : tr.values()) assertTrue(p.trainable() && p.data().hasGradient(), "still recording gradients");
                }
                return out;
            }
        } finally {
            if (before == null) System.clearProperty("memtune.set_to_none"); else System.setProperty("memtune.set_to_none", before);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"tiny-bert,full", "tiny-bert,bitfit", "tiny-bert,lora", "tiny-bert,adapter", "tiny-bert,lst",
                "tiny-bert,meft1", "tiny-bert,symtune", "tiny-t5,full", "tiny-opt,lora"})
    void droppingGradientsTrainsBitForBitAsZeroingThem(String backbone, String method) {
        List<float[]> zero = train(backbone, method, false), none = train(backbone, method, true);
        assertEquals(zero.size(), none.size());
        assertArrayEquals(zero.get(0), none.get(0), "losses");
        for (int i = 1; i < zero.size(); i++) assertArrayEquals(zero.get(i), none.get(i), "trainable tensor " + i);
        assertNotEquals(zero.get(0)[0], zero.get(0)[3], "the steps trained");
    }
}
