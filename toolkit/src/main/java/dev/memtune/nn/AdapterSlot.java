package dev.memtune.nn;

/**
 * A residual sub-layer (attention or feed-forward) that can apply a module to its output before
 * the residual sum, where Houlsby adapters go. Backbones implement it on every such sub-layer.
 */
public interface AdapterSlot {
    /** "attention", "cross_attention" (an encoder-decoder's cross-attention) or "ffn": which sub-layer this slot belongs to. */
    String slotKind();

    <A extends Module & Unary> void setAdapter(A adapter);
}
