package dev.memtune.backbone;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * Output of a backbone forward. {@code hiddenStates} has the embedding output first and then one
 * entry per layer (HF's {@code output_hidden_states}); {@code attentions} one [B,heads,T,T]
 * probability tensor per layer. Both are empty unless requested through {@link Capture}.
 * For T5 the encoder's states are in {@code encoder*} and the decoder's in the main fields.
 */
public record BackboneOutput(NDArray lastHiddenState, NDArray pooled, List<NDArray> hiddenStates,
                             List<NDArray> attentions, NDArray encoderLastHiddenState,
                             List<NDArray> encoderHiddenStates, List<NDArray> encoderAttentions) implements AutoCloseable {
    public static BackboneOutput encoder(NDArray last, NDArray pooled, List<NDArray> hs, List<NDArray> att) {
        return new BackboneOutput(last, pooled, hs, att, null, List.of(), List.of());
    }

    @Override
    public void close() {
        java.util.Set<NDArray> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        seen.add(lastHiddenState); seen.add(pooled); seen.add(encoderLastHiddenState);
        seen.addAll(hiddenStates); seen.addAll(attentions); seen.addAll(encoderHiddenStates); seen.addAll(encoderAttentions);
        for (NDArray a : seen) if (a != null) a.close();
    }
}
