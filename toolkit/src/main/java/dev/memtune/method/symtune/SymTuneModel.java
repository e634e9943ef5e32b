package dev.memtune.method.symtune;

import ai.djl.ndarray.NDArray;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbone.Batch;
import dev.memtune.backbone.Capture;
import dev.memtune.backbone.t5.T5Model;
import dev.memtune.method.HeadSpec;
import dev.memtune.method.TunedModel;
import dev.memtune.method.lst.Trunk;

/**
 * A frozen backbone with the SymTune side network (reconstruction; children {@code backbone},
 * {@code side}, {@code head}). The backbone stack a pooled head reads (BERT and T5 encoders, the OPT
 * decoder) runs a layer at a time without gradient ({@link Trunk});
 * a kept layer hands its output (and, with attention sharing, its attention probabilities) to its
 * side block and is then released.
 * <pre>
 *   pooled heads:      features = W_up s + b_up                               [B,T,d]
 *   LM heads (this project's extension; the paper describes no encoder-decoder or LM-head design):
 *     OPT causal LM:   logits = LMHead(Final(h_L) + W_up s + b_up)
 *     T5 text-to-text: e = Final(h_L) + W_up s + b_up  (encoder side);   logits = LMHead(Dec(y_&lt;t, e))
 * </pre>
 * With an LM head W_up and b_up start at zero, so training starts from the backbone's own outputs
 * (as LoRA's B = 0); the frozen T5 decoder passes gradients to e but has none of its own.
 */
public final class SymTuneModel extends TunedModel {
    public final SymSide side;
    private final boolean sharing;

    SymTuneModel(Backbone backbone, HeadSpec spec, SymTuneConfig config, SymSide side) {
        super(backbone, spec, config);
        this.sharing = config.attentionSharing();
        this.side = child("side", side);
    }

    @Override
    public NDArray features(Batch b) {
        boolean lm = head == null;
        try (Trunk t = Trunk.of(backbone, b)) {
            NDArray mask = t.additiveMask();                                    // [B,1,1,T] or causal [B,1,T,T]
            NDArray h = t.embed();                                              // [B,T,d], no gradient
            NDArray s = side.first_downsample.forward(h);                       // [B,T,d']
            int last = lm ? t.numLayers() - 1 : side.kept.get(side.kept.size() - 1);
            for (int i = 0; i <= last; i++) {
                int k = side.slot(i);
                Trunk.Out o = t.layer(i, h, sharing && k >= 0);
                h.close();
                h = o.hidden();
                if (k >= 0) s = side.step(k, s, h, o.probs(), mask);
                if (o.probs() != null) o.probs().close();
            }
            NDArray up = side.upsample.forward(s);                              // [B,T,d]
            if (!lm) {
                h.close();
                return up;
            }
            NDArray fin = t.finish(h);                                          // the stack's own output, no gradient
            h.close();
            NDArray out = fin.add(up);
            fin.close();
            return out;
        }
    }

    @Override
    public NDArray lmHidden(Batch b) {
        if (!(backbone instanceof T5Model t5)) return features(b);
        if (b.decoderInputIds() == null) throw new IllegalArgumentException("symtune: T5 text-to-text needs decoder_input_ids");
        NDArray e = features(b);                                                // [B,T,d]
        T5Model.StackOutput dec = t5.decode(b.decoderInputIds(), b.decoderAttentionMask(), e, b.attentionMask(), Capture.NONE);
        return dec.lastHiddenState();                                           // [B,Td,d]
    }
}
