package dev.memtune.method.lst;

import dev.memtune.backbone.BackboneConfig;
import dev.memtune.method.MethodConfig;

import java.util.*;

/**
 * Ladder side-tuning settings, named as in the released LST code: {@code reduction_factor} r (side
 * width d/r, default 8), {@code gate_temperature} T of {@code mu = sigmoid(alpha / T)} (0.1),
 * {@code kept_layers} (backbone layers that get a ladder and a side block, in the encoder and, for
 * T5 text-to-text, the decoder alike; null = the default of {@link #defaultKeptLayers}), {@code init} ({@code random} or {@code fisher}: side blocks from the
 * backbone's weights pruned by Fisher importance), {@code fisher_samples} (1,024) and
 * {@code side_dropout} (null = the backbone's own dropout rates) and {@code backbone_dropout} (true:
 * the frozen backbone applies its dropout in training, as the released code's {@code model.train()};
 * false: it runs as in evaluation, deterministic, so its outputs could be cached) and
 * {@code backbone_cache} (beyond the paper, {@link LadderCache}: {@code off}, or {@code auto},
 * {@code memory}, {@code disk}: the frozen backbone's ladder inputs are computed once per example
 * and later epochs and evaluations train and run the side network alone; the backbone then runs
 * without dropout; pooled heads only).
 */
public record LstConfig(int reductionFactor, double gateTemperature, List<Integer> keptLayers, String init,
                        int fisherSamples, Double sideDropout, boolean backboneDropout, String backboneCache) implements MethodConfig {
    public static final List<String> INITS = List.of("random", "fisher");
    /** Values of {@code backbone_cache}. */
    public static final List<String> CACHES = List.of("off", "auto", "memory", "disk");

    public LstConfig {
        if (reductionFactor <= 0) throw new IllegalArgumentException("lst: reduction_factor must be positive, got " + reductionFactor);
        if (!(gateTemperature > 0)) throw new IllegalArgumentException("lst: gate_temperature must be positive, got " + gateTemperature);
        if (!INITS.contains(init)) throw new IllegalArgumentException("lst: init must be one of " + INITS + ", got '" + init + "'");
        if (fisherSamples <= 0) throw new IllegalArgumentException("lst: fisher_samples must be positive, got " + fisherSamples);
        if (sideDropout != null && (sideDropout < 0 || sideDropout >= 1)) throw new IllegalArgumentException("lst: side_dropout must be in [0,1), got " + sideDropout);
        if (!CACHES.contains(backboneCache)) throw new IllegalArgumentException("lst: backbone_cache must be one of " + CACHES + ", got '" + backboneCache + "'");
        if (keptLayers != null) {
            if (keptLayers.isEmpty()) throw new IllegalArgumentException("lst: kept_layers must name at least one layer");
            TreeSet<Integer> s = new TreeSet<>(keptLayers);
            if (s.size() != keptLayers.size()) throw new IllegalArgumentException("lst: kept_layers has duplicates: " + keptLayers);
            if (s.first() < 0) throw new IllegalArgumentException("lst: kept_layers must be >= 0, got " + s.first());
            keptLayers = List.copyOf(s);
        }
    }

    public String method() { return "lst"; }

    /**
     * Layers that keep a ladder and side block on a backbone: the configured list (checked against
     * the depth), else the released settings: T5-base (12 layers) drops 0, 4, 8; T5-large (24 layers)
     * keeps the odd layers; every other backbone keeps all layers.
     */
    public List<Integer> keptLayersFor(BackboneConfig c, int numLayers) {
        if (keptLayers != null) {
            int last = keptLayers.get(keptLayers.size() - 1);
            if (last >= numLayers) throw new IllegalArgumentException("lst: kept_layers entry " + last + " is out of range: the "
                    + c.modelType + " backbone has " + numLayers + " layers (0.." + (numLayers - 1) + ")");
            return keptLayers;
        }
        return defaultKeptLayers(c.modelType, numLayers);
    }

    public static List<Integer> defaultKeptLayers(String modelType, int numLayers) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < numLayers; i++) {
            boolean keep = !modelType.equals("t5") || switch (numLayers) {
                case 12 -> i % 4 != 0;
                case 24 -> i % 2 == 1;
                default -> true;
            };
            if (keep) out.add(i);
        }
        return out;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reduction_factor", reductionFactor);
        m.put("gate_temperature", gateTemperature);
        m.put("kept_layers", keptLayers == null ? "default" : keptLayers);
        m.put("init", init);
        m.put("fisher_samples", fisherSamples);
        m.put("side_dropout", sideDropout == null ? "backbone" : sideDropout);
        m.put("backbone_dropout", backboneDropout);
        m.put("backbone_cache", backboneCache);
        return m;
    }

    public static Builder builder() { return new Builder(); }

    /** Builder; every setter is optional, values are validated in {@link #build()}. */
    public static final class Builder {
        private int r = 8;
        private double t = 0.1;
        private List<Integer> kept;
        private String init = "random";
        private int samples = 1024;
        private Double dropout;
        private boolean backboneDropout = true;
        private String cache = "off";

        public Builder setReductionFactor(int r) { this.r = r; return this; }
        public Builder setGateTemperature(double t) { this.t = t; return this; }
        /** Backbone layer indices (0-based) with a ladder and side block; null = default for the backbone. */
        public Builder setKeptLayers(List<Integer> k) { this.kept = k; return this; }
        public Builder setInit(String init) { this.init = init; return this; }
        public Builder setFisherSamples(int n) { this.samples = n; return this; }
        /** Dropout of the side network; null = the backbone's hidden and attention dropout. */
        public Builder setSideDropout(Double p) { this.dropout = p; return this; }
        /** Whether the frozen backbone applies dropout while the side network trains (default true). */
        public Builder setBackboneDropout(boolean on) { this.backboneDropout = on; return this; }
        /** {@code off} (default), {@code auto}, {@code memory} or {@code disk}: see {@link LadderCache}. */
        public Builder setBackboneCache(String mode) { this.cache = mode; return this; }
        public LstConfig build() { return new LstConfig(r, t, kept, init, samples, dropout, backboneDropout, cache); }
    }
}
