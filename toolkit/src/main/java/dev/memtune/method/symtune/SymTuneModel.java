package dev.memtune.method.symtune;

import ai.djl.ndarray.NDArray;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbone.Batch;
import dev.memtune.method.HeadSpec;
import dev.memtune.method.TunedModel;
import dev.memtune.method.lst.Trunk;

/**
 * A frozen backbone with the SymTune side network (reconstruction; children {@code backbone},
 * {@code side}, {@code head}). The backbone stack a pooled head reads (BERT and T5 encoders, the OPT
 * decoder) runs a layer at a time without gradient ({@link Trunk});
 * a kept layer hands its output (and, with attention sharing, its attention probabilities) to its
 * side block and is then released.
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
        try (Trunk t = Trunk.of(backbone, b)) {
            NDArray mask = t.additiveMask();                                    // [B,1,1,T] or causal [B,1,T,T]
            NDArray h = t.embed();                                              // [B,T,d], no gradient
            NDArray s = side.first_downsample.forward(h);                       // [B,T,d']
            int last = side.kept.get(side.kept.size() - 1);
            for (int i = 0; i <= last; i++) {
                int k = side.slot(i);
                Trunk.Out o = t.layer(i, h, sharing && k >= 0);
                h.close();
                h = o.hidden();
                if (k >= 0) s = side.step(k, s, h, o.probs(), mask);
                if (o.probs() != null) o.probs().close();
            }
            h.close();
            return side.upsample.forward(s);                                    // [B,T,d]
        }
    }
}
