package dev.memtune.backbone.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.memtune.backbone.*;
import dev.memtune.nn.*;
import dev.memtune.nn.Module;

import java.util.ArrayList;
import java.util.List;

/**
 * BERT-family encoder with Hugging Face {@code BertModel} semantics and parameter names:
 * post-LayerNorm blocks, exact (erf) GELU, absolute position and token-type embeddings, tanh pooler.
 * Used for bert-base, all-MiniLM-L6-v2 and bge-small-en-v1.5.
 *
 * <pre>
 *   h0 = LN(E_word[x] + E_pos[0..T) + E_type[s])
 *   a  = LN(h + Dropout(W_o Attn(h)))          Attn = softmax(Q K^T / sqrt(d_head) + mask) V
 *   h' = LN(a + Dropout(W_2 GELU(W_1 a)))
 *   pooled = tanh(W_p h_L[:, 0])
 * </pre>
 * Each layer runs in its own {@link NDScope}: only its output (and the captures asked for) leave it.
 * With {@link Capture#firstToken} the last layer runs for position 0 only (queries, attention output,
 * feed-forward; keys and values over every token): about 5/6 of one layer's products, forward and
 * backward, that a first-token head never reads.
 */
public final class BertModel extends Backbone {
    public final Embeddings embeddings;
    public final Encoder encoder;
    public final Pooler pooler;        // null for exports without a pooler (the ONNX sentence-transformers files)

    public BertModel(NDManager m, BackboneConfig c, boolean withPooler) {
        super(m, c);
        if (!c.modelType.equals("bert")) throw new IllegalArgumentException(c.source + ": BertModel needs model_type bert, got " + c.modelType);
        embeddings = child("embeddings", new Embeddings(m, c));
        encoder = child("encoder", new Encoder(m, c));
        pooler = withPooler ? child("pooler", new Pooler(m, c)) : null;
    }

    public int numLayers() { return encoder.layer.size(); }

    public Layer layer(int i) { return encoder.layer.get(i); }

    /** Whether a [B,T] 0/1 mask drops any key (without padding the additive mask is all zeros and is skipped, as HF's SDPA path does). */
    static boolean padded(NDArray attentionMask) {
        try (NDArray min = attentionMask.min(); NDArray m = min.toType(DataType.FLOAT64, false)) { return m.getDouble() == 0; }
    }

    /** [B,T] 0/1 mask to the additive [B,1,1,T] mask HF uses (0 keep, dtype-min drop). */
    public static NDArray extendedMask(NDArray attentionMask) { return AttentionMask.additive(attentionMask, false); }

    @Override
    public BackboneOutput forward(Batch b, Capture cap) {
        NDArray types = b.tokenTypeIds() != null ? b.tokenTypeIds() : b.inputIds().zerosLike();
        NDArray mask = b.attentionMask() != null ? b.attentionMask() : b.inputIds().onesLike();
        NDArray ext = padded(mask) ? extendedMask(mask) : null;           // [B,1,1,T]; none without padding (adds 0)
        List<NDArray> hs = new ArrayList<>(), att = new ArrayList<>();
        NDArray h;
        try (NDScope s = new NDScope()) {
            h = F.keep(embeddings.forward(b.inputIds(), types));           // [B,T,H]
        }
        if (cap.hiddenStates()) hs.add(h);
        for (int i = 0; i < numLayers(); i++) {
            LayerOut o = layer(i).forward(h, ext, cap.attentions(), cap.firstToken() && i == numLayers() - 1);
            if (!cap.hiddenStates()) h.close();                           // done with the previous state
            h = o.hidden();
            if (cap.hiddenStates()) hs.add(h);
            if (o.probs() != null) att.add(o.probs());
        }
        NDArray pooled = null;
        if (pooler != null) try (NDScope s = new NDScope()) { pooled = F.keep(pooler.forward(h)); }
        if (ext != null) ext.close();
        if (types != b.tokenTypeIds()) types.close();
        if (mask != b.attentionMask()) mask.close();
        F.handOut(hs);
        F.handOut(att);
        F.handOut(java.util.Arrays.asList(h, pooled));                 // the caller's scope owns the outputs
        return BackboneOutput.encoder(h, pooled, hs, att);
    }

    /** Output of one layer: the new hidden state and, if asked, its attention probabilities. */
    public record LayerOut(NDArray hidden, NDArray probs) {}

    // ---- architecture, in order ------------------------------------------------------------------

    public static final class Embeddings extends Module {
        public final Embedding word_embeddings, position_embeddings, token_type_embeddings;
        public final LayerNorm LayerNorm;
        private final double dropout;

