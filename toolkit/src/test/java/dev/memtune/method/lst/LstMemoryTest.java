package dev.memtune.method.lst;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbones.Backbones;
import dev.memtune.backbone.Batch;
import dev.memtune.method.HeadSpec;
import dev.memtune.methods.Methods;
import dev.memtune.method.TunedModel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No backbone activation is kept for backward: the native memory a recorded forward holds (the
 * autograd graph, measured as the process's resident set before backward) must not grow with the
 * backbone's depth under LST, while under full fine-tuning it grows by every layer's activations
 * (the control that shows the measurement can see them). Attention probabilities at T = 512 make
 * one layer's activations about 50 MB at batch 8 (well above the allocator's noise of ~16 MB).
 */
class LstMemoryTest {
    static final int B = 8, T = 512;

    static long rss() throws Exception {
        String[] f = Files.readString(Path.of("/proc/self/statm")).trim().split("\\s+");
        return Long.parseLong(f[1]) * 4096;
    }

    /** Resident bytes added by a recorded forward + loss (graph alive, before backward). */
    static long recordedForwardBytes(String method, int layers) throws Exception {
        BackboneConfig c = Backbones.preset("tiny-bert").with(Map.of("hidden_size", 64, "num_attention_heads", 4,
                "intermediate_size", 256, "num_hidden_layers", layers, "max_position_embeddings", T));
        Map<String, String> opts = method.equals("lst") ? Map.of("kept_layers", "0") : Map.of();
        try (NDManager nd = NDManager.newBaseManager();
             TunedModel m = Methods.create(method, opts).attach(Backbones.create(c, 1), HeadSpec.classification(2))) {
            m.train(false);
            NDArray ids = nd.randomInteger(1, 99, new Shape(B, T), DataType.INT64);
            Batch in = Batch.encoder(ids, nd.ones(new Shape(B, T), DataType.INT64), ids.zerosLike());
            NDArray labels = nd.create(new long[]{0, 1, 0, 1, 0, 1, 0, 1});
            System.gc();
            long before = rss();
            try (NDScope s = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                m.loss(in, labels).getFloat();
                return rss() - before;
            }
        }
    }

    static long median(long a, long b, long c) { return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c)); }

    @Test
    void recordedForwardMemoryDoesNotGrowWithBackboneDepth() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/self/statm")), "needs /proc/self/statm (Linux) to read resident memory");
        recordedForwardBytes("lst", 8);                                  // warm-up: allocator pools, lazy init
        // resident-set deltas carry allocator noise of a few tens of MB either way: median of three runs
        long lst2 = median(recordedForwardBytes("lst", 2), recordedForwardBytes("lst", 2), recordedForwardBytes("lst", 2));
        long lst8 = median(recordedForwardBytes("lst", 8), recordedForwardBytes("lst", 8), recordedForwardBytes("lst", 8));
        long full2 = recordedForwardBytes("full", 2), full8 = recordedForwardBytes("full", 8);
        double mb = 1 << 20;
        System.out.printf("recorded forward, resident MB: lst L=2 %.1f, L=8 %.1f; full L=2 %.1f, L=8 %.1f%n",
                lst2 / mb, lst8 / mb, full2 / mb, full8 / mb);
        assertTrue(full8 - full2 > 30 * mb, "control: full fine-tuning should hold 6 more layers of activations, held "
                + (full8 - full2) / mb + " MB more");
        assertTrue(lst8 - lst2 < 0.15 * (full8 - full2), "LST holds " + (lst8 - lst2) / mb + " MB more with 6 more backbone layers");
    }
}
