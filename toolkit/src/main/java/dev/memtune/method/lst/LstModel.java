package dev.memtune.method.lst;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.memtune.backbone.Batch;
import dev.memtune.backbone.bert.BertModel;
import dev.memtune.method.HeadSpec;
import dev.memtune.method.TunedModel;
import dev.memtune.nn.F;

/**
 * A frozen BERT-family backbone with an LST side network (children {@code backbone}, {@code side},
 * {@code head}). The backbone runs layer by layer; its parameters do not record gradients, so none
 * of its intermediates enter the autograd graph, and each layer's output is released as soon as its
 * ladder projection has been taken (the graph holds only what the ladder's weight gradient needs).
 * <pre>
 *   h_0 = Dropout(Emb(x));                 s = W_first h_0 + b
 *   for each backbone layer i:             h_i = Layer_i(h_{i-1})            (no gradient)
 *     if i is kept (slot k):               s = Side_k(mu_k s + (1 - mu_k) (W_k h_i + b_k))
 *   features = W_up s + b_up               [B,T,d] for the task head
 * </pre>
 */
public final class LstModel extends TunedModel {
    public final LstSide side;
    private final BertModel bert;

    LstModel(BertModel backbone, HeadSpec spec, LstConfig config, LstSide side) {
        super(backbone, spec, config);
        this.bert = backbone;
        this.side = child("side", side);
    }

    @Override
    public NDArray features(Batch b) {
        NDArray types = b.tokenTypeIds() != null ? b.tokenTypeIds() : b.inputIds().zerosLike();
        NDArray mask = b.attentionMask() != null ? b.attentionMask() : b.inputIds().onesLike();
        NDArray ext = BertModel.extendedMask(mask);                       // [B,1,1,T]
        NDArray h;
        try (NDScope s = new NDScope()) {
            h = F.keep(bert.embeddings.forward(b.inputIds(), types));      // [B,T,d], no gradient
        }
        NDArray s = side.first_downsample.forward(h);                      // [B,T,d/r]
        for (int i = 0; i < bert.numLayers(); i++) {
            NDArray next = bert.layer(i).forward(h, ext, false).hidden(); // backbone layer i, own scope
            h.close();
            h = next;
            int k = side.slot(i);
            if (k >= 0) s = side.step(k, s, h, ext);
        }
        h.close();
        ext.close();
        if (types != b.tokenTypeIds()) types.close();
        if (mask != b.attentionMask()) mask.close();
        return side.upsample.forward(s);                                  // [B,T,d]
    }

    /**
     * What the side network reads from the backbone for a batch: the embedding output, then the
     * output of each kept layer, in order ([B,T,d] each, no gradient). With backbone dropout off
     * these do not change between epochs, so a cache can store them and train on
     * {@link #sideFeatures} alone. The caller closes the arrays.
     */
    public java.util.List<NDArray> ladderInputs(Batch b) {
        java.util.List<NDArray> out = new java.util.ArrayList<>();
        NDArray types = b.tokenTypeIds() != null ? b.tokenTypeIds() : b.inputIds().zerosLike();
        NDArray mask = b.attentionMask() != null ? b.attentionMask() : b.inputIds().onesLike();
        NDArray ext = BertModel.extendedMask(mask);
        NDArray h;
        try (NDScope s = new NDScope()) {
            h = F.keep(bert.embeddings.forward(b.inputIds(), types));
        }
        out.add(h);
        boolean handedOut = true;
        for (int i = 0; i <= side.kept.get(side.kept.size() - 1); i++) {   // layers above the last kept one are not needed
            NDArray next = bert.layer(i).forward(h, ext, false).hidden();
            if (!handedOut) h.close();
            h = next;
            handedOut = side.slot(i) >= 0;
            if (handedOut) out.add(h);
        }
        ext.close();
        if (types != b.tokenTypeIds()) types.close();
        if (mask != b.attentionMask()) mask.close();
        return out;
    }

    /** The side network and up-projection on ladder inputs from {@link #ladderInputs} (or a cache of them): [B,T,d]. */
    public NDArray sideFeatures(java.util.List<NDArray> ladderInputs, NDArray attentionMask) {
        if (ladderInputs.size() != side.kept.size() + 1)
            throw new IllegalArgumentException("lst: expected " + (side.kept.size() + 1) + " ladder inputs (embeddings + kept layers), got " + ladderInputs.size());
        NDArray ext = BertModel.extendedMask(attentionMask);
        NDArray s = side.first_downsample.forward(ladderInputs.get(0));
        for (int k = 0; k < side.kept.size(); k++) s = side.step(k, s, ladderInputs.get(k + 1), ext);
        return side.upsample.forward(s);
    }
}
