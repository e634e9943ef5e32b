package dev.memtune.method.meft;

import dev.memtune.method.MethodConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MEFT settings (names follow the authors' code where it has one): {@code variant} 1, 2 or 3;
 * the stream scales {@code lambda} (x1) and {@code beta} (x2), defaulting to the paper's table
 * (MEFT1 0.1/1, MEFT2 1/0.1, MEFT3 0.1/0.1); adapter {@code bottleneck} (8), {@code adapter_dropout}
 * (0.1, BERT's hidden dropout as in the authors' code), {@code init_std} (0.02: adapter weights
 * N(0, 0.02^2), biases 0; 0 gives zero adapters, for tests); {@code reversible_layers}: how many
 * lower layers use the reversible backward, -1 = all (the rest use ordinary backprop);
 * {@code seed}: adapter initialisation and dropout replay seeds.
 */
public record MeftConfig(int variant, double lambda, double beta, int bottleneck, double adapterDropout,
                         double initStd, int reversibleLayers, long seed) implements MethodConfig {
    /** Sentinel for {@code reversible_layers}: every layer reversible. */
    public static final int ALL = -1;

    public MeftConfig {
        if (variant < 1 || variant > 3) throw new IllegalArgumentException("meft: variant must be 1, 2 or 3, got " + variant);
        String m = "meft" + variant;
        if (!(lambda > 0) || Double.isInfinite(lambda)) throw new IllegalArgumentException(m + ": lambda must be a finite number > 0 (the backward divides by it), got " + lambda);
        if (!(beta > 0) || Double.isInfinite(beta)) throw new IllegalArgumentException(m + ": beta must be a finite number > 0 (the backward divides by it), got " + beta);
        if (bottleneck <= 0) throw new IllegalArgumentException(m + ": bottleneck must be positive, got " + bottleneck);
        if (!(adapterDropout >= 0 && adapterDropout < 1)) throw new IllegalArgumentException(m + ": adapter_dropout must be in [0,1), got " + adapterDropout);
        if (!(initStd >= 0) || Double.isInfinite(initStd)) throw new IllegalArgumentException(m + ": init_std must be >= 0, got " + initStd);
        if (reversibleLayers < ALL) throw new IllegalArgumentException(m + ": reversible_layers must be 'all' or a layer count >= 0, got " + reversibleLayers);
    }

    /** The paper's lambda for a variant (MEFT1 0.1, MEFT2 1, MEFT3 0.1). */
    public static double defaultLambda(int variant) { return variant == 2 ? 1.0 : 0.1; }

    /** The paper's beta for a variant (MEFT1 1, MEFT2 0.1, MEFT3 0.1). */
    public static double defaultBeta(int variant) { return variant == 1 ? 1.0 : 0.1; }

    public String method() { return "meft" + variant; }

    /** Whether the two output streams are swapped ([y2; y1]): MEFT1 and MEFT2. */
    public boolean swap() { return variant != 3; }

    /** Reversible layer count for a backbone of {@code layers} layers, checked against it. */
    public int reversibleLayers(int layers) {
        if (reversibleLayers == ALL) return layers;
        if (reversibleLayers > layers)
            throw new IllegalArgumentException(method() + ": reversible_layers = " + reversibleLayers + " but the backbone has " + layers + " layers (allowed 0.." + layers + " or 'all')");
        return reversibleLayers;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("variant", variant); m.put("lambda", lambda); m.put("beta", beta); m.put("bottleneck", bottleneck);
        m.put("adapter_dropout", adapterDropout); m.put("init_std", initStd);
        m.put("reversible_layers", reversibleLayers == ALL ? "all" : reversibleLayers); m.put("seed", seed);
        return m;
    }

    public static Builder builder() { return new Builder(); }

    /** {@code setVariant} is required; lambda and beta default to the variant's paper values. */
    public static final class Builder {
        private int variant;
        private Double lambda, beta;
        private int bottleneck = 8, reversible = ALL;
        private double dropout = 0.1, initStd = 0.02;
        private long seed = 0;

        public Builder setVariant(int v) { this.variant = v; return this; }
        public Builder optLambda(double l) { this.lambda = l; return this; }
        public Builder optBeta(double b) { this.beta = b; return this; }
        public Builder optBottleneck(int b) { this.bottleneck = b; return this; }
        public Builder optAdapterDropout(double d) { this.dropout = d; return this; }
        public Builder optInitStd(double s) { this.initStd = s; return this; }
        /** Lower layers with reversible backward; {@link #ALL} (default) for every layer. */
        public Builder optReversibleLayers(int n) { this.reversible = n; return this; }
        public Builder optSeed(long s) { this.seed = s; return this; }

        public MeftConfig build() {
            if (variant < 1 || variant > 3) throw new IllegalArgumentException("meft: variant must be 1, 2 or 3, got " + variant);
            return new MeftConfig(variant, lambda != null ? lambda : defaultLambda(variant), beta != null ? beta : defaultBeta(variant),
                    bottleneck, dropout, initStd, reversible, seed);
        }
    }
}
