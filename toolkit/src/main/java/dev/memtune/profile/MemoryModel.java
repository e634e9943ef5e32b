package dev.memtune.profile;

import com.google.gson.JsonObject;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.methods.Methods;
import dev.memtune.method.TunedModel;

import java.util.Map;

/**
 * Analytic memory of one training step, the same quantities the profiler measures:
 * <pre>
 *   weights    = 4 * params                    gradients = 4 * trainable
 *   optimizer  = 2 * 4 * trainable (AdamW m, v) activations = saved + transient
 * </pre>
 * {@code saved} replays the forward on a {@link SavedTensors} tape with each method's trainable
 * parameters (full: all; BitFit: biases and norm biases; LoRA: rank-r branches on q, v; adapters:
 * bottlenecks after attention and FFN). Frozen weights do not save their inputs, but as long as any
 * layer below trains the gradient still flows through every layer, so BitFit and LoRA keep most
 * activations (the attention maps, norms, GELU inputs). LST saves only the ladder inputs (the frozen
 * backbone's states, read by trainable ladders) and its narrow side network; MEFT (reversible)
 * saves one layer's worth while it recomputes, plus the streams at the top.
 * {@code transient} is the backward's working set: twice the largest tensor of a layer (the
 * gradient of the attention scores and of their softmax), plus, when the embeddings train, the dense
 * [V, D] embedding gradient(s) that exist before being accumulated into {@code .grad}.
 * Dropout saves a 1-byte mask ({@code F.dropout}, as PyTorch's fused CUDA kernel does), so the figures
 * compare with the GPU papers' directly.
 */
public final class MemoryModel {
    private MemoryModel() {}

    /** The model's figures; {@code saved < 0} when there is no activation model for the method or backbone. */
    public record Estimate(String method, long weights, long grads, long optimizer, long saved, long transientBytes, String basis) {
        public long activations() { return saved < 0 ? -1 : saved + transientBytes; }

        public long staticBytes() { return weights + grads + optimizer; }

