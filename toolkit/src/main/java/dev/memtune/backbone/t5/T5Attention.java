package dev.memtune.backbone.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.nn.Embedding;
import dev.memtune.nn.F;
import dev.memtune.nn.Linear;
import dev.memtune.nn.Module;

/**
 * T5 multi-head attention (HF {@code T5Attention}), used for self-attention and, with
 * {@code kv != x}, for encoder-decoder attention. Unlike BERT there is no 1/sqrt(d) scaling and
 * no bias in q, k, v, o; position information enters only as a learned scalar bias per head and
 * relative-position bucket, held by the first layer of each stack and shared by the later ones:
 * <pre>
 *   A = softmax(Q K^T + B_rel + mask) V,   B_rel[h, i, j] = relative_attention_bias[bucket(j - i), h]
 * </pre>
 */
public final class T5Attention extends Module {
    public Linear q, k, v, o;
    public final Embedding relative_attention_bias;   // null unless this is the first layer's self-attention
    final int heads, dKv, numBuckets, maxDistance;
    final double dropout;

    T5Attention(NDManager m, BackboneConfig c, boolean hasRelativeBias) {
        super(m);
        int d = c.hiddenSize();
        heads = c.numHeads();
        dKv = c.integer("d_kv");
        numBuckets = c.integer("relative_attention_num_buckets", 32);
        maxDistance = c.integer("relative_attention_max_distance", 128);
        dropout = c.number("dropout_rate", 0.1);
        int inner = heads * dKv;
        q = child("q", new Linear(m, d, inner, false));
        k = child("k", new Linear(m, d, inner, false));
        v = child("v", new Linear(m, d, inner, false));
        o = child("o", new Linear(m, inner, d, false));
        relative_attention_bias = hasRelativeBias ? child("relative_attention_bias", new Embedding(m, numBuckets, heads)) : null;
    }

    @Override
    protected void onChildReplaced(String name, Module mod) {
        switch (name) {
            case "q" -> q = (Linear) mod;
            case "k" -> k = (Linear) mod;
            case "v" -> v = (Linear) mod;
            case "o" -> o = (Linear) mod;
            default -> super.onChildReplaced(name, mod);
        }
    }

    private NDArray split(NDArray x) {                                    // [B,T,h*d] -> [B,h,T,d]
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, dKv).transpose(0, 2, 1, 3);
    }

    /**
     * @param x        queries' input [B,Tq,D]
     * @param kv       keys' and values' input [B,Tk,D] ({@code x} for self-attention)
     * @param bias     position bias plus additive mask, broadcastable to [B,h,Tq,Tk]
     * @param probsOut if non-null, receives the probabilities [B,h,Tq,Tk] in slot 0
     * @return the attention output [B,Tq,D]
     */
    public NDArray forward(NDArray x, NDArray kv, NDArray bias, NDArray[] probsOut) {
        NDArray qh = split(q.forward(x)), kh = split(k.forward(kv)), vh = split(v.forward(kv));
        NDArray scores = qh.matMul(kh.transpose(0, 1, 3, 2)).add(bias);  // [B,h,Tq,Tk], no 1/sqrt(d)
        NDArray probs = scores.softmax(-1);
        if (probsOut != null) probsOut[0] = probs;
        NDArray ctx = F.dropout(probs, dropout, training).matMul(vh);     // [B,h,Tq,d]
        Shape s = x.getShape();
        return o.forward(ctx.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), (long) heads * dKv));
    }

    /** The learned position bias [1,h,Tq,Tk] (bidirectional buckets for the encoder, causal for the decoder). */
    public NDArray positionBias(int tq, int tk, boolean bidirectional) {
        if (relative_attention_bias == null) throw new IllegalStateException("only the first layer's self-attention holds relative_attention_bias");
        NDArray context = manager.arange(0, tq).toType(DataType.INT64, false).expandDims(1);  // [Tq,1]
        NDArray memory = manager.arange(0, tk).toType(DataType.INT64, false).expandDims(0);   // [1,Tk]
        NDArray buckets = relativePositionBucket(memory.sub(context), bidirectional, numBuckets, maxDistance);
        NDArray values = relative_attention_bias.forward(buckets);                           // [Tq,Tk,h]
        return values.transpose(2, 0, 1).expandDims(0);                                       // [1,h,Tq,Tk]
    }

    /**
     * HF's {@code T5Attention._relative_position_bucket}, with the same float32 operations so that
     * bucket boundaries round identically: half the buckets (per direction, when bidirectional) are
     * exact offsets, the rest grow logarithmically up to {@code maxDistance}; causal buckets map
     * every non-negative offset (a future key) to bucket 0.
     *
     * @param relativePosition int64 {@code memory_position - query_position}
     */
    public static NDArray relativePositionBucket(NDArray relativePosition, boolean bidirectional, int numBuckets, int maxDistance) {
        NDArray rel = relativePosition.toType(DataType.INT64, false);
        NDArray buckets = rel.zerosLike();
        NDArray n;
        if (bidirectional) {
            numBuckets /= 2;
            buckets = rel.gt(0).toType(DataType.INT64, false).mul(numBuckets);
            n = rel.abs();
        } else {
            n = rel.minimum(0).neg();
        }
        int maxExact = numBuckets / 2;
        NDArray isSmall = n.lt(maxExact);
        NDArray large = n.toType(DataType.FLOAT32, false).div((float) maxExact).log()
                .div((float) Math.log((double) maxDistance / maxExact)).mul((float) (numBuckets - maxExact))
                .toType(DataType.INT64, false).add(maxExact);
        large = large.minimum(numBuckets - 1);
        return buckets.add(NDArrays.where(isSmall, n, large));
    }
}
