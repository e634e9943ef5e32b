package dev.memtune.backbone.t5;

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
 * T5 encoder-decoder with Hugging Face {@code T5ForConditionalGeneration} semantics and parameter
 * names ({@code shared.weight}, {@code encoder.block.N.layer.0.SelfAttention.q.weight}, ...):
 * pre-norm blocks with RMS norm ({@link T5LayerNorm}), relative position bias from the first
 * layer of each stack ({@link T5Attention}), ReLU or gated-GELU feed-forward, a final norm per stack.
 * <pre>
 *   encoder:  h += SelfAttn(RMS(h)) ; h += FF(RMS(h))             (bidirectional buckets)
 *   decoder:  h += SelfAttn(RMS(h)) ; h += CrossAttn(RMS(h), enc) ; h += FF(RMS(h))   (causal)
 *   logits = (h_dec * d_model^-0.5) shared^T   when tie_word_embeddings (T5 1.0), else lm_head(h_dec)
 * </pre>
 * Hidden states follow HF's {@code output_hidden_states}: the embedding output, the output of each
 * block but the last, then the stack's output after its final norm. Each block runs in its own
 * {@link NDScope}: only its output (and the captures asked for) leave it.
 */
public final class T5Model extends Backbone implements LmBackbone {
    public final Embedding shared;
    public final Stack encoder, decoder;
    public final Linear lm_head;          // null when tied to shared (T5 1.0); T5 1.1 has its own
    public final boolean tied;

    public T5Model(NDManager m, BackboneConfig c) {
        super(m, c);
        if (!c.modelType.equals("t5")) throw new IllegalArgumentException(c.source + ": T5Model needs model_type t5, got " + c.modelType);
        c.integer("d_kv");                                                // fail early, naming the key
        tied = c.bool("tie_word_embeddings", true);
        shared = child("shared", new Embedding(m, c.vocabSize(), c.hiddenSize()));
        encoder = child("encoder", new Stack(m, c, false, c.numLayers()));
        decoder = child("decoder", new Stack(m, c, true, c.integer("num_decoder_layers", c.numLayers())));
        lm_head = tied ? null : child("lm_head", new Linear(m, c.hiddenSize(), c.vocabSize(), false));
    }

    /** What one stack hands out; {@code crossAttentions} is empty for the encoder. */
    public record StackOutput(NDArray lastHiddenState, List<NDArray> hiddenStates, List<NDArray> attentions,
                              List<NDArray> crossAttentions) {}

    /** Runs the encoder on {@code input_ids} [B,T] with {@code attention_mask} [B,T] (null = all ones). */
    public StackOutput encode(NDArray inputIds, NDArray attentionMask, Capture cap) {
        return encoder.forward(shared, inputIds, attentionMask, null, null, cap);
    }

    /**
     * Runs the decoder on {@code decoder_input_ids} [B,Td] (HF: labels shifted right after
     * {@code decoder_start_token_id}) against the encoder output [B,T,D].
     */
    public StackOutput decode(NDArray decoderInputIds, NDArray decoderAttentionMask, NDArray encoderHidden,
                              NDArray encoderAttentionMask, Capture cap) {
        return decoder.forward(shared, decoderInputIds, decoderAttentionMask, encoderHidden, encoderAttentionMask, cap);
    }

    /**
     * Encoder then decoder; the decoder's states are the main fields, the encoder's the
     * {@code encoder*} fields. Without {@code decoder_input_ids} only the encoder runs and its
     * states fill both (T5-encoder features for pooled heads).
     */
    @Override
    public BackboneOutput forward(Batch b, Capture cap) {
        StackOutput enc = encode(b.inputIds(), b.attentionMask(), cap);
        if (b.decoderInputIds() == null)
            return new BackboneOutput(enc.lastHiddenState(), null, enc.hiddenStates(), enc.attentions(),
                    enc.lastHiddenState(), enc.hiddenStates(), enc.attentions());
        StackOutput dec = decode(b.decoderInputIds(), b.decoderAttentionMask(), enc.lastHiddenState(), b.attentionMask(), cap);
        dec.crossAttentions().forEach(NDArray::close);    // no slot in BackboneOutput: use decode() to get them
        return new BackboneOutput(dec.lastHiddenState(), null, dec.hiddenStates(), dec.attentions(),
                enc.lastHiddenState(), enc.hiddenStates(), enc.attentions());
    }

