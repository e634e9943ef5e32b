package dev.memtune.method.meft;

import ai.djl.ndarray.NDArray;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbone.Batch;
import dev.memtune.backbone.bert.BertModel;
import dev.memtune.nn.Unary;

/**
 * What MEFT needs from a backbone kind: the (frozen) embeddings, the attention mask in the kind's
 * form, and each layer's two residual blocks with MEFT's adapter hooks. Only BERT-family encoders
 * are wired so far; T5/OPT would add an implementation here.
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

    static MeftBlocks of(Backbone b, String method) {
        if (b instanceof BertModel bert) return new Bert(bert);
        throw new IllegalArgumentException(method + ": backbone kind '" + b.config().modelType + "' is not supported (MEFT is wired for BERT-family encoders)");
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
}
