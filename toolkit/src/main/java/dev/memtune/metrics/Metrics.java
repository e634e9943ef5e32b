package dev.memtune.metrics;

import java.util.Arrays;

/**
 * The GLUE/QA metrics as plain functions on arrays, with the behaviour of the reference libraries
 * the papers' code calls (scikit-learn for classification, SciPy for correlation, via Hugging Face
 * {@code evaluate}/{@code datasets} GLUE metrics). Values are fractions (accuracy 0.85, not 85).
 *
 * <p>Degenerate cases, chosen to match those libraries:
 * <ul>
 *   <li>empty input or arrays of different lengths: {@link IllegalArgumentException};</li>
 *   <li>{@link #f1}: 0 when there is no true positive (including no positive label and no positive
 *       prediction at all: scikit-learn's {@code zero_division=0} result);</li>
 *   <li>{@link #matthews}: 0 when undefined, i.e. when the predictions or the labels hold one class
 *       only (scikit-learn {@code matthews_corrcoef});</li>
 *   <li>{@link #pearson} and {@link #spearman}: NaN when either input is constant (SciPy
 *       {@code pearsonr}/{@code spearmanr}); a NaN score never wins a best-on-validation selection.</li>
 * </ul>
 */
public final class Metrics {
    private Metrics() {}

    /** Fraction of positions where {@code pred[i] == gold[i]}. */
    public static double accuracy(int[] pred, int[] gold) {
        check(pred.length, gold.length);
        int ok = 0;
        for (int i = 0; i < pred.length; i++) if (pred[i] == gold[i]) ok++;
        return (double) ok / pred.length;
    }

    /** Binary F1 of the positive class 1 (every other value is negative): {@code 2TP / (2TP + FP + FN)}. */
    public static double f1(int[] pred, int[] gold) {
        check(pred.length, gold.length);
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < pred.length; i++) {
            boolean p = pred[i] == 1, g = gold[i] == 1;
            if (p && g) tp++; else if (p) fp++; else if (g) fn++;
        }
        return tp == 0 ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    /**
     * Matthews correlation coefficient, multi-class form (Gorodkin 2004, as scikit-learn):
     * {@code (c*s - sum_k p_k t_k) / sqrt((s^2 - sum_k p_k^2) (s^2 - sum_k t_k^2))} with {@code s}
     * samples, {@code c} correct, {@code p_k}/{@code t_k} the counts of class k among predictions /
     * labels; equals {@code (TP*TN - FP*FN) / sqrt(...)} for two classes. 0 when undefined.
     */
    public static double matthews(int[] pred, int[] gold) {
        check(pred.length, gold.length);
        int max = 0;
        for (int i = 0; i < pred.length; i++) {
            if (pred[i] < 0 || gold[i] < 0) throw new IllegalArgumentException("class indices must be >= 0, found " + Math.min(pred[i], gold[i]) + " at " + i);
            max = Math.max(max, Math.max(pred[i], gold[i]));
        }
        double[] p = new double[max + 1], t = new double[max + 1];
        double c = 0, s = pred.length;
        for (int i = 0; i < pred.length; i++) {
            p[pred[i]]++;
            t[gold[i]]++;
            if (pred[i] == gold[i]) c++;
        }
        double pt = 0, pp = 0, tt = 0;
        for (int k = 0; k <= max; k++) { pt += p[k] * t[k]; pp += p[k] * p[k]; tt += t[k] * t[k]; }
        double den = Math.sqrt((s * s - pp) * (s * s - tt));
        return den == 0 ? 0.0 : (c * s - pt) / den;
    }

    /** Pearson correlation; NaN when either input is constant. Two-pass (centred) for accuracy. */
    public static double pearson(double[] x, double[] y) {
        check(x.length, y.length);
        double mx = mean(x), my = mean(y), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            double a = x[i] - mx, b = y[i] - my;
            sxy += a * b; sxx += a * a; syy += b * b;
        }
        if (sxx == 0 || syy == 0) return Double.NaN;
        return Math.max(-1.0, Math.min(1.0, sxy / Math.sqrt(sxx * syy)));
    }

    /** Spearman rank correlation: Pearson of the ranks, ties given their average rank; NaN when either input is constant. */
    public static double spearman(double[] x, double[] y) {
        check(x.length, y.length);
        return pearson(averageRanks(x), averageRanks(y));
    }

    /** 1-based ranks; tied values all get the mean of the ranks they span (SciPy {@code rankdata(method="average")}). */
    public static double[] averageRanks(double[] x) {
        Integer[] idx = new Integer[x.length];
        for (int i = 0; i < x.length; i++) {
            if (Double.isNaN(x[i])) throw new IllegalArgumentException("NaN at position " + i + " cannot be ranked");
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(x[a], x[b]));
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; ) {
            int j = i;
            while (j + 1 < x.length && x[idx[j + 1]] == x[idx[i]]) j++;
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) r[idx[k]] = avg;
            i = j + 1;
        }
        return r;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) s += d;
        return s / v.length;
    }

    private static void check(int n, int m) {
        if (n != m) throw new IllegalArgumentException("predictions and labels differ in length: " + n + " vs " + m);
        if (n == 0) throw new IllegalArgumentException("no examples to score");
    }
}
