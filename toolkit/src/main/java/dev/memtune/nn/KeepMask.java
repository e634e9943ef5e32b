package dev.memtune.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Dropout's keep mask, {@code m_i ~ Bernoulli(1 - p)} as a 1-byte bool tensor, drawn in one of two ways
 * ({@code -Dmemtune.dropout_masks=memtune|torch}, default {@code memtune}):
 * <ul>
 *   <li>{@code memtune}: {@code m_i = [u_i >= round(p 2^32)]}, {@code u_i} 32-bit uniforms from
 *       {@link SplittableRandom} (SplitMix64, two per 64-bit draw), one stream per block of
 *       {@value #BLOCK} elements split in order from a root seeded with one 63-bit draw from the engine's
 *       generator ({@code torch.randint}). The blocks fill in parallel and the mask does not depend on the
 *       thread count or the CPU; {@code Engine.setRandomSeed} replays it, as MEFT's backward needs.
 *       {@code P(m_i = 1)} differs from {@code 1 - p} by less than {@code 2^-32}.</li>
 *   <li>{@code torch}: what {@code torch.dropout} draws on the CPU (a tensor of ones dropped out, then
 *       compared with 0): bit for bit the masks of memtune before 2026-12-05 and of PyTorch, whose CPU
 *       {@code bernoulli_} runs serially (one double uniform per element) on CPUs other than Intel's and
 *       costs ~8 ns per element here, about a tenth of a BERT-base training step.</li>
 * </ul>
 */
public final class KeepMask {
    private KeepMask() {}

    /** Elements per independent stream. */
    static final int BLOCK = 1 << 16;

    /** How masks are drawn: {@code memtune} or {@code torch} (recorded in every run's result). */
    public static String source() {
        String s = System.getProperty("memtune.dropout_masks", "memtune");
        if (!s.equals("memtune") && !s.equals("torch"))
            throw new IllegalArgumentException("-Dmemtune.dropout_masks=" + s + ": expected memtune or torch");
        return s;
    }

    /** A bool tensor shaped like {@code like} on its device: true where an element is kept. */
    public static NDArray draw(NDArray like, double p) {
        long n = like.size();
        if (source().equals("torch") || n > Integer.MAX_VALUE) {
            try (NDArray ones = like.onesLike(); NDArray noise = ai.djl.nn.norm.Dropout.dropout(ones, (float) p, true).singletonOrThrow()) {
                return noise.gt(0);
            }
        }
        NDManager m = like.getManager();
        if (n == 0) return m.create(like.getShape(), DataType.BOOLEAN, like.getDevice());
        long seed;
        try (NDArray s = m.randomInteger(0, Long.MAX_VALUE, new Shape(1), DataType.INT64)) { seed = s.getLong(0); }
        NDArray mask = m.create(like.getShape(), DataType.BOOLEAN, ai.djl.Device.cpu());
        ByteBuffer view = mask.toByteBuffer(true);             // the tensor's own memory: no staging copy
        fill(view, (int) n, seed, threshold(p), true);
        if (like.getDevice().equals(mask.getDevice())) return mask;
        try (mask) { return mask.toDevice(like.getDevice(), true); }
    }

    /** {@code round(p 2^32)}: an element is kept when its 32-bit uniform is at least this. */
    static long threshold(double p) { return Math.min(1L << 32, Math.round(p * 4294967296.0)); }

    /** Writes n keep flags (0/1 bytes) into buf[0, n). */
    static void fill(ByteBuffer buf, int n, long seed, long threshold, boolean parallel) {
        int blocks = (n + BLOCK - 1) / BLOCK;
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom[] streams = new SplittableRandom[blocks];
        for (int b = 0; b < blocks; b++) streams[b] = root.split();
        IntStream range = IntStream.range(0, blocks);
        (parallel ? range.parallel() : range).forEach(b -> {
            SplittableRandom r = streams[b];
            int from = b * BLOCK, to = Math.min(n, from + BLOCK);
            for (int i = from; i < to; i += 2) {
                long bits = r.nextLong();
                buf.put(i, keep(bits & 0xffffffffL, threshold));
                if (i + 1 < to) buf.put(i + 1, keep(bits >>> 32, threshold));
            }
        });
    }

    /** 1 when u >= t (both in [0, 2^32]), without a branch. */
    private static byte keep(long u, long t) { return (byte) (1 - ((u - t) >>> 63)); }
}
