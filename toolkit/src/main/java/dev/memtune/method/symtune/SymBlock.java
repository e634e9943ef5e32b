package dev.memtune.method.symtune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.memtune.nn.F;
import dev.memtune.nn.LayerNorm;
import dev.memtune.nn.Linear;
import dev.memtune.nn.Module;

/**
 * One SymTune side block of width d' = d/r with the backbone's h heads (reconstruction, see
 * {@link SymTune}); post-LayerNorm like BERT and with BERT's parameter names, so that with every
 * switch off it is exactly a {@code BertModel.Layer} of width d':
 * <pre>
 *   attention:  A = P_i (attention sharing: the backbone layer's probabilities [B,h,T,T])
 *                 | softmax(Q u (K u)^T / sqrt(d'/h) + mask)                     (sharing off)
 *               a = LN(u + Dropout(W_o (Dropout(A) V u)))
 *   inverse cross attention (queries from the selected backbone features x, keys/values from the side):
 *               a = LN_c(a + Dropout(W_oc softmax(Q_c x (K_c a)^T / sqrt(d'/h) + mask) V_c a))
 *   feed-forward: s' = LN(a + Dropout(W_2 GELU(W_1 a)))
 * </pre>
 */
public final class SymBlock extends Module {
    public final Attention attention, crossattention;      // crossattention null when switched off
    public final Part intermediate, output;

    SymBlock(NDManager m, int width, int ffn, int heads, boolean sharing, boolean ica, double dropout, double attnDropout, double eps) {
        super(m);
        attention = child("attention", new Attention(m, width, heads, !sharing, dropout, attnDropout, eps));
        crossattention = ica ? child("crossattention", new Attention(m, width, heads, true, dropout, attnDropout, eps)) : null;
        intermediate = child("intermediate", new Part(m, width, ffn, false, 0, eps));
        output = child("output", new Part(m, ffn, width, true, dropout, eps));
    }

    /**
     * u: fused side state [B,T,d'], x: selected backbone features [B,T,d'], probs: the backbone's
     * attention probabilities (null unless sharing), ext: additive mask [B,1,1,T]. Runs in its own
     * scope and returns only the new side state.
     */
    public NDArray forward(NDArray u, NDArray x, NDArray probs, NDArray ext) {
        try (NDScope s = new NDScope()) {
            NDArray a = attention.forward(u, u, probs, ext);
            if (crossattention != null) a = crossattention.forward(x, a, null, ext);
            return F.keep(output.forward(F.gelu(intermediate.forward(a)), a));
        }
    }

    /** Multi-head attention whose queries and keys/values may come from different streams, with residual and norm. */
    public static final class Attention extends Module {
        public final Part self, output;
        final Linear query, key, value;      // query/key null when the probabilities are shared
        final int heads, headDim;
        final double attnDropout;

        Attention(NDManager m, int width, int heads, boolean ownScores, double dropout, double attnDropout, double eps) {
            super(m);
            this.heads = heads;
            this.headDim = width / heads;
            this.attnDropout = attnDropout;
            self = child("self", new Part(m, 0, 0, false, 0, eps));
            query = ownScores ? self.add("query", new Linear(m, width, width, true)) : null;
            key = ownScores ? self.add("key", new Linear(m, width, width, true)) : null;
            value = self.add("value", new Linear(m, width, width, true));
            output = child("output", new Part(m, width, width, true, dropout, eps));
        }

        NDArray split(NDArray x) {                                       // [B,T,d'] -> [B,h,T,d'/h]
            Shape s = x.getShape();
            return x.reshape(s.get(0), s.get(1), heads, headDim).transpose(0, 2, 1, 3);
        }

        /** LN(kv + Dropout(W_o ctx)), ctx = Dropout(A) V kv; A = probs if given, else from Q q and K kv. */
        public NDArray forward(NDArray q, NDArray kv, NDArray probs, NDArray ext) {
            NDArray v = split(value.forward(kv));
            NDArray a = probs;
            if (a == null) {
                NDArray scores = split(query.forward(q)).matMul(split(key.forward(kv)).transpose(0, 1, 3, 2));
                a = scores.div(F.scalar(scores, Math.sqrt(headDim))).add(ext).softmax(-1);   // [B,h,T,T]
            }
            NDArray ctx = F.dropout(a, attnDropout, training).matMul(v);            // [B,h,T,d'/h]
            Shape s = kv.getShape();
            return output.forward(ctx.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), s.get(2)), kv);
        }
    }

    /** A dense layer, optionally followed by dropout, residual and LayerNorm (HF BertSelfOutput/BertOutput); also a plain container. */
    public static final class Part extends Module {
        public final Linear dense;
        public final LayerNorm LayerNorm;
        private final double dropout;

        Part(NDManager m, int in, int out, boolean residualNorm, double dropout, double eps) {
            super(m);
            this.dropout = dropout;
            dense = in > 0 ? child("dense", new Linear(m, in, out, true)) : null;
            LayerNorm = residualNorm ? child("LayerNorm", new LayerNorm(m, out, eps)) : null;
        }

        <M extends Module> M add(String name, M m) { return child(name, m); }

        public NDArray forward(NDArray x) { return dense.forward(x); }

        public NDArray forward(NDArray x, NDArray residual) {
            return LayerNorm.forward(F.dropout(dense.forward(x), dropout, training).add(residual));
        }
    }
}
