package dev.memtune.method.adapter;

import dev.memtune.method.MethodConfig;

import java.util.*;

/**
 * Houlsby adapter settings (adapter-transformers names): {@code reduction_factor}, {@code non_linearity},
 * placement ({@code after_attention}, {@code after_cross_attention} for an encoder-decoder's cross-attention,
 * {@code after_ffn}), and {@code unfreeze_layer_norms} (the LST code's name: every layer norm of the backbone
 * trains with the adapters, as in LST's Adapters baseline).
 */
public record AdapterConfig(int reductionFactor, String nonLinearity, boolean afterAttention, boolean afterCrossAttention,
                            boolean afterFfn, boolean unfreezeLayerNorms) implements MethodConfig {
    public AdapterConfig {
        if (reductionFactor <= 0) throw new IllegalArgumentException("adapter: reduction_factor must be positive, got " + reductionFactor);
        if (!List.of("relu", "gelu", "gelu_new", "swish").contains(nonLinearity))
            throw new IllegalArgumentException("adapter: non_linearity must be relu, gelu, gelu_new or swish, got '" + nonLinearity + "'");
        if (!afterAttention && !afterCrossAttention && !afterFfn)
            throw new IllegalArgumentException("adapter: at least one of after_attention / after_cross_attention / after_ffn must be true");
    }

    public String method() { return "adapter"; }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reduction_factor", reductionFactor); m.put("non_linearity", nonLinearity);
        m.put("after_attention", afterAttention); m.put("after_cross_attention", afterCrossAttention); m.put("after_ffn", afterFfn);
        m.put("unfreeze_layer_norms", unfreezeLayerNorms);
        return m;
    }

    public static Builder builder() { return new Builder(); }

    public static final class Builder {
        private int r = 16;
        private String act = "relu";
        private boolean attn = true, cross = true, ffn = true, layerNorms = false;

        public Builder setReductionFactor(int r) { this.r = r; return this; }
        public Builder setNonLinearity(String a) { this.act = a; return this; }
        public Builder setAfterAttention(boolean b) { this.attn = b; return this; }
        public Builder setAfterCrossAttention(boolean b) { this.cross = b; return this; }
        public Builder setAfterFfn(boolean b) { this.ffn = b; return this; }
        public Builder setUnfreezeLayerNorms(boolean b) { this.layerNorms = b; return this; }
        public AdapterConfig build() { return new AdapterConfig(r, act, attn, cross, ffn, layerNorms); }
    }
}
