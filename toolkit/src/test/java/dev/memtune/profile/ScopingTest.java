package dev.memtune.profile;

import dev.memtune.backbone.Batch;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbones.Backbones;
import dev.memtune.sys.ProcMemory;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.memtune.backbone.*;
import dev.memtune.method.TunedModel;
import dev.memtune.nn.Param;
import dev.memtune.step.AdamW;
import dev.memtune.step.TrainStep;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Native memory is scoped: steps do not leak, a frozen forward holds one layer of intermediates at a time. */
class ScopingTest {
    /** Runs 20 warm-up steps, then 200 more; returns {arrays alive before, after, resident growth bytes}. */
    static long[] steps200() {
        Workload w = Workload.of("tiny-bert", "lora", 2, 8);
        try (NDManager nd = NDManager.newBaseManager(); TunedModel m = w.build(); Batch b = w.batch(nd); NDArray y = w.labels(nd)) {
            Map<String, Param> tr = new LinkedHashMap<>();
            m.namedParams().forEach((n, p) -> { if (p.trainable()) tr.put(n, p); });
            AdamW opt = new AdamW(tr, 0.9, 0.999, 1e-8, 0.0);
            for (int i = 0; i < 20; i++) TrainStep.run(m, opt, b, y, 1e-3, 1.0);
            int arrays = m.manager().getManagedArrays().size() + nd.getManagedArrays().size();
            System.gc();
            long rss = ProcMemory.residentBytes();
            for (int i = 0; i < 40; i++) TrainStep.run(m, opt, b, y, 1e-3, 1.0);
            System.gc();
            return new long[]{arrays, m.manager().getManagedArrays().size() + nd.getManagedArrays().size(), ProcMemory.residentBytes() - rss};
        }
    }

    @Test
    void repeatedTrainingStepsKeepResidentMemoryFlat() {
        long grown = steps200()[2];
        assertTrue(grown < 16 << 20, "resident memory grew by " + grown / 1024 + " KiB over 40 steps");
    }

    /**
     * Every step closes what it creates. The last leaks (2 handles per step: the backbone's final
     * hidden state and pooled output, kept past the layer scopes and owned by no scope) are gone
     * since the backbones hand their outputs to the caller's scope (F.handOut).
     */
    @Test
    void repeatedTrainingStepsKeepNDArrayCountFlat() {
        long[] r = steps200();
        assertEquals(r[0], r[1], "NDArrays alive grew over 40 steps");
    }

    /** Peak native memory of a frozen forward (Capture.NONE) above what was resident before it. */
    static long forwardPeak(int layers) {
        BackboneConfig c = Backbones.preset("tiny-bert").with(Map.of("hidden_size", 256, "intermediate_size", 1024,
                "num_attention_heads", 4, "num_hidden_layers", layers, "max_position_embeddings", 256));
        try (NDManager nd = NDManager.newBaseManager(); Backbone bb = Backbones.create(c, 1)) {
            bb.train(false);
            Batch b = Workload.of("tiny-bert", "full", 8, 256).batch(nd);
            for (int i = 0; i < 2; i++) try (NDScope s = new NDScope()) { bb.forward(b, Capture.NONE); }
            System.gc();
            long before = ProcMemory.residentBytes();
            assumeReset();
            try (NDScope s = new NDScope()) { bb.forward(b, Capture.NONE); }
            return ProcMemory.peakResidentBytes() - before;
        }
    }

    static void assumeReset() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ProcMemory.resetPeak(), "/proc/self/clear_refs not writable: peak cannot be reset");
    }

    @Test
    void frozenDeepForwardHoldsAboutOneLayer() {
        Engine.getInstance();
        long one = forwardPeak(1), twelve = forwardPeak(12);
        // one layer's intermediates at B=8, T=256, H=256, I=1024: ~ 8*256*(8*256 + 2*1024)*4 + 3 * 8*4*256*256*4 bytes = 56 MiB
        long layer = 8L * 256 * (8 * 256 + 2 * 1024) * 4 + 3L * 8 * 4 * 256 * 256 * 4;
        assertTrue(twelve < one + 2 * layer, "12-layer forward peak " + twelve / 1048576 + " MiB vs 1-layer " + one / 1048576
                + " MiB: intermediates are not freed layer by layer (one layer ~ " + layer / 1048576 + " MiB)");
    }
}
