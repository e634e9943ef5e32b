package dev.memtune.backbone;

import dev.memtune.backbones.ParamCount;
import dev.memtune.backbones.Backbones;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.memtune.backbone.opt.OptModel;
import dev.memtune.backbone.t5.T5Attention;
import dev.memtune.backbone.t5.T5Model;
import dev.memtune.nn.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The backbones against Hugging Face's own code: {@code make_fixtures.py} ran tiny random BERT, T5
 * (ReLU, tied; gated-GELU, untied) and OPT (pre-LN; post-LN with projections) models in
 * transformers 4.57.6 and saved weights, inputs and outputs; here the same weights must give the same
 * hidden states, attention probabilities, logits and losses within 1e-5.
 */
class BackboneFixtureTest {
    static final double TOL = 1e-5;

    /** Max |a - b| over the entries where {@code where} (broadcast) is 1; all entries when null. */
    static float diff(NDArray a, NDArray b, NDArray where) {
        assertEquals(b.getShape(), a.getShape(), "shape");
        NDArray d = a.sub(b).abs();
        if (where != null) d = d.mul(where);
        return d.max().getFloat();
    }

    /** Compares and records one tensor; fails listing every mismatch at the end. */
    static final class Check {
        final String fixture;
        final Map<String, Float> diffs = new TreeMap<>();

        Check(String fixture) { this.fixture = fixture; }

        void eq(String key, NDArray got, Map<String, NDArray> io, NDArray where) {
            assertTrue(io.containsKey(key), fixture + ": fixture has no " + key);
            diffs.put(key, diff(got, io.get(key), where));
        }

        void list(String prefix, List<NDArray> got, Map<String, NDArray> io, NDArray where) {
            long n = io.keySet().stream().filter(k -> k.startsWith(prefix + ".")).count();
            assertEquals(n, got.size(), fixture + ": number of " + prefix);
            for (int i = 0; i < got.size(); i++) eq(prefix + "." + i, got.get(i), io, where);
        }

