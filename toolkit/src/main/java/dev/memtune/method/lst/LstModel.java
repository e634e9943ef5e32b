package dev.memtune.method.lst;

import ai.djl.ndarray.NDArray;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbone.Batch;
import dev.memtune.backbone.t5.T5Model;
import dev.memtune.method.HeadSpec;
import dev.memtune.method.Split;
import dev.memtune.method.SplitCache;
import dev.memtune.method.TunedModel;

import java.util.List;

/**
 * A frozen backbone with an LST side network (children {@code backbone}, {@code side}, {@code head}).
 * The backbone runs a layer at a time ({@link Trunk}) in a no-grad region and with frozen
 * parameters, so none of its intermediates enter the autograd graph, and each layer's output is
 * released once its ladder has read it (the graph keeps only what the ladder's weight gradient needs).
 * <pre>
 *   pooled heads:      features = W_up Side(backbone stack) + b_up            [B,T,d]
 *   T5 text-to-text:   e = SideEnc(backbone encoder);  s = SideDec(backbone decoder, cross-attending to e)
 *                      logits = LMHead(W_up s + b_up)   (the frozen head, d^-0.5 scaling when tied)
 *   OPT causal LM:     logits = LMHead(W_up Side(backbone decoder) + b_up)
 * </pre>
 */
public final class LstModel extends TunedModel {
    public final LstSide side;

    LstModel(Backbone backbone, HeadSpec spec, LstConfig config, LstSide side) {
        super(backbone, spec, config);
        this.side = child("side", side);
    }

    private int openCaches;               // backbone_cache: caches open now; the backbone then runs without dropout

    /**
     * Training mode for the side network and head; the frozen backbone too unless {@code backbone_dropout}
     * is false or a {@link #cache} is open (cached ladder inputs need a deterministic backbone).
     */
    @Override
    public void train(boolean on) {
        super.train(on);
        if (!((LstConfig) config).backboneDropout() || openCaches > 0) backbone.train(false);
    }

    /**
     * {@code backbone_cache}: a {@link LadderCache} over the split (null when the option is {@code off}).
     * Pooled heads only: text-to-text reads the side decoder, which the cache does not hold.
     */
    @Override
    public SplitCache cache(Split split) {
        String mode = ((LstConfig) config).backboneCache();
        if (mode.equals("off")) return null;
        if (head() == null)
            throw new IllegalArgumentException("lst: backbone_cache '" + mode + "' needs a pooled head (classification, regression, multiple choice); this model has an lm head");
        LadderCache c = new LadderCache(this, split, mode);
        openCaches++;
        return c;
    }

    void cacheClosed() { openCaches--; }

    @Override
    public NDArray features(Batch b) {
        try (Trunk t = Trunk.of(backbone, b)) {
            LadderStack st = side.main();
            SideBlocks.Ctx ctx = st.blocks.context(t.paddingMask(), null, null);
            return side.upsample.forward(st.run(t, ctx, false).side());   // [B,T,d]
        }
    }

    @Override
    public NDArray lmHidden(Batch b) {
        if (!(backbone instanceof T5Model t5)) return features(b);
        if (b.decoderInputIds() == null) throw new IllegalArgumentException("lst: T5 text-to-text needs decoder_input_ids");
        NDArray encSide, encOut;
        try (Trunk enc = Trunk.of(backbone, b)) {
            LadderStack.Result r = side.encoder.run(enc, side.encoder.blocks.context(enc.paddingMask(), null, null), true);
            encSide = r.side();
            encOut = r.backbone();
        }
        try (Trunk dec = Trunk.t5Decoder(t5, b, encOut)) {
            SideBlocks.Ctx ctx = side.decoder.blocks.context(dec.paddingMask(), encSide, enc(b));
            NDArray s = side.decoder.run(dec, ctx, false).side();
            return side.upsample.forward(s);                               // [B,Td,d]
        } finally {
            encOut.close();
        }
    }

    private static NDArray enc(Batch b) { return b.attentionMask() != null ? b.attentionMask() : b.inputIds().onesLike(); }

    /**
     * What the side network reads from the backbone stack of a pooled head: the embedding output,
     * then each kept layer's output ([B,T,d], no gradient). With backbone dropout off they do not
     * change between epochs, so a cache can keep them and train on {@link #sideFeatures} alone. The
     * caller closes the arrays.
     */
    public List<NDArray> ladderInputs(Batch b) {
        try (Trunk t = Trunk.of(backbone, b)) {
            return LadderStack.ladderInputs(t, side.main().kept);
        }
    }

    /** The side network and up-projection on ladder inputs from {@link #ladderInputs} (or a cache of them): [B,T,d]. */
    public NDArray sideFeatures(List<NDArray> ladderInputs, NDArray attentionMask) {
        LadderStack st = side.main();
        return side.upsample.forward(st.runOn(ladderInputs, st.blocks.context(attentionMask, null, null)));
    }

    /** The pooled head's logits from ladder inputs: {@code logits(b)} without running the backbone ({@code choiceMask}: {@link Batch#choiceMask}). */
    public NDArray logitsOn(List<NDArray> ladderInputs, NDArray attentionMask, NDArray choiceMask) {
        if (head == null) throw new IllegalStateException("lst: logitsOn needs a pooled head (classification, regression, multiple choice), not lm");
        return head.forward(sideFeatures(ladderInputs, attentionMask), attentionMask, choiceMask);
    }
}
