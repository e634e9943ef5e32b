package dev.memtune.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scores a split's predictions (class or choice indices, or regression scores) against its gold
 * labels; {@link Evaluation#score()} is the task score that best-on-validation selection maximises.
 * Experiments adapt the task metrics of {@code dev.memtune.metrics}; {@link #accuracy()} serves tests.
 */
@FunctionalInterface
public interface SplitScorer {
    Evaluation evaluate(double[] predictions, double[] gold);

    /** Metrics by key (fractions) and the main score (NaN never wins a selection). */
    record Evaluation(Map<String, Double> metrics, double score) {
        public Evaluation { metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics)); }
    }

    /** Plain accuracy as the score. */
    static SplitScorer accuracy() {
        return (p, g) -> {
            int ok = 0;
            for (int i = 0; i < p.length; i++) if (p[i] == g[i]) ok++;
            double a = p.length == 0 ? Double.NaN : (double) ok / p.length;
            return new Evaluation(Map.of("accuracy", a), a);
        };
    }
}