        void verify() {
            float worst = diffs.values().stream().max(Float::compare).orElseThrow();
            System.out.printf("%s: max_abs_diff=%.3g over %d tensors %s%n", fixture, worst, diffs.size(), diffs);
            diffs.forEach((k, v) -> assertTrue(v <= TOL, fixture + ": " + k + " differs from Hugging Face by " + v));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-bert", "tiny-t5", "tiny-t5-gated", "tiny-opt", "tiny-opt-postln"})
    void outputsMatchHuggingFace(String name) {
        Fixture f = new Fixture(name);
        try (NDManager m = NDManager.newBaseManager(); Backbone b = f.load(m.newSubManager())) {
            Map<String, NDArray> io = f.read(m, "io.safetensors");
            Check c = new Check(name);
            NDArray ids = io.get("input_ids"), mask = io.get("attention_mask");
            switch (f.config.modelType) {
                case "bert" -> {
                    BackboneOutput o = b.forward(Batch.encoder(ids, mask, io.get("token_type_ids")), Capture.ALL);
                    c.eq("last_hidden_state", o.lastHiddenState(), io, null);
                    c.eq("pooler_output", o.pooled(), io, null);
                    c.list("hidden_states", o.hiddenStates(), io, null);
                    c.list("attentions", o.attentions(), io, null);
                    Map<String, NDArray> head = f.read(m, "head.safetensors");
                    NDArray logits = o.pooled().matMul(head.get("classifier.weight").transpose()).add(head.get("classifier.bias"));
                    c.eq("logits", logits, io, null);
                    c.eq("loss", LmLoss.crossEntropy(logits, io.get("labels")).reshape(1), io, null);
                }
                case "t5" -> {
                    T5Model t = (T5Model) b;
                    NDArray dec = io.get("decoder_input_ids");
                    T5Model.StackOutput e = t.encode(ids, mask, Capture.ALL);
                    T5Model.StackOutput d = t.decode(dec, null, e.lastHiddenState(), mask, Capture.ALL);
                    c.eq("encoder_last_hidden_state", e.lastHiddenState(), io, null);
                    c.eq("last_hidden_state", d.lastHiddenState(), io, null);
                    c.list("encoder_hidden_states", e.hiddenStates(), io, null);
                    c.list("decoder_hidden_states", d.hiddenStates(), io, null);
                    c.list("encoder_attentions", e.attentions(), io, null);
                    c.list("decoder_attentions", d.attentions(), io, null);
                    c.list("cross_attentions", d.crossAttentions(), io, null);
                    NDArray logits = t.lmLogits(d.lastHiddenState());
                    c.eq("logits", logits, io, null);
                    c.eq("loss", T5Model.loss(logits, io.get("labels")).reshape(1), io, null);
                    // the Backbone entry point computes the same
                    BackboneOutput o = b.forward(new Batch(ids, mask, null, dec, null), Capture.NONE);
                    assertEquals(0f, diff(o.lastHiddenState(), d.lastHiddenState(), null), 1e-7);
                    assertEquals(0f, diff(o.encoderLastHiddenState(), e.lastHiddenState(), null), 1e-7);
                }
                case "opt" -> {
                    assertArrayEquals(io.get("position_ids").toLongArray(), OptModel.positionIds(mask).toLongArray());
                    BackboneOutput o = b.forward(Batch.encoder(ids, mask, null), Capture.ALL);
                    // query rows at padding are not meaningful (a left pad sees no key): compare real tokens only
                    NDArray rows = mask.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                    NDArray tok = rows.expandDims(-1), qry = rows.expandDims(1).expandDims(-1);   // [B,T,1], [B,1,T,1]
                    c.eq("last_hidden_state", o.lastHiddenState(), io, tok);
                    c.list("hidden_states", o.hiddenStates(), io, tok);
                    c.list("attentions", o.attentions(), io, qry);
                    NDArray logits = ((LmBackbone) b).lmLogits(o.lastHiddenState());
                    c.eq("logits", logits, io, tok);
                    c.eq("loss", OptModel.loss(logits, io.get("labels")).reshape(1), io, null);
                }
                default -> fail(f.config.modelType);
            }
            c.verify();
        }
    }

    /** T5's relative-position buckets against HF's {@code _relative_position_bucket} for offsets -200..200. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-t5", "tiny-t5-gated"})
    void relativeBucketsMatchHuggingFace(String name) {
        Fixture f = new Fixture(name);
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> io = f.read(m, "io.safetensors");
            NDArray rel = io.get("relative_position");
            assertArrayEquals(io.get("relative_buckets.bidirectional").toLongArray(),
                    T5Attention.relativePositionBucket(rel, true, 32, 128).toLongArray(), "bidirectional buckets");
            assertArrayEquals(io.get("relative_buckets.causal").toLongArray(),
                    T5Attention.relativePositionBucket(rel, false, 32, 128).toLongArray(), "causal buckets");
        }
    }

    /** Changing a later token leaves every earlier output as it was (OPT; T5 decoder). */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-t5", "tiny-t5-gated", "tiny-opt", "tiny-opt-postln"})
    void laterTokensDoNotChangeEarlierOutputs(String name) {
        Fixture f = new Fixture(name);
        try (NDManager m = NDManager.newBaseManager(); Backbone b = f.load(m.newSubManager())) {
            Map<String, NDArray> io = f.read(m, "io.safetensors");
            boolean t5 = f.config.modelType.equals("t5");
            long[] tokens = (t5 ? io.get("decoder_input_ids") : io.get("input_ids")).get("0:1").toLongArray();
            int t = tokens.length;
            long[] changed = tokens.clone();
            changed[t - 1] = (tokens[t - 1] + 17) % f.config.vocabSize();
            NDArray enc = io.get("input_ids").get("0:1"), encMask = io.get("attention_mask").get("0:1");
            NDArray[] out = new NDArray[2];
            for (int k = 0; k < 2; k++) {
                NDArray x = m.create(k == 0 ? tokens : changed, new Shape(1, t));
                out[k] = t5 ? b.forward(new Batch(enc, encMask, null, x, null), Capture.NONE).lastHiddenState()
                        : b.forward(Batch.encoder(x, x.onesLike(), null), Capture.NONE).lastHiddenState();
            }
            float before = diff(out[0].get(":, 0:" + (t - 1)), out[1].get(":, 0:" + (t - 1)), null);
            float last = diff(out[0].get(":, " + (t - 1) + ":"), out[1].get(":, " + (t - 1) + ":"), null);
            assertTrue(before < 1e-6, name + ": earlier positions changed by " + before);
            assertTrue(last > 1e-3, name + ": the changed position itself did not change (" + last + ")");
        }
    }

    /**
     * A padded row gives at its real tokens what the unpadded sequence gives: BERT and the T5
     * encoder (right padding), the T5 decoder through cross-attention, OPT with left and right padding.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-bert", "tiny-t5", "tiny-t5-gated", "tiny-opt", "tiny-opt-postln"})
    void paddingDoesNotChangeRealTokens(String name) {
        Fixture f = new Fixture(name);
        try (NDManager m = NDManager.newBaseManager(); Backbone b = f.load(m.newSubManager())) {
            Map<String, NDArray> io = f.read(m, "io.safetensors");
            NDArray ids = io.get("input_ids"), mask = io.get("attention_mask");
            String kind = f.config.modelType;
            int rowsChecked = 0;
            for (int r = 0; r < ids.getShape().get(0); r++) {
                long[] mk = mask.get(r).toLongArray();
                int first = 0, end = mk.length;
                while (mk[first] == 0) first++;
                while (mk[end - 1] == 0) end--;
                if (first == 0 && end == mk.length) continue;                     // no padding in this row
                rowsChecked++;
                String row = r + ":" + (r + 1), real = ":, " + first + ":" + end;
                NDArray pid = ids.get(row), pmask = mask.get(row), cid = pid.get(real), cmask = pmask.get(real);
                NDArray padded, clean;
                switch (kind) {
                    case "bert" -> {
                        NDArray tt = io.get("token_type_ids").get(row);
                        padded = b.forward(Batch.encoder(pid, pmask, tt), Capture.NONE).lastHiddenState().get(real);
                        clean = b.forward(Batch.encoder(cid, cmask, tt.get(real)), Capture.NONE).lastHiddenState();
                    }
                    case "t5" -> {
                        NDArray dec = io.get("decoder_input_ids").get(row);
                        BackboneOutput p = b.forward(new Batch(pid, pmask, null, dec, null), Capture.NONE);
                        BackboneOutput q = b.forward(new Batch(cid, cmask, null, dec, null), Capture.NONE);
                        float decDiff = diff(p.lastHiddenState(), q.lastHiddenState(), null);
                        assertTrue(decDiff < TOL, name + ": encoder padding changed the decoder by " + decDiff);
                        padded = p.encoderLastHiddenState().get(real);
                        clean = q.encoderLastHiddenState();
                    }
                    default -> {
                        padded = b.forward(Batch.encoder(pid, pmask, null), Capture.NONE).lastHiddenState().get(real);
                        clean = b.forward(Batch.encoder(cid, cmask, null), Capture.NONE).lastHiddenState();
                    }
                }
                float d = diff(padded, clean, null);
                assertTrue(d < TOL, name + " row " + r + ": padding changed real tokens by " + d);
            }
            assertTrue(rowsChecked > 0, "fixture has no padded row");
        }
    }

    /**
     * Eval-mode gradients of every parameter against PyTorch autograd, through the per-layer scopes
     * (and, for T5, the relative-position bias shared by all layers) for a fixed probe objective
     * J = sum(last_hidden_state * P) (+ pooler / encoder terms). One known divergence is excluded:
     * HF's {@code nn.Embedding(padding_idx=pad)} (BERT word embeddings, OPT embed_tokens) gives the
     * padding token's row no gradient; our Embedding has no padding index, so that single row
     * (reachable only through padded positions) is left out of the comparison.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-bert", "tiny-t5", "tiny-t5-gated", "tiny-opt", "tiny-opt-postln"})
    void gradientsMatchPyTorch(String name) {
        Fixture f = new Fixture(name);
        try (NDManager m = NDManager.newBaseManager(); Backbone b = f.load(m.newSubManager())) {
            Map<String, NDArray> io = f.read(m, "io.safetensors"), want = f.read(m, "grads.safetensors");
            NDArray ids = io.get("input_ids"), mask = io.get("attention_mask");
            String kind = f.config.modelType;
            b.setTrainable(n -> true);
            NDArray objective;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                BackboneOutput o = b.forward(switch (kind) {
                    case "bert" -> Batch.encoder(ids, mask, io.get("token_type_ids"));
                    case "t5" -> new Batch(ids, mask, null, io.get("decoder_input_ids"), null);
                    default -> Batch.encoder(ids, mask, null);
                }, Capture.NONE);
                objective = o.lastHiddenState().mul(want.get("probe.last_hidden_state")).sum();
                if (kind.equals("bert")) objective = objective.add(o.pooled().mul(want.get("probe.pooler_output")).sum());
                if (kind.equals("t5")) objective = objective.add(o.encoderLastHiddenState().mul(want.get("probe.encoder_last_hidden_state")).sum());
                gc.backward(objective);
            }
            assertEquals(want.get("objective").getFloat(0), objective.getFloat(), 1e-5 * Math.max(1, Math.abs(objective.getFloat())));
            String padded = switch (kind) { case "bert" -> "embeddings.word_embeddings.weight"; case "opt" -> "decoder.embed_tokens.weight"; default -> ""; };
            float worst = 0;
            String worstName = "";
            for (Map.Entry<String, Param> e : b.namedParams().entrySet()) {
                NDArray g = want.get(e.getKey()), got = e.getValue().grad();
                if (g == null) {                                              // not in the objective's graph (T5 1.1 lm_head)
                    assertTrue(got == null || got.abs().max().getFloat() == 0f, e.getKey() + " has a gradient PyTorch does not");
                    continue;
                }
                if (e.getKey().equals(padded)) {
                    int pad = f.config.integer("pad_token_id");
                    assertEquals(0f, g.get(pad).abs().max().getFloat(), "PyTorch's padding row has no gradient");
                    NDArray keep = m.arange(0, (int) g.getShape().get(0)).neq(pad).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).expandDims(1);
                    g = g.mul(keep);
                    got = got.mul(keep);
                }
                float d = diff(got, g, null) / Math.max(1f, g.abs().max().getFloat());
                if (d > worst) { worst = d; worstName = e.getKey(); }
            }
            System.out.printf("%s gradients: max relative diff %.3g (%s) over %d parameters%n", name, worst, worstName, b.namedParams().size());
            assertTrue(worst < 1e-4, name + ": gradient of " + worstName + " differs from PyTorch by " + worst + " (relative to max(1, |g|))");
        }
    }

    /** Preset sizes against HF {@code num_parameters()} of the published checkpoints (tied embeddings counted once). */
    @ParameterizedTest
    @CsvSource({"t5-small,60506624", "t5-base,222903552", "t5-large,737668096",
            "opt-125m,125239296", "opt-350m,331196416", "opt-1.3b,1315758080"})
    void presetParameterCountsMatchPublishedModels(String preset, long published) {
        BackboneConfig c = Backbones.preset(preset);
        assertEquals(published, ParamCount.estimate(c), preset + " closed-form count");
        if (published < 130_000_000L) {                                // build the smaller ones for real
            try (NDManager m = NDManager.newBaseManager(); Backbone b = Backbones.construct(m, c, true)) {
                assertEquals(published, b.numParams(), preset + " built model");
            }
        }
    }

    /**
     * Per-layer scoping: after a forward that captures nothing, the only live new arrays are the
     * outputs, whatever the depth, and closing the output returns to the starting count.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-t5", "tiny-opt-postln"})
    void forwardKeepsOnlyItsOutputs(String name) {
        Fixture f = new Fixture(name);
        Map<Integer, Integer> liveByDepth = new TreeMap<>();
        for (int depth : new int[]{2, 6}) {
            BackboneConfig c = f.config.with(f.config.modelType.equals("t5")
                    ? Map.of("num_layers", depth, "num_decoder_layers", depth) : Map.of("num_hidden_layers", depth));
            try (NDManager m = NDManager.newBaseManager(); Backbone b = Backbones.create(c, 5)) {
                b.train(false);
                NDArray ids = m.create(new long[][]{{5, 6, 7, 8}, {9, 10, 0, 0}}), mask = m.create(new long[][]{{1, 1, 1, 1}, {1, 1, 0, 0}});
                Batch in = new Batch(ids, mask, null, c.modelType.equals("t5") ? ids : null, null);
                int before = m.getManagedArrays().size() + b.manager().getManagedArrays().size();
                BackboneOutput o = b.forward(in, Capture.NONE);
                int live = m.getManagedArrays().size() + b.manager().getManagedArrays().size() - before;
                o.close();
                int after = m.getManagedArrays().size() + b.manager().getManagedArrays().size();
                assertEquals(before, after, name + " depth " + depth + ": arrays leaked by the forward");
                liveByDepth.put(depth, live);
            }
        }
        System.out.printf("%s: arrays alive after a capture-free forward, by depth: %s%n", name, liveByDepth);
        assertEquals(liveByDepth.get(2), liveByDepth.get(6), name + ": live arrays grow with depth " + liveByDepth);
    }

    /** Bad configs and inputs fail naming the key, tensor or limit. */
    @Test
    void badInputIsNamed() {
        BackboneConfig t5 = new Fixture("tiny-t5").config, opt = new Fixture("tiny-opt").config;
        com.google.gson.JsonObject noKv = t5.json();
        noKv.remove("d_kv");
        String msg = assertThrows(IllegalArgumentException.class, () -> Backbones.create(BackboneConfig.of(noKv, "x.json"), 1)).getMessage();
        assertTrue(msg.contains("x.json") && msg.contains("'d_kv'"), msg);
        msg = assertThrows(IllegalArgumentException.class, () -> Backbones.create(t5.with(Map.of("feed_forward_proj", "gated-gelu-x")), 1)).getMessage();
        assertTrue(msg.contains("feed_forward_proj"), msg);
        try (NDManager m = NDManager.newBaseManager(); Backbone b = Backbones.create(opt, 1)) {
            NDArray ids = m.zeros(new Shape(1, opt.integer("max_position_embeddings") + 1), ai.djl.ndarray.types.DataType.INT64);
            msg = assertThrows(IllegalArgumentException.class, () -> b.forward(Batch.encoder(ids, ids.onesLike(), null), Capture.NONE)).getMessage();
            assertTrue(msg.contains("max_position_embeddings"), msg);
        }
        Fixture f = new Fixture("tiny-opt");
        try (NDManager m = NDManager.newBaseManager(); Backbone b = Backbones.construct(m, opt.with(Map.of("vocab_size", 100)), true)) {
            msg = assertThrows(IllegalArgumentException.class, () -> b.load(f.read(m, "model.safetensors"), true, "tiny-opt/model.safetensors")).getMessage();
            assertTrue(msg.contains("decoder.embed_tokens.weight") && msg.contains("tiny-opt/model.safetensors"), msg);
        }
    }

    /** {@link Backbones#loadFolder} (the project's safetensors reader and key mapping) gives the same weights as DJL's decoder. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-bert", "tiny-t5", "tiny-t5-gated", "tiny-opt", "tiny-opt-postln"})
    void loadFolderReadsHfFolders(String name) throws java.io.IOException {
        Fixture f = new Fixture(name);
        try (NDManager m = NDManager.newBaseManager(); Backbone ref = f.load(m.newSubManager()); Backbone b = Backbones.loadFolder(f.dir)) {
            assertEquals(ref.namedParams().keySet(), b.namedParams().keySet());
            ref.namedParams().forEach((k, p) -> assertEquals(0f, diff(b.namedParams().get(k).data(), p.data(), null), k));
        }
    }
}
