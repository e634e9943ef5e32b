package dev.memtune.method.meft;

import ai.djl.ndarray.NDArray;
import dev.memtune.backbone.AttentionMask;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbone.Batch;
import ai.djl.ndarray.NDScope;
import dev.memtune.backbone.bert.BertModel;
import dev.memtune.backbone.opt.OptModel;
import dev.memtune.nn.F;
import dev.memtune.nn.Unary;

import java.util.List;

/**
 * What MEFT needs from a backbone kind: the (frozen) embeddings, the attention mask in the kind's
 * form, each layer's two residual blocks with MEFT's adapter hooks, and what the backbone does to
 * its last states before a head reads them. Wired: BERT-family encoders and OPT decoders (pre-LN,
 * and post-LN with projections as opt-350m); T5 would add an implementation here.
 */
interface MeftBlocks {
    int numLayers();

    /** Embedding output [B,T,D] (dropout in training mode). */
    NDArray embed(Batch b);

    /** The attention mask as the blocks take it. */
    NDArray mask(Batch b);

    /** Attention sub-layer with residual and norm; {@code adapter} (MEFT3) is applied sequentially to its branch: {@code LN(h + A(h) + x)}. */
    NDArray attention(int layer, NDArray x, NDArray mask, Unary adapter);

    /** Feed-forward sub-layer with residual and norm and an adapter parallel to it: {@code LN(FFN(a) + A(a) + a)}. */
    NDArray ffn(int layer, NDArray a, Unary parallel);

    /** The backbone's own last step on the top states before a head (OPT: final norm and projection); identity for BERT. */
    default NDArray finish(NDArray h) { return h; }

    static MeftBlocks of(Backbone b, String method) {
        if (b instanceof BertModel bert) return new Bert(bert);
        if (b instanceof OptModel opt) return new Opt(opt);
        throw new IllegalArgumentException(method + ": backbone kind '" + b.config().modelType + "' is not supported (MEFT is wired for BERT-family encoders and OPT)");
    }

    /** HF BertLayer split as the authors' RevBertLayer splits it. */
    record Bert(BertModel bert) implements MeftBlocks {
        public int numLayers() { return bert.numLayers(); }

        public NDArray embed(Batch b) {
            NDArray types = b.tokenTypeIds() != null ? b.tokenTypeIds() : b.inputIds().zerosLike();
            return bert.embeddings.forward(b.inputIds(), types);
        }

        public NDArray mask(Batch b) {
            return BertModel.extendedMask(b.attentionMask() != null ? b.attentionMask() : b.inputIds().onesLike());   // [B,1,1,T]
        }

        public NDArray attention(int i, NDArray x, NDArray mask, Unary adapter) {
            BertModel.Layer l = bert.layer(i);
            if (adapter == null) return l.attentionBlock(x, mask, null);
            BertModel.ResidualOutput o = l.attention.output;
            NDArray h = o.branch(l.attention.self.forward(x, mask, null));          // dropout(dense(ctx)) [B,T,D]
            return o.LayerNorm.forward(h.add(adapter.forward(h)).add(x));
        }

        public NDArray ffn(int i, NDArray a, Unary parallel) {
            BertModel.Layer l = bert.layer(i);
            BertModel.ResidualOutput o = l.output;
            NDArray h = o.branch(l.intermediate.forward(a));                          // dropout(W2 GELU(W1 a)) [B,T,D]
            if (parallel != null) h = h.add(parallel.forward(a));
            return o.LayerNorm.forward(h.add(a));
        }
    }

    /**
     * HF OPTDecoderLayer split the same way. Pre-LN: attention block {@code h + A'(h)} with
     * {@code A'(h) = dropout(Attn(LN1 h))}, MEFT3's adapter on that branch: {@code h + A' + adapter(A')};
     * FFN block {@code a + dropout(FFN(LN2 a))}, the parallel adapter reading what the FFN reads
     * ({@code LN2 a}). Post-LN (opt-350m): the norms close the blocks as in BERT.
     */
    record Opt(OptModel opt) implements MeftBlocks {
        public int numLayers() { return opt.numLayers(); }

        private static NDArray keys(Batch b) { return b.attentionMask() != null ? b.attentionMask() : b.inputIds().onesLike(); }

        public NDArray embed(Batch b) { return opt.decoder.embed(b.inputIds(), keys(b)); }

        public NDArray mask(Batch b) {                                               // causal and padding, [B,1,T,T]
            NDArray m;
            try (NDScope s = new NDScope()) { m = F.keep(AttentionMask.additive(keys(b), true)); }
            F.handOut(List.of(m));
            return m;
        }

        public NDArray attention(int i, NDArray x, NDArray mask, Unary adapter) {
            OptModel.Layer l = opt.layer(i);
            if (adapter == null) return l.attentionBlock(x, mask, null);
            NDArray h = l.attentionBranch(x, mask, null);                             // [B,T,D]
            return l.attentionNorm(h.add(adapter.forward(h)).add(x));
        }

        public NDArray ffn(int i, NDArray a, Unary parallel) {
            OptModel.Layer l = opt.layer(i);
            NDArray in = l.ffnInput(a), h = l.ffnBranch(in);                          // [B,T,D]
            if (parallel != null) h = h.add(parallel.forward(in));
            return l.ffnNorm(h.add(a));
        }

        @Override
        public NDArray finish(NDArray h) { return opt.decoder.finish(h); }
    }
}