    /** LM logits [B,Td,V] from the decoder output, with HF's d_model^-0.5 rescaling for tied embeddings. */
    @Override
    public NDArray lmLogits(NDArray decoderHidden) { return logits(decoderHidden); }

    /** Same as {@link #lmLogits}. */
    public NDArray logits(NDArray decoderHidden) {
        if (lm_head != null) return lm_head.forward(decoderHidden);
        NDArray scaled = decoderHidden.mul(dev.memtune.nn.F.scalar(decoderHidden, Math.pow(config.hiddenSize(), -0.5)));
        return ai.djl.nn.core.Linear.linear(scaled, shared.weight.data(), null).singletonOrThrow();
    }

    /** Mean token cross-entropy of {@code logits} [B,T,V] against {@code labels} [B,T] (-100 = ignored), as HF. */
    public static NDArray loss(NDArray logits, NDArray labels) { return LmLoss.crossEntropy(logits, labels); }

    /** HF T5 init: norms 1, embeddings N(0, f), q N(0, f (d d_kv)^-1/2), k/v/wi N(0, f d^-1/2), o N(0, f (h d_kv)^-1/2), wo N(0, f d_ff^-1/2). */
    @Override
    public void initNormal(double factor) {
        double d = config.hiddenSize(), dKv = config.integer("d_kv"), h = config.numHeads(), ff = config.intermediateSize();
        namedParams().forEach((n, p) -> {
            Shape s = p.data().getShape();
            double std;
            if (n.endsWith("layer_norm.weight")) { p.set(manager.ones(s)); return; }
            else if (n.endsWith(".q.weight")) std = Math.pow(d * dKv, -0.5);
            else if (n.endsWith(".k.weight") || n.endsWith(".v.weight") || n.contains(".wi") || n.endsWith("relative_attention_bias.weight")) std = Math.pow(d, -0.5);
            else if (n.endsWith(".o.weight")) std = Math.pow(h * dKv, -0.5);
            else if (n.endsWith(".wo.weight")) std = Math.pow(ff, -0.5);
            else std = 1.0;                                               // shared, lm_head
            p.set(manager.randomNormal(0f, (float) (factor * std), s, DataType.FLOAT32));
        });
    }

    // ---- architecture, in order ------------------------------------------------------------------

    /** Self-attention sub-layer with its pre-norm and residual (HF {@code T5LayerSelfAttention} / {@code T5LayerCrossAttention}). */
    public static final class AttentionLayer extends Module implements AdapterSlot {
        public final T5Attention attention;
        public final T5LayerNorm layer_norm;
        private Unary adapter;                                            // Houlsby adapter slot, null when none
        private final double dropout;
        private final boolean cross;

        AttentionLayer(NDManager m, BackboneConfig c, String name, boolean hasRelativeBias) {
            super(m);
            cross = name.equals("EncDecAttention");
            attention = child(name, new T5Attention(m, c, hasRelativeBias));
            layer_norm = child("layer_norm", new T5LayerNorm(m, c.hiddenSize(), c.number("layer_norm_epsilon", 1e-6)));
            dropout = c.number("dropout_rate", 0.1);
        }

        @Override
        public String slotKind() { return cross ? "cross_attention" : "attention"; }

        @Override
        public <A extends Module & Unary> void setAdapter(A a) { adapter = child("adapter", a); }

        @Override
        protected void onChildReplaced(String name, Module mod) {
            if (name.equals("adapter")) adapter = (Unary) mod; else super.onChildReplaced(name, mod);
        }

        NDArray forward(NDArray h, NDArray kv, NDArray bias, NDArray[] probsOut) {
            NDArray x = layer_norm.forward(h);
            NDArray y = F.dropout(attention.forward(x, kv == null ? x : kv, bias, probsOut), dropout, training);
            return h.add(adapter == null ? y : adapter.forward(y));
        }
    }

    /** Feed-forward: {@code wo(act(wi x))}, or gated {@code wo(act(wi_0 x) * wi_1 x)} (HF {@code T5DenseActDense} / {@code T5DenseGatedActDense}). */
    public static final class DenseReluDense extends Module {
        public Linear wi, wi_0, wi_1, wo;
        final String act;
        private final double dropout;

