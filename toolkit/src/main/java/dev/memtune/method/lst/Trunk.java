package dev.memtune.method.lst;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.memtune.backbone.AttentionMask;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbone.Batch;
import dev.memtune.backbone.bert.BertModel;
import dev.memtune.backbone.opt.OptModel;
import dev.memtune.backbone.t5.T5Model;
import dev.memtune.nn.F;
import dev.memtune.nn.NoGrad;

import java.util.ArrayList;
import java.util.List;

/**
 * One stack of a frozen backbone, prepared for one batch and run a layer at a time, for side
 * networks (LST, SymTune): the embedding output, then each layer's output (and attention
 * probabilities on request). Everything runs inside a {@link NoGrad} region, so nothing of the
 * backbone enters the autograd graph even inside a gradient collector (its parameters are frozen
 * as well). Every tensor handed out is kept past the caller's scopes and closed by the caller;
 * {@link #close()} frees the per-batch masks.
 */
public abstract class Trunk implements AutoCloseable {
    /** A layer's output [B,T,d] and, if asked, its attention probabilities [B,h,T,T]. */
    public record Out(NDArray hidden, NDArray probs) {}

    protected final NDArray mask;             // [B,T] 1 = token
    private final boolean causal;
    protected final List<NDArray> owned = new ArrayList<>();

    protected Trunk(NDArray mask, boolean causal) {
        this.mask = mask;
        this.causal = causal;
    }

    public abstract int numLayers();

    /** The embedding output [B,T,d] as the backbone's first layer sees it; no autograd history. */
    public final NDArray embed() {
        try (NoGrad g = NoGrad.enter()) { return embedding(); }
    }

    /** Backbone layer {@code i} on {@code h}; no autograd history. */
    public final Out layer(int i, NDArray h, boolean wantProbs) {
        try (NoGrad g = NoGrad.enter()) { return runLayer(i, h, wantProbs); }
    }

    /** The stack's final output from its last layer's output (T5: final norm and dropout; OPT: final norm and projection; BERT: a copy). */
    public final NDArray finish(NDArray last) {
        try (NoGrad g = NoGrad.enter()) { return finishing(last); }
    }

    protected abstract NDArray embedding();

    protected abstract Out runLayer(int i, NDArray h, boolean wantProbs);

    protected NDArray finishing(NDArray last) { return last.duplicate(); }

    public boolean causal() { return causal; }

    /** Padding mask [B,T] of this stack's tokens. */
    public NDArray paddingMask() { return mask; }

    /** Additive mask for a side network's own attention: [B,1,1,T], or [B,1,T,T] for causal stacks (0 keep, dtype-min drop). */
    public NDArray additiveMask() { return AttentionMask.additive(mask, causal); }

    @Override
    public void close() { owned.forEach(NDArray::close); }

    protected NDArray own(NDArray a) {
        owned.add(a);
        return a;
    }

    /** The stack a pooled task head reads: BERT's encoder, T5's encoder, OPT's decoder. */
    public static Trunk of(Backbone b, Batch batch) {
        NDArray mask = batch.attentionMask() != null ? batch.attentionMask() : batch.inputIds().onesLike();
        if (b instanceof BertModel bert) return new Bert(bert, batch, mask);
        if (b instanceof T5Model t5) return new T5(t5, t5.encoder, batch.inputIds(), mask, null, null);
        if (b instanceof OptModel opt) return new Opt(opt, batch.inputIds(), mask);
        throw new IllegalArgumentException("side networks: backbone kind '" + b.config().modelType + "' is not supported (bert, t5, opt)");
    }

    /** T5's decoder stack on the decoder inputs, cross-attending to the backbone encoder's output {@code enc}. */
    public static Trunk t5Decoder(T5Model t5, Batch batch, NDArray enc) {
        NDArray dm = batch.decoderAttentionMask() != null ? batch.decoderAttentionMask() : batch.decoderInputIds().onesLike();
        NDArray em = batch.attentionMask() != null ? batch.attentionMask() : batch.inputIds().onesLike();
        return new T5(t5, t5.decoder, batch.decoderInputIds(), dm, enc, em);
    }

    // ---- kinds ----------------------------------------------------------------------------------

    static final class Bert extends Trunk {
        private final BertModel m;
        private final Batch b;
        private final NDArray ext;

