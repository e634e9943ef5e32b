package dev.memtune.method.symtune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.memtune.backbone.Batch;
import dev.memtune.backbone.bert.BertModel;
import dev.memtune.method.HeadSpec;
import dev.memtune.method.TunedModel;
import dev.memtune.nn.F;

/**
 * A frozen BERT-family backbone with the SymTune side network (reconstruction; children
 * {@code backbone}, {@code side}, {@code head}). The backbone runs layer by layer without gradient;
 * a kept layer hands its output (and, with attention sharing, its attention probabilities) to its
 * side block and is then released.
 */
public final class SymTuneModel extends TunedModel {
    public final SymSide side;
    private final BertModel bert;
    private final boolean sharing;

    SymTuneModel(BertModel backbone, HeadSpec spec, SymTuneConfig config, SymSide side) {
        super(backbone, spec, config);
        this.bert = backbone;
        this.sharing = config.attentionSharing();
        this.side = child("side", side);
    }

    @Override
    public NDArray features(Batch b) {
        NDArray types = b.tokenTypeIds() != null ? b.tokenTypeIds() : b.inputIds().zerosLike();
        NDArray mask = b.attentionMask() != null ? b.attentionMask() : b.inputIds().onesLike();
        NDArray ext = BertModel.extendedMask(mask);                                // [B,1,1,T]
        NDArray h;
        try (NDScope s = new NDScope()) {
            h = F.keep(bert.embeddings.forward(b.inputIds(), types));               // [B,T,d], no gradient
        }
        NDArray s = side.first_downsample.forward(h);                               // [B,T,d']
        for (int i = 0; i < bert.numLayers(); i++) {
            int k = side.slot(i);
            BertModel.LayerOut o = bert.layer(i).forward(h, ext, sharing && k >= 0);
            h.close();
            h = o.hidden();
            if (k >= 0) s = side.step(k, s, h, o.probs(), ext);
            if (o.probs() != null) o.probs().close();
        }
        h.close();
        ext.close();
        if (types != b.tokenTypeIds()) types.close();
        if (mask != b.attentionMask()) mask.close();
        return side.upsample.forward(s);                                           // [B,T,d]
    }
}
