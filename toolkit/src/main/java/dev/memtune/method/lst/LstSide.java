package dev.memtune.method.lst;

import ai.djl.ndarray.NDManager;
import dev.memtune.nn.Linear;
import dev.memtune.nn.Module;

/**
 * The whole LST side network: a {@link LadderStack} beside the backbone stack a pooled head reads
 * ({@code encoder} for BERT and T5, {@code decoder} for OPT), for T5 text-to-text also one beside
 * the backbone decoder ({@code decoder}, cross-attending to the side encoder), and the
 * up-projection {@code upsample} (d/r -> d).
 */
public final class LstSide extends Module {
    public final LadderStack encoder, decoder;      // encoder null for OPT; decoder null for pooled heads on BERT/T5
    public final Linear upsample;

    LstSide(NDManager m, LadderStack encoder, LadderStack decoder, int ds, int d) {
        super(m);
        this.encoder = encoder == null ? null : child("encoder", encoder);
        this.decoder = decoder == null ? null : child("decoder", decoder);
        upsample = child("upsample", new Linear(m, ds, d, true));
        LadderStack.torchDefault(upsample);
    }

    /** The stack beside the backbone stack that pooled heads read. */
    public LadderStack main() { return encoder != null ? encoder : decoder; }
}