        Bert(BertModel m, Batch b, NDArray mask) {
            super(mask, false);
            this.m = m;
            this.b = b;
            this.ext = own(BertModel.extendedMask(mask));
        }

        public int numLayers() { return m.numLayers(); }

        protected NDArray embedding() {
            try (NDScope s = new NDScope()) {
                NDArray types = b.tokenTypeIds() != null ? b.tokenTypeIds() : b.inputIds().zerosLike();
                return F.keep(m.embeddings.forward(b.inputIds(), types));
            }
        }

        protected Out runLayer(int i, NDArray h, boolean wantProbs) {
            BertModel.LayerOut o = m.layer(i).forward(h, ext, wantProbs);
            return new Out(o.hidden(), o.probs());
        }
    }

    static final class T5 extends Trunk {
        private final T5Model m;
        private final T5Model.Stack stack;
        private final NDArray ids, enc, selfBias, crossBias;

        T5(T5Model m, T5Model.Stack stack, NDArray ids, NDArray mask, NDArray enc, NDArray encMask) {
            super(mask, stack.isDecoder);
            this.m = m;
            this.stack = stack;
            this.ids = ids;
            this.enc = enc;
            int t = (int) ids.getShape().get(1);
            try (NDScope s = new NDScope(); NoGrad g = NoGrad.enter()) {
                selfBias = own(F.keep(stack.block.get(0).selfAttention.attention.positionBias(t, t, !stack.isDecoder)
                        .add(AttentionMask.additive(mask, stack.isDecoder))));
                crossBias = encMask == null ? null : own(F.keep(AttentionMask.additive(encMask, false)));
            }
        }

        public int numLayers() { return stack.block.size(); }

        protected NDArray embedding() {
            try (NDScope s = new NDScope()) {
                return F.keep(F.dropout(m.shared.forward(ids), dropoutRate(), stack.isTraining()));
            }
        }

        private double dropoutRate() { return m.config().number("dropout_rate", 0.1); }

        protected Out runLayer(int i, NDArray h, boolean wantProbs) {
            T5Model.BlockOut o = stack.block.get(i).forward(h, selfBias, enc, crossBias, wantProbs);
            if (o.crossProbs() != null) o.crossProbs().close();
            return new Out(o.hidden(), o.probs());
        }

        @Override
        protected NDArray finishing(NDArray last) {
            try (NDScope s = new NDScope()) {
                return F.keep(F.dropout(stack.final_layer_norm.forward(last), dropoutRate(), stack.isTraining()));
            }
        }
    }

    static final class Opt extends Trunk {
        private final OptModel m;
        private final NDArray ids, additive;

        Opt(OptModel m, NDArray ids, NDArray mask) {
            super(mask, true);
            this.m = m;
            this.ids = ids;
            try (NDScope s = new NDScope()) { additive = own(F.keep(AttentionMask.additive(mask, true))); }
        }

        public int numLayers() { return m.numLayers(); }

        protected NDArray embedding() {                                   // HF OPTDecoder: tokens (projected in) + learned positions, no dropout
            try (NDScope s = new NDScope()) {
                long t = ids.getShape().get(1);
                int max = m.config().integer("max_position_embeddings");
                if (t > max) throw new IllegalArgumentException("sequence length " + t + " exceeds max_position_embeddings " + max);
                NDArray x = m.decoder.embed_tokens.forward(ids);
                if (m.decoder.project_in != null) x = m.decoder.project_in.forward(x);
                return F.keep(x.add(m.decoder.embed_positions.forward(OptModel.positionIds(mask))));
            }
        }

        protected Out runLayer(int i, NDArray h, boolean wantProbs) {
            OptModel.Layer.Out o = m.layer(i).forward(h, additive, wantProbs);
            return new Out(o.hidden(), o.probs());
        }

        @Override
        protected NDArray finishing(NDArray last) {                       // final norm (pre-LN only) and output projection
            try (NDScope s = new NDScope()) {
                NDArray y = m.decoder.final_layer_norm != null ? m.decoder.final_layer_norm.forward(last) : last;
                return F.keep(m.decoder.project_out != null ? m.decoder.project_out.forward(y) : y.duplicate());
            }
        }
    }
}
