package dev.memtune.backbone;

import ai.djl.ndarray.NDArray;

/** A backbone with a language-model head (T5 text-to-text, OPT causal LM). */
public interface LmBackbone {
    /** Vocabulary logits [B,T,V] from final hidden states [B,T,D] (T5 applies its d^-0.5 scaling when tied). */
    NDArray lmLogits(NDArray hidden);
}