        public long peak() { return saved < 0 ? -1 : staticBytes() + activations(); }

        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("weights", weights);
            o.addProperty("grads", grads);
            o.addProperty("optimizer", optimizer);
            o.addProperty("saved", saved);
            o.addProperty("transient", transientBytes);
            o.addProperty("activations", activations());
            o.addProperty("peak", peak());
            o.addProperty("basis", basis);
            return o;
        }
    }

    /** Estimate with parameter counts taken from a built model. */
    public static Estimate estimate(Workload w) {
        try (TunedModel m = w.build()) {
            return estimate(w, m.numParams(), m.numTrainable());
        }
    }

    /** Estimate with the given parameter counts. */
    public static Estimate estimate(Workload w, long params, long trainable) {
        Replay r = replay(w);
        String basis = r == null ? "no activation model for " + w.method() + " on " + w.config().modelType + "/" + w.task() : "saved-tensor replay";
        return new Estimate(w.method(), 4 * params, 4 * trainable, 8 * trainable, r == null ? -1 : r.saved(),
                r == null ? 0 : r.transientBytes(), basis);
    }

    /** What one replayed training step holds and computes: saved bytes, transient bytes, matmul FLOPs. */
    public record Replay(long saved, long transientBytes, long forwardFlops, long backwardFlops) {
        public long flops() { return forwardFlops + backwardFlops; }
    }

    /** Replays one training step of the workload (every position through every layer), or null when its backbone, task or method is not modelled. */
    public static Replay replay(Workload w) { return replay(w, false); }

    /**
     * As {@link #replay(Workload)}; {@code firstToken}: BERT's last layer runs for the pooled first token only
     * ({@code TunedModel.firstTokenLastLayer}) where the method runs the plain encoder.
     */
    public static Replay replay(Workload w, boolean firstToken) {
        BackboneConfig c = w.config();
        // the method's options as its config resolved them (LoRA r, reduction factors, MEFT's bottleneck)
        if (!Methods.available(w.method())) return null;
        Map<String, Object> opts = Methods.create(w.method()).config().toMap();
        String name = Methods.specName(w.method());                  // "lst:backbone_dropout=false" -> "lst"
        Mode mode = Mode.of(name, opts);
        if (mode == null) return null;
        SavedTensors g = new SavedTensors(4, true);
        if (c.modelType.equals("t5") && w.task().equals("lm") && !name.equals("lst") && !name.startsWith("meft")) {
            new T5(c, w.batch(), w.seq(), w.decSeq(), g).step(mode);
            // tied table: the lookup's and the LM projection's dense [V, D] gradients exist before they are accumulated
            long embGrad = mode.embeddings ? 2L * c.vocabSize() * c.hiddenSize() * 4 : 0;
            return new Replay(g.peak(), 2 * g.largest() + embGrad, g.forwardFlops(), g.backwardFlops());
        }
        if (!c.modelType.equals("bert") || !w.task().equals("classification")) return null;
        Bert bert = new Bert(c, w.batch(), w.seq(), g);
        SavedTensors.T h;
        switch (name) {
            case "lst" -> h = bert.lst(num(opts, "reduction_factor").intValue());
            case "meft1", "meft2", "meft3" -> h = bert.meft(mode);
            default -> {
                h = bert.embeddings(mode);
                for (int i = 0; i < c.numLayers(); i++) h = bert.layer(h, mode, firstToken && i == c.numLayers() - 1);
            }
        }
        bert.head(h);
        long embGrad = mode.embeddings ? (long) c.vocabSize() * c.hiddenSize() * 4 : 0;   // dense word-embedding gradient before accumulation
        return new Replay(g.peak(), 2 * g.largest() + embGrad, g.forwardFlops(), g.backwardFlops());
    }

    /** A numeric option of a method's resolved config ({@code MethodConfig.toMap}); every registered method states all of its own. */
    static Number num(Map<String, Object> o, String key) {
        if (!(o.get(key) instanceof Number n)) throw new IllegalStateException("memory model: the method's config has no numeric '" + key + "': " + o);
        return n;
    }

    /** A boolean option of a method's resolved config. */
    static boolean bool(Map<String, Object> o, String key) {
        if (!(o.get(key) instanceof Boolean v)) throw new IllegalStateException("memory model: the method's config has no boolean '" + key + "': " + o);
        return v;
    }

    /** What trains inside a backbone layer under a method. */
    record Mode(boolean weights, boolean biases, boolean norms, boolean embeddings, int loraR, double loraDropout, int adapterDim,
                boolean adapterAttn, boolean adapterCross, boolean adapterFfn, String adapterAct) {
        /** Adapters (when adapterDim != 0) after every sub-layer, ReLU. */
        Mode(boolean weights, boolean biases, boolean norms, boolean embeddings, int loraR, double loraDropout, int adapterDim) {
            this(weights, biases, norms, embeddings, loraR, loraDropout, adapterDim, true, true, true, "relu");
        }

        static Mode of(String method, Map<String, Object> o) {
            return switch (method) {
                case "full" -> new Mode(true, true, true, true, 0, 0, 0);
                case "bitfit" -> new Mode(false, true, true, false, 0, 0, 0);
                case "lora" -> new Mode(false, false, false, false, num(o, "r").intValue(), num(o, "lora_dropout").doubleValue(), 0);
                case "adapter" -> new Mode(false, false, bool(o, "unfreeze_layer_norms"), false, 0, 0, -num(o, "reduction_factor").intValue(),
                        bool(o, "after_attention"), bool(o, "after_cross_attention"), bool(o, "after_ffn"), (String) o.get("non_linearity"));
                case "meft1", "meft2", "meft3" -> new Mode(false, false, false, false, 0, 0, num(o, "bottleneck").intValue());
                case "lst" -> new Mode(false, false, false, false, 0, 0, 0);
                default -> null;
            };
        }

        /**
         * Whether the norms' weights (scales) train: full fine-tuning and adapters with trainable norms; BitFit trains only
         * their biases, which T5's RMS norm does not have (its norms then keep nothing extra).
         */
        boolean normWeights() { return norms && (weights || adapterDim != 0); }

        int bottleneck(int hidden) { return adapterDim < 0 ? Math.max(1, hidden / -adapterDim) : adapterDim; }
    }

    /** The BERT graph of {@code BertModel}, op by op. */
    static final class Bert {
        final int hidden, inter, heads, layers;
        final long b, t;
        final double hidDrop, attDrop;
        final SavedTensors g;

        Bert(BackboneConfig c, long b, long t, SavedTensors g) {
            this(c.hiddenSize(), c.intermediateSize(), c.numHeads(), c.numLayers(), b, t,
                    c.number("hidden_dropout_prob", 0.1), c.number("attention_probs_dropout_prob", 0.1), g);
        }

        Bert(int hidden, int inter, int heads, int layers, long b, long t, double hidDrop, double attDrop, SavedTensors g) {
            this.hidden = hidden; this.inter = inter; this.heads = heads; this.layers = layers;
            this.b = b; this.t = t; this.hidDrop = hidDrop; this.attDrop = attDrop; this.g = g;
        }

        SavedTensors.T embeddings(Mode m) {
            SavedTensors.T w = g.embedding(b * t, hidden, m.embeddings);
            SavedTensors.T p = g.embedding(t, hidden, m.embeddings);
            SavedTensors.T s = g.embedding(b * t, hidden, m.embeddings);
            SavedTensors.T x = g.add(g.add(w, p), s);
            return g.dropout(g.layerNorm(x, hidden, m.norms), hidDrop);
        }

        SavedTensors.T lora(SavedTensors.T x, SavedTensors.T base, Mode m) {
            SavedTensors.T a = g.linear(g.dropout(x, m.loraDropout), m.loraR, hidden, true, false);
            return g.add(base, g.linear(a, hidden, m.loraR, true, false));
        }

        SavedTensors.T adapter(SavedTensors.T x, int dim, String act) {
            SavedTensors.T z = g.activation(g.linear(x, dim, hidden, true, true), act);
            return g.add(x, g.linear(z, hidden, dim, true, true));
        }

        /** One encoder layer as {@code BertModel.Layer.forward}. */
        SavedTensors.T layer(SavedTensors.T x, Mode m) { return layer(x, m, false); }

        /** As {@link #layer(SavedTensors.T, Mode)}; {@code firstOnly}: queries and everything after attention at position 0 only. */
        SavedTensors.T layer(SavedTensors.T x, Mode m, boolean firstOnly) {
            long tq = firstOnly ? 1 : t, bq = b * tq;
            SavedTensors.T k = g.linear(x, hidden, hidden, m.weights, m.biases);             // k first: x is saved whole before its view
            SavedTensors.T v = g.linear(x, hidden, hidden, m.weights, m.biases);
            if (m.loraR > 0) v = lora(x, v, m);
            SavedTensors.T xq = firstOnly ? g.view(x, bq * hidden) : x;                   // x[:, 0:1, :], a view of x
            SavedTensors.T q = g.linear(xq, hidden, hidden, m.weights, m.biases);
            if (m.loraR > 0) q = lora(xq, q, m);
            SavedTensors.T probs = g.savesOutput(g.matmul(q, true, k, true, hidden / heads, b * heads * tq * t));  // softmax(q k^T / sqrt(d) + mask)
            SavedTensors.T ctx = g.matmul(g.dropout(probs, attDrop), false, v, true, t, bq * hidden);
            ctx = g.tensor(ctx.elems(), ctx.rg());                                           // [B,h,T,d] -> [B,T,H] copy
            SavedTensors.T d = g.dropout(g.linear(ctx, hidden, hidden, m.weights, m.biases), hidDrop);
            if (m.adapterDim != 0 && m.adapterAttn) d = adapter(d, m.bottleneck(hidden), m.adapterAct);
            SavedTensors.T a = g.layerNorm(g.add(d, xq), hidden, m.norms);
            SavedTensors.T f = g.gelu(g.linear(a, inter, hidden, m.weights, m.biases));
            SavedTensors.T o = g.dropout(g.linear(f, hidden, inter, m.weights, m.biases), hidDrop);
            if (m.adapterDim != 0 && m.adapterFfn) o = adapter(o, m.bottleneck(hidden), m.adapterAct);
            return g.layerNorm(g.add(o, a), hidden, m.norms);
        }

        /** Classification head on the first token: dropout, dense, tanh, dropout, out_proj, log-softmax. */
        void head(SavedTensors.T h) {
            SavedTensors.T p = g.tensor(b * hidden, h.rg());
            p = g.dropout(p, hidDrop);
            SavedTensors.T x = g.savesOutput(g.linear(p, hidden, hidden, true, true));  // tanh
            x = g.dropout(x, hidDrop);
            SavedTensors.T logits = g.linear(x, 2, hidden, true, true);
            g.savesOutput(logits);                                                           // log-softmax
        }

        /**
         * MEFT: the forward runs every layer without keeping anything; the backward recomputes one
         * layer at a time with grad (its FLOPs count as backward work), holding that layer's saved
         * tensors plus its two input and two output streams and their gradients (6 x [B,T,H]).
         */
        SavedTensors.T meft(Mode m) {
            g.noGrad(true);
            SavedTensors.T x = embeddings(m);
            for (int i = 0; i < layers; i++) x = layer(x, m);
            g.noGrad(false);
            g.keep(6 * b * t * hidden * g.bytes);                  // x1, x2, y1, y2, dy1, dy2
            long f0 = g.forwardFlops();
            for (int i = 0; i < layers; i++) {
                long mark = g.mark();
                layer(g.tensor(b * t * hidden, true), m);
                g.release(mark);
            }
            g.recomputed(f0);
            return g.tensor(b * t * hidden, true);                 // (x1 + x2) / 2 into the head
        }

        /**
         * LST: the frozen backbone runs without grad (only one layer's intermediates at a time), each
         * trainable ladder saves the backbone state it reads, the side network (width / r, same
         * heads) trains in full, gates {@code mu*side + (1-mu)*ladder} save both operands.
         */
        SavedTensors.T lst(int r) {
            int side = hidden / r;
            Bert s = new Bert(side, inter / r, heads, layers, b, t, hidDrop, attDrop, g);
            Mode full = new Mode(true, true, true, false, 0, 0, 0);
            Mode frozen = new Mode(false, false, false, false, 0, 0, 0);
            SavedTensors.T bb = embeddings(frozen);                                         // backbone, no grad
            SavedTensors.T h = g.linear(bb, side, hidden, true, true);                      // first ladder
            for (int i = 0; i < layers; i++) {
                bb = layer(bb, frozen);                                                     // backbone layer i output
                SavedTensors.T ladder = g.linear(bb, side, hidden, true, true);
                SavedTensors.T mu = g.tensor(1, true);
                h = g.add(g.mul(mu, h), g.mul(mu, ladder));
                h = s.layer(h, full);
            }
            return g.linear(h, hidden, side, true, true);                                   // up-projection
        }
    }

    /** The T5 text-to-text graph of {@code T5Model} (pre-norm RMS blocks, no 1/sqrt(d), relative bias, tied LM head), op by op. */
    static final class T5 {
        final int d, ff, heads, dkv, encLayers, decLayers, vocab;
        final long b, t, td;
        final double drop;
        final SavedTensors g;

        T5(BackboneConfig c, long b, long t, long td, SavedTensors g) {
            d = c.hiddenSize(); ff = c.intermediateSize(); heads = c.numHeads(); dkv = c.integer("d_kv");
            encLayers = c.numLayers(); decLayers = c.integer("num_decoder_layers", encLayers); vocab = c.vocabSize();
            drop = c.number("dropout_rate", 0.1);
            if (!c.str("feed_forward_proj", "relu").equals("relu"))
                throw new IllegalArgumentException("memory model: T5 feed_forward_proj '" + c.str("feed_forward_proj", "relu") + "' not modelled (relu only)");
            this.b = b; this.t = t; this.td = td; this.g = g;
        }

        SavedTensors.T lora(SavedTensors.T x, SavedTensors.T base, long out, Mode m) {
            SavedTensors.T a = g.linear(g.dropout(x, m.loraDropout), m.loraR, d, true, false);
            return g.add(base, g.linear(a, out, m.loraR, true, false));
        }

        SavedTensors.T adapter(SavedTensors.T x, int dim, String act) {
            SavedTensors.T z = g.activation(g.linear(x, dim, d, true, true), act);
            return g.add(x, g.linear(z, d, dim, true, true));
        }

        SavedTensors.T attention(SavedTensors.T x, SavedTensors.T kv, long tq, long tk, Mode m) {
            long inner = (long) heads * dkv;
            SavedTensors.T q = g.linear(x, inner, d, m.weights, m.biases);
            if (m.loraR > 0) q = lora(x, q, inner, m);
            SavedTensors.T k = g.linear(kv, inner, d, m.weights, m.biases);
            SavedTensors.T v = g.linear(kv, inner, d, m.weights, m.biases);
            if (m.loraR > 0) v = lora(kv, v, inner, m);
            SavedTensors.T probs = g.savesOutput(g.matmul(q, true, k, true, dkv, b * heads * tq * tk));
            SavedTensors.T ctx = g.matmul(g.dropout(probs, drop), false, v, true, tk, b * tq * inner);
            ctx = g.tensor(ctx.elems(), ctx.rg());                                           // [B,h,T,d] -> [B,T,h*d] copy
            return g.linear(ctx, d, inner, m.weights, m.biases);
        }

        SavedTensors.T attnLayer(SavedTensors.T h, SavedTensors.T enc, long tq, long tk, Mode m) {
            SavedTensors.T x = g.rmsNorm(h, d, m.normWeights());
            SavedTensors.T y = g.dropout(attention(x, enc == null ? x : enc, tq, tk, m), drop);
            if (m.adapterDim != 0 && (enc == null ? m.adapterAttn : m.adapterCross)) y = adapter(y, m.bottleneck(d), m.adapterAct);
            return g.add(h, y);
        }

        SavedTensors.T ffLayer(SavedTensors.T h, Mode m) {
            SavedTensors.T x = g.rmsNorm(h, d, m.normWeights());
            SavedTensors.T z = g.dropout(g.savesOutput(g.linear(x, ff, d, m.weights, m.biases)), drop);   // relu
            SavedTensors.T y = g.dropout(g.linear(z, d, ff, m.weights, m.biases), drop);
            if (m.adapterDim != 0 && m.adapterFfn) y = adapter(y, m.bottleneck(d), m.adapterAct);
            return g.add(h, y);
        }

        SavedTensors.T stack(long len, SavedTensors.T enc, int layers, Mode m) {
            SavedTensors.T h = g.dropout(g.embedding(b * len, d, m.embeddings), drop);
            for (int i = 0; i < layers; i++) {
                h = attnLayer(h, null, len, len, m);
                if (enc != null) h = attnLayer(h, enc, len, t, m);
                h = ffLayer(h, m);
            }
            return g.dropout(g.rmsNorm(h, d, m.normWeights()), drop);
        }

        /** Encoder, decoder, tied LM head (decoder states * d^-0.5 times shared^T), token log-softmax. */
        void step(Mode m) {
            SavedTensors.T enc = stack(t, null, encLayers, m);
            SavedTensors.T dec = stack(td, enc, decLayers, m);
            SavedTensors.T logits = g.linear(g.tensor(dec.elems(), dec.rg()), vocab, d, m.embeddings, false);
            g.savesOutput(logits);                                                          // log-softmax
        }
    }
}
