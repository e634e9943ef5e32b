package dev.memtune.method.adapter;

import ai.djl.ndarray.NDManager;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbones.Backbones;
import dev.memtune.method.HeadSpec;
import dev.memtune.method.TunedModel;
import dev.memtune.methods.Methods;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Where adapters go and what trains with them, counted against the LST code's own accounting
 * (ylsung/Ladder-Side-Tuning, {@code seq2seq/configs/adapters.json}: reduction factor 16, adapters after every
 * self-attention and feed-forward sub-layer of encoder and decoder but not after cross-attention,
 * {@code unfreeze_layer_norms}; 1.63% of t5-base, the paper's "~1.6-1.7%").
 */
class AdapterPlacementTest {
    /** The adapter row of the profiler's LST Table 1. */
    static final String LST_CODE = dev.memtune.profile.PaperSettings.LST_TABLE_METHODS.stream()
            .filter(m -> m.startsWith("adapter:")).findFirst().orElseThrow();

    /** Adapters and trainable backbone parameters (head excluded) of a spec on a backbone built with zero weights. */
    static Map<String, Long> trainable(String spec, BackboneConfig c) {
        try (NDManager nd = NDManager.newBaseManager()) {
            Backbone b = Backbones.construct(nd.newSubManager(), c, true);
            try (TunedModel m = Methods.create(spec).attach(b, HeadSpec.classification(2))) {
                Map<String, Long> out = new TreeMap<>();
                m.namedParams().forEach((n, p) -> { if (p.trainable() && !n.startsWith("head.")) out.put(n, p.data().size()); });
                return out;
            }
        }
    }

    /** Layer-norm parameter names of BERT, T5 and OPT, written out here independently of the code under test. */
    static final String NORM = ".*(LayerNorm|layer_norm)\\.(weight|bias)";

    static long sum(Map<String, Long> m) { return m.values().stream().mapToLong(Long::longValue).sum(); }

    @Test
    void lstCodeSettingsOnT5BaseTrainWhatTheLstCodeCounts() {
        BackboneConfig c = Backbones.preset("t5-base");
        Map<String, Long> t = trainable(LST_CODE, c);
        long d = 768, b = 768 / 16, layers = 12;
        long adapters = (2 * layers + 2 * layers) * (d * b + b + b * d + d);   // 48 adapters: 3,578,112
        long norms = (2 * layers + 1 + 3 * layers + 1) * d;                    // 62 T5LayerNorm weights: 47,616
        assertEquals(3_578_112, adapters);
        assertEquals(adapters + norms, sum(t), "trainable " + t.size() + " tensors");
        assertEquals(62, t.keySet().stream().filter(n -> n.endsWith("layer_norm.weight")).count());
        assertTrue(t.keySet().stream().noneMatch(n -> n.contains("decoder.") && n.contains(".layer.1.adapter.")),
                "no adapter after cross-attention (decoder sub-layer 1)");
        assertTrue(t.keySet().stream().anyMatch(n -> n.contains("decoder.") && n.contains(".layer.2.adapter.")), "adapters after the decoder's feed-forward");
        double share = (double) sum(t) / 222_882_048;                          // the LST code's t5_base_params
        assertEquals(0.0163, share, 0.00005);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"tiny-t5", "tiny-bert", "tiny-opt"})
    void placementOptionsCountSubLayers(String backbone) {
        BackboneConfig c = Backbones.preset(backbone);
        boolean t5 = c.modelType.equals("t5");
        long enc = c.numLayers(), dec = t5 ? c.integer("num_decoder_layers", (int) enc) : 0;
        long self = enc + dec, ffn = enc + dec, cross = dec;
        long d = c.hiddenSize(), b = Math.max(1, d / 16), per = d * b + b + b * d + d;
        assertEquals((self + cross + ffn) * per, sum(trainable("adapter", c)), "default: after every attention and feed-forward");
        assertEquals((self + ffn) * per, sum(trainable("adapter:after_cross_attention=false", c)));
        assertEquals(ffn * per, sum(trainable("adapter:after_attention=false:after_cross_attention=false", c)));
        Map<String, Long> withNorms = trainable("adapter:unfreeze_layer_norms=true", c);
        Map<String, Long> norms = new TreeMap<>(withNorms);
        norms.keySet().removeIf(n -> n.contains(".adapter."));
        assertFalse(norms.isEmpty());
        for (String n : norms.keySet())
            assertTrue(n.matches(NORM), "only layer norms train besides adapters, got " + n);
        try (NDManager nd = NDManager.newBaseManager()) {              // every layer norm of the backbone is among them
            Backbone bb = Backbones.construct(nd.newSubManager(), c, true);
            long all = bb.namedParams().keySet().stream().filter(n -> n.matches(NORM)).count();
            assertEquals(all, norms.size());
            bb.close();
        }
    }

    /** gelu_new (the LST code's adapter non-linearity) against its tanh formula computed here in double precision. */
    @Test
    void geluNewAdapterIsTheTanhFormula() {
        try (NDManager nd = NDManager.newBaseManager()) {
            Adapter a = new Adapter(nd, 6, 3, "gelu_new", 0.5, false);
            float[] x = {0.3f, -1.2f, 2.0f, 0.7f, -0.1f, 1.5f, -2.2f, 0.05f, 0.9f, -0.6f, 1.1f, -1.7f};
            float[] y = a.branch(nd.create(x, new ai.djl.ndarray.types.Shape(2, 6))).toFloatArray();
            float[] wd = a.down.weight.data().toFloatArray(), bd = a.down.bias.data().toFloatArray();
            float[] wu = a.up.weight.data().toFloatArray(), bu = a.up.bias.data().toFloatArray();
            for (int r = 0; r < 2; r++) {
                double[] z = new double[3];
                for (int j = 0; j < 3; j++) {
                    double v = bd[j];
                    for (int i = 0; i < 6; i++) v += (double) wd[j * 6 + i] * x[r * 6 + i];
                    z[j] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                }
                for (int o = 0; o < 6; o++) {
                    double v = bu[o];
                    for (int j = 0; j < 3; j++) v += (double) wu[o * 3 + j] * z[j];
                    assertEquals(v, y[r * 6 + o], 1e-5);
                }
            }
        }
    }

    @Test
    void aConfigWithNoPlacementIsRejectedByName() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Methods.create("adapter:after_attention=false:after_cross_attention=false:after_ffn=false"));
        assertTrue(e.getMessage().contains("after_cross_attention"), e.getMessage());
    }
}
