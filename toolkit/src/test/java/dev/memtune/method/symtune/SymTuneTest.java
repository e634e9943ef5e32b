package dev.memtune.method.symtune;

import dev.memtune.backbone.LmBackbone;
import dev.memtune.backbone.Batch;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbones.Backbones;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.memtune.backbone.*;
import dev.memtune.method.HeadSpec;
import dev.memtune.methods.Methods;
import dev.memtune.method.TunedModel;
import dev.memtune.method.lst.LstModel;
import dev.memtune.nn.Param;
import dev.memtune.step.AdamW;
import dev.memtune.step.TrainStep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.*;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** SymTune reconstruction on BERT-family backbones: switches, attention sharing, frozen backbone, bad config. */
class SymTuneTest {
    static Batch batch(NDManager nd) {
        NDArray ids = nd.create(new long[][]{{2, 5, 7, 3, 9, 4}, {2, 8, 6, 3, 0, 0}});
        NDArray mask = nd.create(new long[][]{{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}});
        return Batch.encoder(ids, mask, ids.zerosLike());
    }

    static Map<String, String> switches(boolean sharing, boolean ica, boolean fusion) {
        return Map.of("attention_sharing", "" + sharing, "inverse_cross_attention", "" + ica, "fusion", "" + fusion);
    }

    static TunedModel symtune(String preset, Map<String, String> opts, long seed) {
        return Methods.create("symtune", opts).attach(Backbones.create(preset, seed), HeadSpec.classification(2));
    }

    static Stream<Arguments> combos() {
        List<Arguments> out = new ArrayList<>();
        for (boolean s : new boolean[]{true, false}) for (boolean i : new boolean[]{true, false}) for (boolean f : new boolean[]{true, false})
            out.add(Arguments.of(s, i, f));
        return out.stream();
    }

    /** Documented parameter set: selectors and projections always; Q/K only without sharing; cross attention and fusion when on. */
    @ParameterizedTest(name = "sharing={0} ica={1} fusion={2}")
    @MethodSource("combos")
    void switchesChangeTheParameterSetAsDocumented(boolean sharing, boolean ica, boolean fusion) {
        for (String preset : List.of("tiny-bert", "minilm-l6")) {
            BackboneConfig c = Backbones.preset(preset);
            try (TunedModel m = symtune(preset, switches(sharing, ica, fusion), 1)) {
                Set<String> names = m.methodParams().keySet();
                assertEquals(!sharing, names.contains("side.layer.0.attention.self.query.weight"), names.toString());
                assertEquals(!sharing, names.contains("side.layer.0.attention.self.key.weight"));
                assertTrue(names.contains("side.layer.0.attention.self.value.weight"));
                assertEquals(ica, names.contains("side.layer.0.crossattention.self.query.weight"));
                assertEquals(fusion, names.contains("side.fusion"));
                assertTrue(names.contains("side.selectors.0.weight"));
                long d = c.hiddenSize(), ds = d / 8, ff = c.intermediateSize() / 8, k = c.numLayers(), lin = ds * ds + ds;
                long block = (sharing ? 2 : 4) * lin + 2 * ds + (ica ? 4 * lin + 2 * ds : 0) + (ds * ff + ff) + (ff * ds + ds) + 2 * ds;
                long want = k * block + (k + 1) * (d * ds + ds) + (ds * d + d) + (fusion ? k : 0);
                long got = m.methodParams().values().stream().mapToLong(Param::numel).sum();
                assertEquals(want, got);
                if (sharing && ica && fusion) System.out.printf("SymTune %s: %,d trainable = %.3f%%%n", preset, got, 100.0 * got / m.backbone.numParams());
            }
        }
    }