        Embeddings(NDManager m, BackboneConfig c) {
            super(m);
            int h = c.hiddenSize();
            word_embeddings = child("word_embeddings", new Embedding(m, c.vocabSize(), h));
            position_embeddings = child("position_embeddings", new Embedding(m, c.integer("max_position_embeddings"), h));
            token_type_embeddings = child("token_type_embeddings", new Embedding(m, c.integer("type_vocab_size", 2), h));
            LayerNorm = child("LayerNorm", new LayerNorm(m, h, c.number("layer_norm_eps", 1e-12)));
            dropout = c.number("hidden_dropout_prob", 0.1);
        }

        public NDArray forward(NDArray ids, NDArray types) {              // [B,T] -> [B,T,H]
            long t = ids.getShape().get(1);
            if (t > position_embeddings.num)
                throw new IllegalArgumentException("sequence length " + t + " exceeds max_position_embeddings " + position_embeddings.num);
            NDArray pos = manager.arange(0, (int) t).toType(DataType.INT64, false).expandDims(0);   // [1,T]
            NDArray x = word_embeddings.forward(ids).add(position_embeddings.forward(pos)).add(token_type_embeddings.forward(types));
            return F.dropout(LayerNorm.forward(x), dropout, training);
        }
    }

    public static final class SelfAttention extends Module {
        public Linear query, key, value;
        final int heads, headDim;
        final double dropout;

        SelfAttention(NDManager m, BackboneConfig c) {
            super(m);
            int h = c.hiddenSize();
            heads = c.numHeads();
            headDim = h / heads;
            query = child("query", new Linear(m, h, h, true));
            key = child("key", new Linear(m, h, h, true));
            value = child("value", new Linear(m, h, h, true));
            dropout = c.number("attention_probs_dropout_prob", 0.1);
        }

        @Override
        protected void onChildReplaced(String name, Module mod) {
            switch (name) {
                case "query" -> query = (Linear) mod;
                case "key" -> key = (Linear) mod;
                case "value" -> value = (Linear) mod;
                default -> super.onChildReplaced(name, mod);
            }
        }

        NDArray split(NDArray x) {                                        // [B,T,H] -> [B,h,T,d]
            Shape s = x.getShape();
            return x.reshape(s.get(0), s.get(1), heads, headDim).transpose(0, 2, 1, 3);
        }

        /** Returns the context [B,T,H]; puts the probabilities [B,h,T,T] in probsOut[0] if non-null; {@code ext} null: no key masked. */
        public NDArray forward(NDArray x, NDArray ext, NDArray[] probsOut) { return forward(x, x, ext, probsOut); }

