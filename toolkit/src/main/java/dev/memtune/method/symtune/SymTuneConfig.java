package dev.memtune.method.symtune;

import dev.memtune.method.MethodConfig;

import java.util.*;

/**
 * Settings of the SymTune <b>reconstruction</b> (no public code; see {@link SymTune}):
 * {@code reduction_factor} r (side width d/r, default 8), {@code kept_layers} (null = all),
 * the three switchable parts {@code attention_sharing}, {@code inverse_cross_attention},
 * {@code fusion} (all on by default) and {@code side_dropout} (null = the backbone's rates).
 * {@link #toMap()} carries {@code "reconstruction": true}.
 */
public record SymTuneConfig(int reductionFactor, List<Integer> keptLayers, boolean attentionSharing,
                            boolean inverseCrossAttention, boolean fusion, Double sideDropout) implements MethodConfig {
    public SymTuneConfig {
        if (reductionFactor <= 0) throw new IllegalArgumentException("symtune: reduction_factor must be positive, got " + reductionFactor);
        if (sideDropout != null && (sideDropout < 0 || sideDropout >= 1)) throw new IllegalArgumentException("symtune: side_dropout must be in [0,1), got " + sideDropout);
        if (keptLayers != null) {
            if (keptLayers.isEmpty()) throw new IllegalArgumentException("symtune: kept_layers must name at least one layer");
            TreeSet<Integer> s = new TreeSet<>(keptLayers);
            if (s.size() != keptLayers.size()) throw new IllegalArgumentException("symtune: kept_layers has duplicates: " + keptLayers);
            if (s.first() < 0) throw new IllegalArgumentException("symtune: kept_layers must be >= 0, got " + s.first());
            keptLayers = List.copyOf(s);
        }
    }

    public String method() { return "symtune"; }

    /** The kept layers on a backbone of {@code numLayers} layers (all by default). */
    public List<Integer> keptLayersFor(String modelType, int numLayers) {
        if (keptLayers == null) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < numLayers; i++) all.add(i);
            return all;
        }
        int last = keptLayers.get(keptLayers.size() - 1);
        if (last >= numLayers) throw new IllegalArgumentException("symtune: kept_layers entry " + last + " is out of range: the "
                + modelType + " backbone has " + numLayers + " layers (0.." + (numLayers - 1) + ")");
        return keptLayers;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reconstruction", true);
        m.put("reduction_factor", reductionFactor);
        m.put("kept_layers", keptLayers == null ? "all" : keptLayers);
        m.put("attention_sharing", attentionSharing);
        m.put("inverse_cross_attention", inverseCrossAttention);
        m.put("fusion", fusion);
        m.put("side_dropout", sideDropout == null ? "backbone" : sideDropout);
        return m;
    }

    @Override
    public String toString() { return "symtune (reconstruction from the published description) " + toMap(); }

    public static Builder builder() { return new Builder(); }

    /** Builder; every setter is optional, values are validated in {@link #build()}. */
    public static final class Builder {
        private int r = 8;
        private List<Integer> kept;
        private boolean sharing = true, ica = true, fusion = true;
        private Double dropout;

        public Builder setReductionFactor(int r) { this.r = r; return this; }
        public Builder setKeptLayers(List<Integer> k) { this.kept = k; return this; }
        public Builder setAttentionSharing(boolean b) { this.sharing = b; return this; }
        public Builder setInverseCrossAttention(boolean b) { this.ica = b; return this; }
        public Builder setFusion(boolean b) { this.fusion = b; return this; }
        public Builder setSideDropout(Double p) { this.dropout = p; return this; }
        public SymTuneConfig build() { return new SymTuneConfig(r, kept, sharing, ica, fusion, dropout); }
    }
}