    static Stream<Arguments> sharingCases() {
        List<Arguments> out = new ArrayList<>();
        Map<String, String> query = Map.of("tiny-bert", "encoder.layer.1.attention.self.query.weight",
                "tiny-t5", "encoder.block.1.layer.0.SelfAttention.q.weight", "tiny-opt", "decoder.layers.1.self_attn.q_proj.weight");
        for (String preset : List.of("tiny-bert", "tiny-t5", "tiny-opt"))
            for (boolean sharing : new boolean[]{true, false}) out.add(Arguments.of(preset, query.get(preset), sharing));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} sharing={2}")
    @MethodSource("sharingCases")
    void backboneAttentionProbabilitiesReachTheSideOnlyWhenShared(String preset, String queryWeight, boolean sharing) {
        try (NDManager nd = NDManager.newBaseManager(); TunedModel m = symtune(preset, switches(sharing, true, true), 4)) {
            m.train(false);
            SymSide side = ((SymTuneModel) m).side;
            // cut every other route from the backbone's layers to the side: selectors see only their bias
            for (var sel : side.selectors.items()) sel.weight.set(sel.weight.data().zerosLike());
            // OPT's N(0, 0.02) embeddings barely vary the side state over positions; widen the first ladder so
            // the shared probabilities (which mix positions) have something to mix
            side.first_downsample.weight.set(nd.randomNormal(0f, 1f, side.first_downsample.weight.data().getShape(), ai.djl.ndarray.types.DataType.FLOAT32));
            Batch in = batch(nd);
            float[] before = m.features(in).toFloatArray();
            Param q = m.backbone.namedParams().get(queryWeight);                 // changes layer 1's probabilities
            q.set(nd.randomNormal(0f, 1f, q.data().getShape(), ai.djl.ndarray.types.DataType.FLOAT32));
            float[] after = m.features(in).toFloatArray();
            float diff = 0;
            for (int i = 0; i < before.length; i++) diff = Math.max(diff, Math.abs(before[i] - after[i]));
            if (sharing) assertTrue(diff > 1e-4, "shared probabilities did not change the side output (max diff " + diff + ")");
            else assertEquals(0f, diff, "without sharing the side must not see the backbone's probabilities");
        }
    }

    @Test
    void onTheOptDecoderTheSideIsCausal() {
        try (NDManager nd = NDManager.newBaseManager(); TunedModel m = symtune("tiny-opt", Map.of(), 3)) {
            m.train(false);
            NDArray mask = nd.ones(new ai.djl.ndarray.types.Shape(1, 5), ai.djl.ndarray.types.DataType.INT64);
            NDArray a = m.features(Batch.encoder(nd.create(new long[][]{{2, 5, 7, 3, 9}}), mask, null));
            NDArray b = m.features(Batch.encoder(nd.create(new long[][]{{2, 5, 7, 3, 11}}), mask, null));
            assertTrue(a.get(":, 0:4, :").sub(b.get(":, 0:4, :")).abs().max().getFloat() < 1e-6, "earlier positions saw a later token");
            assertTrue(a.get(":, 4, :").sub(b.get(":, 4, :")).abs().max().getFloat() > 1e-6);
        }
    }

    @Test
    void allSwitchesOffIsTheLstSideNetworkWithItsGatesAtOneHalf() {
        // an independent implementation: LST's side blocks are BertModel.Layer, SymTune's are SymBlock
        try (NDManager nd = NDManager.newBaseManager();
             TunedModel lst = Methods.create("lst").attach(Backbones.create("tiny-bert", 6), HeadSpec.classification(2));
             TunedModel sym = symtune("tiny-bert", switches(false, false, false), 6)) {
            lst.train(false);
            sym.train(false);
            Map<String, NDArray> state = new LinkedHashMap<>();
            ((LstModel) lst).side.namedParams().forEach((n, p) -> {
                if (!n.endsWith("gate_alpha")) state.put(n.replace("encoder.", "").replace("downsamples.", "selectors."), p.data());
            });
            ((SymTuneModel) sym).side.load(state, true, "lst side");
            Batch in = batch(nd);
            float[] a = lst.features(in).toFloatArray(), b = sym.features(in).toFloatArray();
            assertArrayEquals(a, b, 1e-5f);
        }
    }

    @Test
    void noGradientReachesTheBackbone() {
        try (NDManager nd = NDManager.newBaseManager(); TunedModel m = symtune("tiny-bert", Map.of(), 2)) {
            Map<String, float[]> before = new LinkedHashMap<>();
            m.backbone.namedParams().forEach((n, p) -> before.put(n, p.data().toFloatArray()));
            Map<String, Param> trainable = new LinkedHashMap<>();
            m.namedParams().forEach((n, p) -> { if (p.trainable()) trainable.put(n, p); });
            m.train(true);
            TrainStep.run(m, new AdamW(trainable, 0.9, 0.999, 1e-8, 0.01), batch(nd), nd.create(new long[]{1, 0}), 1e-2, 1.0);
            m.backbone.namedParams().forEach((n, p) -> {
                assertFalse(p.data().hasGradient(), "backbone parameter " + n + " records a gradient");
                assertArrayEquals(before.get(n), p.data().toFloatArray(), 0f, "backbone parameter " + n + " changed");
            });
            for (var e : m.methodParams().entrySet()) assertNotNull(e.getValue().grad(), e.getKey() + " got no gradient");
            assertTrue(m.methodParams().get("side.fusion").grad().abs().sum().getFloat() > 0, "fusion weights got no gradient");
        }
    }