        /** Queries from {@code xq} [B,Tq,H] (a prefix of x's positions), keys and values from x [B,T,H]: context [B,Tq,H]. */
        public NDArray forward(NDArray x, NDArray xq, NDArray ext, NDArray[] probsOut) {
            // the 1/sqrt(d_head) scale goes on q ([B,T,H]), half the size of the scores [B,h,T,T] at T = 128, d_head = 64
            NDArray q = split(query.forward(xq).mul(F.scalar(xq, 1 / Math.sqrt(headDim)))), k = split(key.forward(x)), v = split(value.forward(x));
            NDArray scores = q.matMul(k.transpose(0, 1, 3, 2));
            if (ext != null) scores = scores.add(ext);
            NDArray probs = scores.softmax(-1);
            if (probsOut != null) probsOut[0] = probs;
            NDArray ctx = F.dropout(probs, dropout, training).matMul(v);  // [B,h,Tq,d]
            Shape s = xq.getShape();
            return ctx.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), s.get(2));
        }
    }

    /** Dense + dropout, optional adapter, then residual and LayerNorm (HF BertSelfOutput/BertOutput). */
    public static final class ResidualOutput extends Module implements AdapterSlot {
        public Linear dense;
        private final String kind;
        public final LayerNorm LayerNorm;
        private Unary adapter;           // Houlsby adapter slot, null when none
        private final double dropout;

        ResidualOutput(NDManager m, BackboneConfig c, int in, String kind) {
            super(m);
            this.kind = kind;
            int h = c.hiddenSize();
            dense = child("dense", new Linear(m, in, h, true));
            LayerNorm = child("LayerNorm", new LayerNorm(m, h, c.number("layer_norm_eps", 1e-12)));
            dropout = c.number("hidden_dropout_prob", 0.1);
        }

        @Override
        public String slotKind() { return kind; }

        /** Inserts a module applied to the sub-layer output before the residual (Houlsby et al., 2019). */
        @Override
        public <A extends Module & Unary> void setAdapter(A a) {
            adapter = a;
            child("adapter", a);
        }

        @Override
        protected void onChildReplaced(String name, Module mod) {
            if (name.equals("dense")) dense = (Linear) mod;
            else if (name.equals("adapter")) adapter = (Unary) mod;
            else super.onChildReplaced(name, mod);
        }

        /** The sub-layer's own contribution before residual and norm: adapter(dropout(dense(x))). */
        public NDArray branch(NDArray x) {
            NDArray h = F.dropout(dense.forward(x), dropout, training);
            return adapter == null ? h : adapter.forward(h);
        }

        public NDArray forward(NDArray x, NDArray residual) {
            return LayerNorm.forward(branch(x).add(residual));
        }
    }

    public static final class Attention extends Module {
        public final SelfAttention self;
        public final ResidualOutput output;

        Attention(NDManager m, BackboneConfig c) {
            super(m);
            self = child("self", new SelfAttention(m, c));
            output = child("output", new ResidualOutput(m, c, c.hiddenSize(), "attention"));
        }

        public NDArray forward(NDArray x, NDArray ext, NDArray[] probsOut) { return forward(x, ext, probsOut, false); }

        /** {@code firstOnly}: the output at position 0 only, [B,1,H] (keys and values still over every position). */
        public NDArray forward(NDArray x, NDArray ext, NDArray[] probsOut, boolean firstOnly) {
            NDArray xq = firstOnly ? x.get(new NDIndex(":, 0:1, :")) : x;
            return output.forward(self.forward(x, xq, ext, probsOut), xq);
        }
    }

    public static final class Intermediate extends Module {
        public Linear dense;

        Intermediate(NDManager m, BackboneConfig c) {
            super(m);
            String act = c.str("hidden_act", "gelu");
            if (!act.equals("gelu")) throw new IllegalArgumentException(c.source + ": hidden_act '" + act + "' not supported for bert (gelu)");
            dense = child("dense", new Linear(m, c.hiddenSize(), c.intermediateSize(), true));
        }

        @Override
        protected void onChildReplaced(String name, Module mod) {
            if (name.equals("dense")) dense = (Linear) mod; else super.onChildReplaced(name, mod);
        }

        public NDArray forward(NDArray x) { return F.gelu(dense.forward(x)); }
    }

    public static final class Layer extends Module {
        public final Attention attention;
        public final Intermediate intermediate;
        public final ResidualOutput output;

        Layer(NDManager m, BackboneConfig c) {
            super(m);
            attention = child("attention", new Attention(m, c));
            intermediate = child("intermediate", new Intermediate(m, c));
            output = child("output", new ResidualOutput(m, c, c.intermediateSize(), "ffn"));
        }

        /** Attention sub-layer with its residual and norm. */
        public NDArray attentionBlock(NDArray x, NDArray ext, NDArray[] probsOut) { return attention.forward(x, ext, probsOut); }

        /** Feed-forward sub-layer with its residual and norm. */
        public NDArray ffnBlock(NDArray a) { return output.forward(intermediate.forward(a), a); }

        /** Runs the layer in its own scope; everything but the returned tensors is closed. */
        public LayerOut forward(NDArray x, NDArray ext, boolean wantProbs) { return forward(x, ext, wantProbs, false); }

        /** As {@link #forward(NDArray, NDArray, boolean)}; {@code firstOnly}: output [B,1,H] for position 0 only. */
        public LayerOut forward(NDArray x, NDArray ext, boolean wantProbs, boolean firstOnly) {
            try (NDScope s = new NDScope()) {
                NDArray[] probs = wantProbs ? new NDArray[1] : null;
                NDArray y = ffnBlock(attention.forward(x, ext, probs, firstOnly));
                return new LayerOut(F.keep(y), wantProbs ? F.keep(probs[0]) : null);
            }
        }
    }

    public static final class Encoder extends Module {
        public final ModuleList<Layer> layer;

        Encoder(NDManager m, BackboneConfig c) {
            super(m);
            layer = child("layer", new ModuleList<>(m, c.numLayers(), i -> new Layer(m, c)));
        }
    }

    public static final class Pooler extends Module {
        public Linear dense;

        Pooler(NDManager m, BackboneConfig c) {
            super(m);
            dense = child("dense", new Linear(m, c.hiddenSize(), c.hiddenSize(), true));
        }

        @Override
        protected void onChildReplaced(String name, Module mod) {
            if (name.equals("dense")) dense = (Linear) mod; else super.onChildReplaced(name, mod);
        }

        public NDArray forward(NDArray h) {                                // [B,T,H] -> [B,H]
            return dense.forward(h.get(new NDIndex(":, 0, :"))).tanh();
        }
    }
}
