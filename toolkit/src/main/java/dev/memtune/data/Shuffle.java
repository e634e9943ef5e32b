package dev.memtune.data;

/**
 * The one shuffle used by the split protocols, fully specified so that a seed names the same split
 * on every JVM and can be reproduced in any language:
 * <ol>
 *   <li>SplitMix64 (Steele, Lea, Flood 2014; Vigna's {@code splitmix64.c}): state {@code s = seed};
 *       each draw {@code s += 0x9E3779B97F4A7C15; z = s; z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9;
 *       z = (z ^ (z >>> 27)) * 0x94D049BB133111EB; return z ^ (z >>> 31)} (64-bit wrap-around);</li>
 *   <li>a draw below {@code bound}: {@code r = draw() >>> 1}, {@code v = r mod bound}; rejected and
 *       redrawn while {@code r - v + (bound - 1)} overflows 63 bits (so every value is equally likely);</li>
 *   <li>Fisher-Yates (Durstenfeld) on {@code 0..n-1}: for {@code i = n-1} down to {@code 1},
 *       {@code j = below(i + 1)}, swap {@code p[i]} and {@code p[j]}.</li>
 * </ol>
 * No {@code java.util.Random}. It is not PyTorch's {@code torch.randperm} (which the LST code uses
 * with seed 42), so the exact examples chosen differ from LST's; the procedure and sizes are the same.
 */
public final class Shuffle {
    private long state;

    /** A SplitMix64 generator with this seed. */
    public Shuffle(long seed) { state = seed; }

    /** The next 64-bit SplitMix64 output. */
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in {@code [0, bound)}, by rejection (see the class comment). */
    public int below(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
        while (true) {
            long r = nextLong() >>> 1, v = r % bound;
            if (r - v + (bound - 1) >= 0) return (int) v;
        }
    }

    /** A permutation of {@code 0..n-1} determined by {@code seed}. */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle rng = new Shuffle(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.below(i + 1);
            int t = p[i]; p[i] = p[j]; p[j] = t;
        }
        return p;
    }
}