    /**
     * With an LM head (our extension) the side output starts at zero, so the logits are the frozen
     * backbone's own: compared with the plain backbone forward + LM head (T5 encoder-decoder, OPT).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tiny-t5", "tiny-opt", "tiny-opt-projected"})
    void withAnLmHeadTrainingStartsFromTheBackbonesOwnLogits(String preset) {
        try (NDManager nd = NDManager.newBaseManager()) {
            Backbone ref = lmBackbone(preset, 4);
            Batch b = lmBatch(nd, preset);
            NDArray want = ((LmBackbone) ref).lmLogits(ref.forward(b, Capture.NONE).lastHiddenState());
            try (TunedModel m = Methods.create("symtune").attach(lmBackbone(preset, 4), HeadSpec.lm())) {
                m.train(false);
                NDArray got = m.logits(b);
                assertArrayEquals(want.getShape().getShape(), got.getShape().getShape());
                assertTrue(got.sub(want).abs().max().getFloat() < 1e-4f, preset + ": logits moved at initialisation");
            }
            ref.close();
        }
    }

    /** Text-to-text on T5: the loss reaches every side parameter through the frozen decoder, and no backbone parameter. */
    @Test
    void onT5TextToTextGradientsReachTheSideThroughTheFrozenDecoder() {
        try (NDManager nd = NDManager.newBaseManager(); TunedModel m = Methods.create("symtune").attach(Backbones.create("tiny-t5", 6), HeadSpec.lm())) {
            Map<String, Param> trainable = new LinkedHashMap<>();
            m.namedParams().forEach((n, p) -> { if (p.trainable()) trainable.put(n, p); });
            assertTrue(trainable.keySet().stream().allMatch(n -> n.startsWith("side.")), "trainable outside the side network: " + trainable.keySet());
            m.train(true);
            Batch b = lmBatch(nd, "tiny-t5");
            TrainStep.run(m, new AdamW(trainable, 0.9, 0.999, 1e-8, 0.0), b, nd.create(new long[][]{{5, 1, -100}, {7, 8, 1}}), 1e-2, 1.0);
            m.backbone.namedParams().forEach((n, p) -> assertFalse(p.data().hasGradient(), "backbone parameter " + n + " records a gradient"));
            assertTrue(m.methodParams().get("side.upsample.weight").grad().abs().sum().getFloat() > 0, "upsample got no gradient");
            // after one step W_up != 0, so the side blocks get gradient too from the second backward on
            TrainStep.run(m, new AdamW(trainable, 0.9, 0.999, 1e-8, 0.0), b, nd.create(new long[][]{{5, 1, -100}, {7, 8, 1}}), 1e-2, 1.0);
            assertTrue(m.methodParams().get("side.selectors.0.weight").grad().abs().sum().getFloat() > 0, "selector got no gradient");
        }
    }

    /** tiny-opt-projected: OPT-350m's shape, the final states projected to word_embed_proj_dim != hidden_size. */
    static Backbone lmBackbone(String preset, long seed) {
        if (!preset.equals("tiny-opt-projected")) return Backbones.create(preset, seed);
        return Backbones.create(Backbones.preset("tiny-opt").with(Map.of("word_embed_proj_dim", 16)), seed);
    }

    static Batch lmBatch(NDManager nd, String preset) {
        NDArray ids = nd.create(new long[][]{{2, 5, 7, 3, 9, 4}, {2, 8, 6, 3, 0, 0}});
        NDArray mask = nd.create(new long[][]{{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}});
        if (!preset.contains("t5")) return Batch.encoder(ids, mask, null);
        return new Batch(ids, mask, null, nd.create(new long[][]{{0, 5, 1}, {0, 7, 8}}), nd.create(new long[][]{{1, 1, 0}, {1, 1, 1}}));
    }

    @Test
    void markedAsReconstructionWhereverShown() {
        var cfg = Methods.create("symtune").config();
        assertEquals(true, cfg.toMap().get("reconstruction"));
        assertTrue(cfg.toString().contains("reconstruction"));
        assertTrue(Methods.create("symtune").toString().contains("reconstruction"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"reduction_factor=0|reduction_factor", "reduction_factor=5|does not divide the hidden size 32",
            "reduction_factor=16|not divisible by the 4 attention heads", "kept_layers=0,2|kept_layers entry 2 is out of range",
            "kept_layers=1,1|duplicates", "attention_sharing=yes|'attention_sharing' must be true or false",
            "side_dropout=1|side_dropout", "gates=1|unknown option 'gates'"})
    void badConfigIsRejectedNamingTheKey(String row) {
        String[] kv = row.split("\\|")[0].split("=", 2);
        String msg = row.split("\\|")[1];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            try (TunedModel m = symtune("tiny-bert", Map.of(kv[0], kv[1]), 1)) { m.numParams(); }
        });
        assertTrue(e.getMessage().contains(msg), e.getMessage());
    }
}
