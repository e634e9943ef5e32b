package dev.memtune.backbone.opt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.memtune.backbone.*;
import dev.memtune.nn.*;
import dev.memtune.nn.Module;

import java.util.ArrayList;
import java.util.List;

/**
 * OPT decoder with Hugging Face {@code OPTModel} semantics and parameter names
 * ({@code decoder.embed_tokens.weight}, {@code decoder.layers.N.self_attn.q_proj.weight}, ...).
 * <pre>
 *   pos = cumsum(mask) * mask - 1 + 2                 learned positions with OPT's offset 2 (pads -> 1)
 *   h0  = project_in(E_tok[x]) + E_pos[pos]
 *   pre-LN  (do_layer_norm_before, all sizes but 350m):  h += Attn(LN1(h)) ; h += W2 ReLU(W1 LN2(h))
 *   post-LN (opt-350m):                                 h = LN1(h + Attn(h)) ; h = LN2(h + W2 ReLU(W1 h))
 *   out = project_out(final_layer_norm(h))             final norm only with pre-LN; projections when
 *                                                      word_embed_proj_dim != hidden_size
 *   Attn = softmax((Q / sqrt(d_head)) K^T + causal-and-padding mask) V;  logits = out E_tok^T
 * </pre>
 * Hidden states follow HF: the embedding sum, the output of each layer but the last, then
 * {@code out}. Query rows at padding positions are not meaningful (left padding leaves them no key).
 * Each layer runs in its own {@link NDScope}.
 */
public final class OptModel extends Backbone implements LmBackbone {
    public final Decoder decoder;

    public OptModel(NDManager m, BackboneConfig c) {
        super(m, c);
        if (!c.modelType.equals("opt")) throw new IllegalArgumentException(c.source + ": OptModel needs model_type opt, got " + c.modelType);
        if (!c.bool("layer_norm_elementwise_affine", true))
            throw new IllegalArgumentException(c.source + ": key 'layer_norm_elementwise_affine' = false is not supported");
        String act = c.str("activation_function", "relu");
        if (!act.equals("relu")) throw new IllegalArgumentException(c.source + ": key 'activation_function' must be relu for OPT, got '" + act + "'");
        decoder = child("decoder", new Decoder(m, c));
    }

    public int numLayers() { return decoder.layers.size(); }

    public Layer layer(int i) { return decoder.layers.get(i); }

    /** HF's position ids: {@code cumsum(mask) * mask - 1 + 2}, so the first real token is row 2 of the table. */
    public static NDArray positionIds(NDArray attentionMask) {
        NDArray mk = attentionMask.toType(DataType.INT64, false);
        return mk.cumSum(1).mul(mk).sub(1).add(2);
    }

    @Override
    public BackboneOutput forward(Batch b, Capture cap) {
        NDArray ids = b.inputIds();
        List<NDArray> hs = new ArrayList<>(), att = new ArrayList<>();
        NDArray mask, h;
        try (NDScope s = new NDScope()) {
            NDArray keys = b.attentionMask() != null ? b.attentionMask() : ids.onesLike();
            mask = F.keep(AttentionMask.additive(keys, true));                                         // [B,1,T,T]
            h = F.keep(decoder.embed(ids, keys));
        }
        if (cap.hiddenStates()) hs.add(h);
        for (int l = 0; l < numLayers(); l++) {
            Layer.Out o = layer(l).forward(h, mask, cap.attentions());
            if (!cap.hiddenStates()) h.close();
            h = o.hidden();
            if (cap.hiddenStates() && l < numLayers() - 1) hs.add(h);
            if (o.probs() != null) att.add(o.probs());
        }
        NDArray out;
        try (NDScope s = new NDScope()) { out = F.keep(decoder.finish(h)); }
        if (out != h) h.close();
        if (cap.hiddenStates()) hs.add(out);
        mask.close();
        F.handOut(hs);
        F.handOut(att);
        F.handOut(List.of(out));                                        // the caller's scope owns the outputs
        return new BackboneOutput(out, null, hs, att, null, List.of(), List.of());
    }

    @Override
    public NDArray lmLogits(NDArray lastHidden) { return logits(lastHidden); }

    /** LM logits [B,T,V]: the output times the (tied) token embedding, as {@code OPTForCausalLM}. */
    public NDArray logits(NDArray lastHidden) {
        return ai.djl.nn.core.Linear.linear(lastHidden, decoder.embed_tokens.weight.data(), null).singletonOrThrow();
    }

    /** HF causal-LM loss: logits at t against labels at t+1, -100 ignored. */
    public static NDArray loss(NDArray logits, NDArray labels) { return LmLoss.causalCrossEntropy(logits, labels); }

