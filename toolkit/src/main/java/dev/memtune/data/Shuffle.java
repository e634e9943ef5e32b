package dev.memtune.data;

import java.util.SplittableRandom;

/**
 * The one shuffle used by the split protocols, fixed so that a seed names the same split on every
 * JVM: a Fisher-Yates (Durstenfeld) shuffle of {@code 0..n-1} driven by
 * {@code java.util.SplittableRandom(seed)}: for {@code i = n-1} down to {@code 1},
 * {@code j = rng.nextInt(i + 1)}, swap {@code p[i]} and {@code p[j]}. SplittableRandom's output
 * for a given seed is specified by its algorithm (SplitMix64) and stable across Java versions.
 *
 * <p>It is not PyTorch's {@code torch.randperm} (which the LST code uses with seed 42), so the
 * exact examples chosen differ from LST's, while the procedure and sizes are the same.
 */
public final class Shuffle {
    private Shuffle() {}

    /** A permutation of {@code 0..n-1} determined by {@code seed}. */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i]; p[i] = p[j]; p[j] = t;
        }
        return p;
    }
}