        DenseReluDense(NDManager m, BackboneConfig c) {
            super(m);
            String proj = c.str("feed_forward_proj", "relu");
            String[] parts = proj.split("-");
            boolean gated = parts.length == 2 && parts[0].equals("gated");
            if (parts.length > 2 || (parts.length == 2 && !gated))
                throw new IllegalArgumentException(c.source + ": key 'feed_forward_proj' must be ACT or gated-ACT, got '" + proj + "'");
            act = proj.equals("gated-gelu") ? "gelu_new" : parts[parts.length - 1];   // HF's backwards-compatible special case
            if (!List.of("relu", "gelu", "gelu_new", "silu").contains(act))
                throw new IllegalArgumentException(c.source + ": feed_forward_proj activation '" + act + "' not supported (relu, gelu, gelu_new, silu)");
            int d = c.hiddenSize(), ff = c.intermediateSize();
            if (gated) {
                wi_0 = child("wi_0", new Linear(m, d, ff, false));
                wi_1 = child("wi_1", new Linear(m, d, ff, false));
            } else {
                wi = child("wi", new Linear(m, d, ff, false));
            }
            wo = child("wo", new Linear(m, ff, d, false));
            dropout = c.number("dropout_rate", 0.1);
        }

        @Override
        protected void onChildReplaced(String name, Module mod) {
            switch (name) {
                case "wi" -> wi = (Linear) mod;
                case "wi_0" -> wi_0 = (Linear) mod;
                case "wi_1" -> wi_1 = (Linear) mod;
                case "wo" -> wo = (Linear) mod;
                default -> super.onChildReplaced(name, mod);
            }
        }

        private NDArray activate(NDArray x) {
            return switch (act) {
                case "relu" -> ai.djl.nn.Activation.relu(x);
                case "gelu" -> F.gelu(x);
                case "gelu_new" -> F.geluTanh(x);
                default -> x.mul(ai.djl.nn.Activation.sigmoid(x));          // silu
            };
        }

        public NDArray forward(NDArray x) {                              // [B,T,D] -> [B,T,D]
            NDArray h = wi != null ? activate(wi.forward(x)) : activate(wi_0.forward(x)).mul(wi_1.forward(x));
            return wo.forward(F.dropout(h, dropout, training));
        }
    }

    /** Feed-forward sub-layer with its pre-norm and residual (HF {@code T5LayerFF}). */
    public static final class FfLayer extends Module implements AdapterSlot {
        public final DenseReluDense DenseReluDense;
        public final T5LayerNorm layer_norm;
        private Unary adapter;                                            // Houlsby adapter slot, null when none
        private final double dropout;

        FfLayer(NDManager m, BackboneConfig c) {
            super(m);
            DenseReluDense = child("DenseReluDense", new DenseReluDense(m, c));
            layer_norm = child("layer_norm", new T5LayerNorm(m, c.hiddenSize(), c.number("layer_norm_epsilon", 1e-6)));
            dropout = c.number("dropout_rate", 0.1);
        }

        @Override
        public String slotKind() { return "ffn"; }

        @Override
        public <A extends Module & Unary> void setAdapter(A a) { adapter = child("adapter", a); }

        @Override
        protected void onChildReplaced(String name, Module mod) {
            if (name.equals("adapter")) adapter = (Unary) mod; else super.onChildReplaced(name, mod);
        }

        NDArray forward(NDArray h) {
            NDArray y = F.dropout(DenseReluDense.forward(layer_norm.forward(h)), dropout, training);
            return h.add(adapter == null ? y : adapter.forward(y));
        }
    }

    /** Output of one block: new hidden state and, if asked, self- and cross-attention probabilities. */
    public record BlockOut(NDArray hidden, NDArray probs, NDArray crossProbs) {}

    /** One block: {@code layer.0} self-attention, {@code layer.1} cross-attention (decoder only), then feed-forward. */
    public static final class Block extends Module {
        public final ModuleList<Module> layer;
        public final AttentionLayer selfAttention, crossAttention;      // crossAttention null in the encoder
        public final FfLayer ff;

