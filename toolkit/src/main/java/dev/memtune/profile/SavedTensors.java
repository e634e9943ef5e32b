package dev.memtune.profile;

import java.util.HashSet;
import java.util.Set;

/**
 * A symbolic autograd tape: replays a training step's forward op by op and adds up (1) the bytes
 * PyTorch autograd keeps for backward and (2) the matmul FLOPs of forward and backward. PyTorch's
 * rules (a tensor is saved only when a gradient that needs it will be computed):
 * <ul>
 *   <li>linear {@code x W^T + b}: saves x iff W trains (grad of x needs only W, grad of b nothing);
 *       backward FLOPs: grad of x iff x needs grad, grad of W iff W trains;</li>
 *   <li>matmul a b: saves b iff a needs grad and a iff b needs grad; non-contiguous operands (the
 *       head-split q, k, v) are saved as fresh contiguous copies;</li>
 *   <li>softmax, tanh, relu, sigmoid: save their output; gelu: its input;</li>
 *   <li>dropout (training, p > 0): {@code F.dropout} is {@code where(mask, x * s, 0)}, which saves the
 *       1-byte bool mask (as CUDA's fused kernel does; {@code at::dropout} on a CPU would keep a float
 *       noise tensor of x's size);</li>
 *   <li>layer norm: input plus mean and 1/std per row (fp32) when anything below or its affine
 *       parameters need grad; embedding lookup: the int64 ids when the table trains;</li>
 *   <li>add, scalar mul/div, reshape, views: nothing.</li>
 * </ul>
 * A tensor saved by several ops (x feeding q, k and v) counts once. Under {@link #noGrad} nothing
 * is saved or needs grad (the frozen backbone of LST, MEFT's first pass). {@link #mark}/{@link #release}
 * free what was saved since a mark (MEFT frees each recomputed layer); {@link #peak} keeps the maximum.
 */
final class SavedTensors {
    /** A symbolic tensor: element count and whether it requires grad. */
    record T(int id, long elems, boolean rg) {}

    final int bytes;                     // bytes per element of activations (4 for fp32)
    final boolean training;
    private final Set<Integer> saved = new HashSet<>();
    private long total, peak, largest, fwdFlops, bwdFlops;
    private int next;
    private boolean noGrad;

    SavedTensors(int bytes, boolean training) { this.bytes = bytes; this.training = training; }

    /** Bytes saved at the worst moment. */
    long peak() { return peak; }

    /** The largest single tensor seen: the backward's transient working set scales with it. */
    long largest() { return largest; }

    long forwardFlops() { return fwdFlops; }

    long backwardFlops() { return bwdFlops; }

    /** Runs ops as under {@code torch.no_grad()}: nothing saved, nothing needs grad. */
    void noGrad(boolean on) { noGrad = on; }

    long mark() { return total; }

    /** Frees everything saved since {@code mark} (the peak stays). */
    void release(long mark) { total = mark; }

    /** Counts the forward FLOPs done since {@code forwardMark} as backward work (recomputation). */
    void recomputed(long forwardMark) {
        long f = fwdFlops - forwardMark;
        fwdFlops -= f;
        bwdFlops += f;
    }

    T tensor(long elems, boolean rg) {
        largest = Math.max(largest, elems * bytes);
        return new T(next++, elems, rg && !noGrad);
    }

    /** A view of x with {@code elems} elements (a slice): the same storage, so saving it adds nothing once x is saved. */
    T view(T x, long elems) { return new T(x.id(), elems, x.rg()); }

    private void save(T t) { if (!noGrad && saved.add(t.id())) add(t.elems() * bytes); }

    private void saveBytes(long b) { if (!noGrad) { next++; add(b); } }

    private void add(long b) { total += b; peak = Math.max(peak, total); }

    /** Bytes held for backward outside any op rule (e.g. reversible streams). */
    void keep(long b) { saveBytes(b); }

    T linear(T x, long outFeatures, long inFeatures, boolean weightTrains, boolean biasTrains) {
        long rows = x.elems() / inFeatures, f = 2 * rows * inFeatures * outFeatures;
        fwdFlops += f;
        boolean wt = weightTrains && !noGrad;
        if (wt) { save(x); bwdFlops += f; }
        if (x.rg()) bwdFlops += f;
        return tensor(rows * outFeatures, x.rg() || weightTrains || biasTrains);
    }

    /** a [.., n, k] times b [.., k, m] = out of outElems; copies: whether the saved operand is a fresh copy. */
    T matmul(T a, boolean aCopy, T b, boolean bCopy, long k, long outElems) {
        long f = 2 * outElems * k;
        fwdFlops += f;
        if (b.rg()) { if (aCopy) saveBytes(a.elems() * bytes); else save(a); bwdFlops += f; }
        if (a.rg()) { if (bCopy) saveBytes(b.elems() * bytes); else save(b); bwdFlops += f; }
        return tensor(outElems, a.rg() || b.rg());
    }

    T savesOutput(T x) {
        T y = tensor(x.elems(), x.rg());
        if (y.rg()) save(y);
        return y;
    }

    T gelu(T x) {
        if (x.rg()) save(x);
        return tensor(x.elems(), x.rg());
    }

    /**
     * An adapter's non-linearity as {@code Adapter} computes it: ReLU keeps its output, GELU its input, swish its input and
     * sigmoid, {@code gelu_new} ({@code F.geluTanh}, composed of multiplies and a tanh) keeps x, x*x, tanh(.), x/2 and 1 + tanh(.).
     */
    T activation(T x, String act) {
        if (act.equals("relu")) return savesOutput(x);
        if (act.equals("gelu")) return gelu(x);
        if (x.rg() && !noGrad) saveBytes(x.elems() * bytes * switch (act) { case "swish" -> 2; case "gelu_new" -> 5;
            default -> throw new IllegalArgumentException("memory model: adapter non_linearity '" + act + "' not modelled"); });
        return tensor(x.elems(), x.rg());
    }

    T dropout(T x, double p) {
        if (!training || p <= 0) return x;
        if (x.rg()) saveBytes(x.elems());                      // the bool keep mask: 1 byte per element (F.dropout)
        return tensor(x.elems(), x.rg());
    }

    T layerNorm(T x, long dim, boolean affineTrains) {
        boolean rg = x.rg() || affineTrains;
        if (rg && !noGrad) { save(x); saveBytes(2 * (x.elems() / dim) * 4); }
        return tensor(x.elems(), rg);
    }

    /** T5's RMS norm {@code x / sqrt(mean(x^2) + eps) * w}: square and div keep x and the root [rows]; mul keeps x-hat iff w trains. */
    T rmsNorm(T x, long dim, boolean weightTrains) {
        boolean rg = x.rg() || weightTrains;
        if (x.rg() && !noGrad) { save(x); saveBytes(x.elems() / dim * bytes); }
        if (weightTrains && !noGrad) saveBytes(x.elems() * bytes);
        return tensor(x.elems(), rg);
    }

    T embedding(long ids, long dim, boolean trains) {
        if (trains) saveBytes(ids * 8);
        return tensor(ids * dim, trains);
    }

    T add(T a, T b) { return tensor(Math.max(a.elems(), b.elems()), a.rg() || b.rg()); }

    /** Elementwise product where both operands may need grad (gates): each saves the other. */
    T mul(T a, T b) {
        if (b.rg()) save(a);
        if (a.rg()) save(b);
        return tensor(Math.max(a.elems(), b.elems()), a.rg() || b.rg());
    }
}