    /** HF OPT init: N(0, std) weights and embeddings, zero biases, unit norms, zero padding-token row. */
    @Override
    public void initNormal(double std) {
        super.initNormal(std);
        int pad = config.integer("pad_token_id", 1);
        Param w = decoder.embed_tokens.weight;
        if (pad >= 0 && pad < decoder.embed_tokens.num) {
            float[] v = w.data().toFloatArray();
            java.util.Arrays.fill(v, pad * decoder.embed_tokens.dim, (pad + 1) * decoder.embed_tokens.dim, 0f);
            w.set(manager.create(v, w.data().getShape()));
        }
    }

    // ---- architecture, in order ------------------------------------------------------------------

    /** Self-attention; its adapter slot (kind "attention") acts on the output projection's result. */
    public static final class Attention extends Module implements AdapterSlot {
        public Linear q_proj, k_proj, v_proj, out_proj;
        private Unary adapter;
        final int heads, headDim;
        final double dropout;

        Attention(NDManager m, BackboneConfig c) {
            super(m);
            int h = c.hiddenSize();
            boolean bias = c.bool("enable_bias", true);
            heads = c.numHeads();
            headDim = h / heads;
            k_proj = child("k_proj", new Linear(m, h, h, bias));
            v_proj = child("v_proj", new Linear(m, h, h, bias));
            q_proj = child("q_proj", new Linear(m, h, h, bias));
            out_proj = child("out_proj", new Linear(m, h, h, bias));
            dropout = c.number("attention_dropout", 0.0);
        }

        @Override
        protected void onChildReplaced(String name, Module mod) {
            switch (name) {
                case "q_proj" -> q_proj = (Linear) mod;
                case "k_proj" -> k_proj = (Linear) mod;
                case "v_proj" -> v_proj = (Linear) mod;
                case "out_proj" -> out_proj = (Linear) mod;
                case "adapter" -> adapter = (Unary) mod;
                default -> super.onChildReplaced(name, mod);
            }
        }

        private NDArray split(NDArray x) {                                // [B,T,H] -> [B,h,T,d]
            Shape s = x.getShape();
            return x.reshape(s.get(0), s.get(1), heads, headDim).transpose(0, 2, 1, 3);
        }