        Block(NDManager m, BackboneConfig c, boolean isDecoder, boolean hasRelativeBias) {
            super(m);
            layer = child("layer", new ModuleList<>(m, isDecoder ? 3 : 2, i ->
                    i == 0 ? new AttentionLayer(m, c, "SelfAttention", hasRelativeBias)
                            : (i == 1 && isDecoder) ? new AttentionLayer(m, c, "EncDecAttention", false) : new FfLayer(m, c)));
            selfAttention = (AttentionLayer) layer.get(0);
            crossAttention = isDecoder ? (AttentionLayer) layer.get(1) : null;
            ff = (FfLayer) layer.get(isDecoder ? 2 : 1);
        }

        /** Runs the block in its own scope; everything but the returned tensors is closed. */
        public BlockOut forward(NDArray h, NDArray selfBias, NDArray enc, NDArray crossBias, boolean wantProbs) {
            try (NDScope s = new NDScope()) {
                NDArray[] p = wantProbs ? new NDArray[1] : null, cp = wantProbs ? new NDArray[1] : null;
                NDArray y = selfAttention.forward(h, null, selfBias, p);
                if (crossAttention != null) y = crossAttention.forward(y, enc, crossBias, cp);
                y = ff.forward(y);
                return new BlockOut(F.keep(y), wantProbs ? F.keep(p[0]) : null,
                        wantProbs && crossAttention != null ? F.keep(cp[0]) : null);
            }
        }
    }

    /** Encoder or decoder stack (HF {@code T5Stack}); the embedding is the model's {@code shared}. */
    public static final class Stack extends Module {
        public final ModuleList<Block> block;
        public final T5LayerNorm final_layer_norm;
        public final boolean isDecoder;
        private final double dropout;

        Stack(NDManager m, BackboneConfig c, boolean isDecoder, int layers) {
            super(m);
            this.isDecoder = isDecoder;
            block = child("block", new ModuleList<>(m, layers, i -> new Block(m, c, isDecoder, i == 0)));
            final_layer_norm = child("final_layer_norm", new T5LayerNorm(m, c.hiddenSize(), c.number("layer_norm_epsilon", 1e-6)));
            dropout = c.number("dropout_rate", 0.1);
        }

        StackOutput forward(Embedding embed, NDArray ids, NDArray mask, NDArray enc, NDArray encMask, Capture cap) {
            if (isDecoder && enc == null) throw new IllegalArgumentException("the T5 decoder needs the encoder output");
            int t = (int) ids.getShape().get(1);
            List<NDArray> hs = new ArrayList<>(), att = new ArrayList<>(), cross = new ArrayList<>();
            NDArray selfBias, crossBias = null, h;
            try (NDScope s = new NDScope()) {
                NDArray keys = mask != null ? mask : ids.onesLike();
                NDArray additive = AttentionMask.additive(keys, isDecoder);                               // [B,1,1,T]; decoder [B,1,T,T]
                selfBias = F.keep(block.get(0).selfAttention.attention.positionBias(t, t, !isDecoder).add(additive));
                if (isDecoder) {
                    NDArray ek = encMask != null ? encMask : enc.get(":, :, 0").onesLike();
                    crossBias = F.keep(AttentionMask.additive(ek, false));
                }
                h = F.keep(F.dropout(embed.forward(ids), dropout, training));                            // [B,T,D]
            }
            if (cap.hiddenStates()) hs.add(h);
            for (int i = 0; i < block.size(); i++) {
                BlockOut o = block.get(i).forward(h, selfBias, enc, crossBias, cap.attentions());
                if (!cap.hiddenStates()) h.close();                       // done with the previous state
                h = o.hidden();
                if (cap.hiddenStates() && i < block.size() - 1) hs.add(h);
                if (o.probs() != null) att.add(o.probs());
                if (o.crossProbs() != null) cross.add(o.crossProbs());
            }
            NDArray out;
            try (NDScope s = new NDScope()) {
                out = F.keep(F.dropout(final_layer_norm.forward(h), dropout, training));
            }
            h.close();                                                   // the last block's raw output is not handed out (as HF)
            if (cap.hiddenStates()) hs.add(out);
            selfBias.close();
            if (crossBias != null) crossBias.close();
            for (List<NDArray> l : List.of(hs, att, cross)) F.handOut(l);
            F.handOut(List.of(out));                                    // the caller's scope owns the outputs
            return new StackOutput(out, hs, att, cross);
        }
    }
}
