package dev.memtune.data;

/**
 * PyTorch's CPU {@code torch.randperm(n, generator=torch.Generator().manual_seed(seed))}, value for
 * value: the permutation with which the LST code (compacter's {@code AbstractTask.shuffled_indices},
 * seed 42) chooses its validation and test examples, so a seed here names the same examples there.
 * <ol>
 *   <li>MT19937 (Matsumoto and Nishimura 1998) seeded as {@code std::mt19937(seed)}: {@code mt[0] =
 *       seed mod 2^32}, {@code mt[i] = 1812433253 * (mt[i-1] ^ (mt[i-1] >>> 30)) + i} (mod 2^32); each
 *       draw is the standard tempered 32-bit output;</li>
 *   <li>ATen's {@code randperm_cpu}: {@code p = 0..n-1}; for {@code i = 0 .. n-2}: {@code z = draw()
 *       mod (n - i)}, swap {@code p[i]} and {@code p[i + z]} (the path torch takes for every n below
 *       2^32 / 20).</li>
 * </ol>
 * Checked against torch 2.7.1 and 2.15 ({@code fixtures/randperm.json}, written by {@code make_fixtures.py}).
 */
public final class TorchRandperm {
    private static final int N = 624, M = 397;
    /** torch's randperm takes the 32-bit path below {@code UINT32_MAX / 20}. */
    static final long SMALL_N_LIMIT = 0xffffffffL / 20;
    private final int[] mt = new int[N];
    private int next = N;

    /** An MT19937 stream seeded as {@code torch.Generator().manual_seed(seed)}. */
    public TorchRandperm(long seed) {
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }

    /** The next 32-bit output, as an unsigned value. */
    public long nextUnsigned() {
        if (next >= N) {
            for (int k = 0; k < N; k++) {
                int y = (mt[k] & 0x80000000) | (mt[(k + 1) % N] & 0x7fffffff);
                mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
            }
            next = 0;
        }
        int y = mt[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    /** {@code torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()}. */
    public static int[] permutation(int n, long seed) {
        if (n < 0) throw new IllegalArgumentException("randperm: n must be >= 0, got " + n);
        if (n >= SMALL_N_LIMIT)
            throw new IllegalArgumentException("randperm: n = " + n + " is at or above " + SMALL_N_LIMIT + ", where torch draws 64-bit values instead; not implemented");
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        TorchRandperm g = new TorchRandperm(seed);
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (g.nextUnsigned() % (n - i));
            int t = p[i]; p[i] = p[i + z]; p[i + z] = t;
        }
        return p;
    }
}