        /** Returns the attention output [B,T,H]; puts the probabilities [B,h,T,T] in probsOut[0] if non-null. */
        public NDArray forward(NDArray x, NDArray mask, NDArray[] probsOut) {
            NDArray q = split(q_proj.forward(x)); q = q.mul(dev.memtune.nn.F.scalar(q, Math.pow(headDim, -0.5)));   // HF scales q before the product
            NDArray k = split(k_proj.forward(x)), v = split(v_proj.forward(x));
            NDArray probs = q.matMul(k.transpose(0, 1, 3, 2)).add(mask).softmax(-1);
            if (probsOut != null) probsOut[0] = probs;
            NDArray ctx = F.dropout(probs, dropout, training).matMul(v);  // [B,h,T,d]
            Shape s = x.getShape();
            NDArray y = out_proj.forward(ctx.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), s.get(2)));
            return adapter == null ? y : adapter.forward(y);
        }

        @Override
        public String slotKind() { return "attention"; }

        @Override
        public <A extends Module & Unary> void setAdapter(A a) { adapter = child("adapter", a); }
    }

    /** One decoder layer; its adapter slot (kind "ffn") acts on the fc2 output before the residual. */
    public static final class Layer extends Module implements AdapterSlot {
        public final Attention self_attn;
        public final LayerNorm self_attn_layer_norm, final_layer_norm;
        public Linear fc1, fc2;
        private Unary adapter;
        final boolean preLn;
        final double dropout;

        Layer(NDManager m, BackboneConfig c) {
            super(m);
            int h = c.hiddenSize();
            boolean bias = c.bool("enable_bias", true);
            preLn = c.bool("do_layer_norm_before", true);
            dropout = c.number("dropout", 0.1);
            self_attn = child("self_attn", new Attention(m, c));
            self_attn_layer_norm = child("self_attn_layer_norm", new LayerNorm(m, h, 1e-5));
            fc1 = child("fc1", new Linear(m, h, c.intermediateSize(), bias));
            fc2 = child("fc2", new Linear(m, c.intermediateSize(), h, bias));
            final_layer_norm = child("final_layer_norm", new LayerNorm(m, h, 1e-5));
        }

        @Override
        protected void onChildReplaced(String name, Module mod) {
            switch (name) {
                case "fc1" -> fc1 = (Linear) mod;
                case "fc2" -> fc2 = (Linear) mod;
                case "adapter" -> adapter = (Unary) mod;
                default -> super.onChildReplaced(name, mod);
            }
        }

        @Override
        public String slotKind() { return "ffn"; }

        @Override
        public <A extends Module & Unary> void setAdapter(A a) { adapter = child("adapter", a); }

        /** Attention sub-layer with its residual and norm (before or after, per do_layer_norm_before). */
        public NDArray attentionBlock(NDArray h, NDArray mask, NDArray[] probsOut) {
            return attentionNorm(h.add(attentionBranch(h, mask, probsOut)));
        }

        /** Feed-forward sub-layer with its residual and norm. */
        public NDArray ffnBlock(NDArray h) {
            NDArray f = ffnBranch(ffnInput(h));
            return ffnNorm(h.add(adapter == null ? f : adapter.forward(f)));
        }

        // the two blocks in parts, for methods that add to a branch (MEFT): block = norm(h + branch)

        /** {@code dropout(Attn(LN1(h)))} (pre-LN) or {@code dropout(Attn(h))} (post-LN). */
        public NDArray attentionBranch(NDArray h, NDArray mask, NDArray[] probsOut) {
            return F.dropout(self_attn.forward(preLn ? self_attn_layer_norm.forward(h) : h, mask, probsOut), dropout, training);
        }

        /** LN1 after the residual (post-LN); identity with pre-LN. */
        public NDArray attentionNorm(NDArray y) { return preLn ? y : self_attn_layer_norm.forward(y); }

        /** What the FFN reads: {@code LN2(h)} (pre-LN) or {@code h} (post-LN). */
        public NDArray ffnInput(NDArray h) { return preLn ? final_layer_norm.forward(h) : h; }

        /** {@code dropout(W2 ReLU(W1 x))}, before the layer's adapter slot. */
        public NDArray ffnBranch(NDArray x) {
            return F.dropout(fc2.forward(ai.djl.nn.Activation.relu(fc1.forward(x))), dropout, training);
        }

        /** LN2 after the residual (post-LN); identity with pre-LN. */
        public NDArray ffnNorm(NDArray y) { return preLn ? y : final_layer_norm.forward(y); }

        public record Out(NDArray hidden, NDArray probs) {}

        /** Runs the layer in its own scope; everything but the returned tensors is closed. */
        public Out forward(NDArray h, NDArray mask, boolean wantProbs) {
            try (NDScope s = new NDScope()) {
                NDArray[] p = wantProbs ? new NDArray[1] : null;
                NDArray y = ffnBlock(attentionBlock(h, mask, p));
                return new Out(F.keep(y), wantProbs ? F.keep(p[0]) : null);
            }
        }
    }

    public static final class Decoder extends Module {
        public final Embedding embed_tokens, embed_positions;
        public Linear project_in, project_out;                            // null when word_embed_proj_dim == hidden_size
        public final ModuleList<Layer> layers;
        public final LayerNorm final_layer_norm;                          // null for post-LN (opt-350m)
        final int maxPositions;

        Decoder(NDManager m, BackboneConfig c) {
            super(m);
            int h = c.hiddenSize(), e = c.integer("word_embed_proj_dim", h);
            maxPositions = c.integer("max_position_embeddings");
            embed_tokens = child("embed_tokens", new Embedding(m, c.vocabSize(), e));
            embed_positions = child("embed_positions", new Embedding(m, maxPositions + 2, h));
            boolean finalNorm = c.bool("do_layer_norm_before", true) && !c.bool("_remove_final_layer_norm", false);
            final_layer_norm = finalNorm ? child("final_layer_norm", new LayerNorm(m, h, 1e-5)) : null;
            project_out = e != h ? child("project_out", new Linear(m, h, e, false)) : null;
            project_in = e != h ? child("project_in", new Linear(m, e, h, false)) : null;
            layers = child("layers", new ModuleList<>(m, c.numLayers(), i -> new Layer(m, c)));
        }

        @Override
        protected void onChildReplaced(String name, Module mod) {
            switch (name) {
                case "project_in" -> project_in = (Linear) mod;
                case "project_out" -> project_out = (Linear) mod;
                default -> super.onChildReplaced(name, mod);
            }
        }

        /** Token embeddings (projected in) plus learned positions [B,T,H]. */
        public NDArray embed(NDArray ids, NDArray attentionMask) {
            long t = ids.getShape().get(1);
            if (t > maxPositions)
                throw new IllegalArgumentException("sequence length " + t + " exceeds max_position_embeddings " + maxPositions);
            NDArray x = embed_tokens.forward(ids);
            if (project_in != null) x = project_in.forward(x);
            return x.add(embed_positions.forward(positionIds(attentionMask)));   // HF applies no dropout here
        }

        /** Final norm (pre-LN only) and output projection. */
        public NDArray finish(NDArray h) {
            NDArray y = final_layer_norm != null ? final_layer_norm.forward(h) : h;
            return project_out != null ? project_out.forward(y) : y;
        }
    }
}
