package dev.memtune.method.meft;

import ai.djl.engine.Engine;
import dev.memtune.step.CustomBackward;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbone.Batch;
import dev.memtune.method.HeadSpec;
import dev.memtune.method.TunedModel;
import dev.memtune.nn.Module;
import dev.memtune.nn.ModuleList;
import dev.memtune.step.TrainStep;

import java.util.*;

/**
 * A backbone made reversible by MEFT (Liao, Tan, Monz, NeurIPS 2023). Streams start as
 * {@code x1 = x2 = h0} (embedding output), pass through the {@link MeftLayer}s, and the head reads
 * {@code (x1 + x2) / 2} (for OPT after the decoder's final norm and projection, as it reads OPT's own output).
 *
 * <p>Two ways to get gradients, computing the same function with the same dropout masks:
 * {@link #features} under a {@code GradientCollector} (ordinary autograd, activations of every
 * layer kept), and {@link #forwardBackward} (what {@code TrainStep} calls): the lower
 * {@code reversible_layers} run without recording, only the top streams are kept, then each layer's
 * inputs are recomputed from its outputs and the gradient is pushed through it, top to bottom;
 * layers above run with ordinary backprop. Dropout masks are replayed by reseeding the engine
 * before the embeddings, F and G of every layer and the head, from (seed, step, layer, part).
 *
 * <p>Numerics: every reversible layer multiplies the float error of the recomputed inputs by about
 * |dF/dx| / lambda (MEFT1/2) or 1 / (lambda beta) (MEFT3). Measured on random-init backbones in
 * float32: ~10x per layer for MEFT1/2, ~100x for MEFT3, so a 12-layer random bert-base gets
 * meaningless gradients (pretrained weights have to be measured). {@link Stats#embeddingReconstructionError}
 * reports it every step at no memory cost; {@code reversible_layers} limits the depth it compounds over.
 */
public final class MeftModel extends TunedModel implements CustomBackward {
    /** Holds the per-layer adapters under the names {@code meft.layer.<i>.<adapter>.dense1.weight}. */
    public static final class MeftEncoder extends Module {
        public final ModuleList<MeftLayer> layer;

        MeftEncoder(NDManager m, MeftConfig c, MeftBlocks blocks, int dim) {
            super(m);
            layer = child("layer", new ModuleList<>(m, blocks.numLayers(), i -> new MeftLayer(m, c, blocks, i, dim)));
        }
    }

    /**
     * Facts about the last {@link #forwardBackward}: {@code retainedArrays}/{@code retainedBytes}
     * are the native arrays created by the forward and still held when it reached the top of the
     * reversible part (flat in depth when nothing is kept per layer; -1 unless
     * {@link #measureRetention}), {@code forwardRecorded} whether that part
     * recorded autograd history (it must not; probed only with {@link #measureRetention}), {@code embeddingReconstructionError} the max
     * |recomputed - h0| of the two streams at the bottom (always measured, by recomputing the
     * embeddings: a large value means the reversible gradients are not to be trusted; NaN when no
     * layer is reversible), {@code reconstructionError[i]} the max |recomputed - stored| of layer
     * i's inputs (only with {@link #trackReconstruction}; else null).
     */
    public record Stats(int layers, int reversibleLayers, long retainedArrays, long retainedBytes,
                        boolean forwardRecorded, double embeddingReconstructionError, double[] reconstructionError) {
        public double maxReconstructionError() {
            return reconstructionError == null ? Double.NaN : Arrays.stream(reconstructionError).max().orElse(0);
        }
    }

    public final MeftEncoder meft;
    private final MeftConfig c;
    private final MeftBlocks blocks;
    private final int reversible;
    private long dropoutStep;
    private boolean track, measure;
    private Stats lastStats;

    MeftModel(Backbone backbone, HeadSpec spec, MeftConfig c, MeftBlocks blocks) {
        super(backbone, spec, c);
        this.c = c;
        this.blocks = blocks;
        this.reversible = c.reversibleLayers(blocks.numLayers());
        Engine.getInstance().setRandomSeed((int) c.seed());
        meft = child("meft", new MeftEncoder(manager, c, blocks, backbone.config().hiddenSize()));
    }

    public MeftConfig meftConfig() { return c; }

    public int reversibleLayers() { return reversible; }

    public MeftLayer layer(int i) { return meft.layer.get(i); }

    /** Training steps (forwards in training mode) so far; dropout seeds derive from it. */
    public long dropoutStep() { return dropoutStep; }

    /** Sets the step the next training-mode forward uses (to replay one step's masks in tests). */
    public void setDropoutStep(long step) { dropoutStep = step; }

    /** Keep every layer's inputs during {@link #forwardBackward} to report reconstruction errors (O(depth) memory: tests only). */
    public void trackReconstruction(boolean on) { track = on; }

    /** Count the native arrays the reversible forward still holds at its top (walks the managers: diagnostics only). */
    public void measureRetention(boolean on) { measure = on; }

    public Stats lastStats() { return lastStats; }

    // ---- ordinary forward ----------------------------------------------------------------------

    /** {@code (x1 + x2) / 2} of the top streams [B,T,D], then the backbone's own last step (OPT: final norm); records autograd if grad mode is on. */
    @Override
    public NDArray features(Batch b) {
        MeftLayer.Streams s = streams(b);
        NDArray out = blocks.finish(average(s));                                                                  // [B,T,D']
        s.close();
        return out;
    }

    private static NDArray average(MeftLayer.Streams s) { return s.x1().add(s.x2()).mul(dev.memtune.nn.F.scalar(s.x1(), 0.5)); }

    /** The top streams (x1, x2) as the next layer would get them; advances the dropout step in training. */
    public MeftLayer.Streams streams(Batch b) {
        long step = training ? dropoutStep++ : -1;
        NDArray mask = blocks.mask(b);
        NDArray e = embed(b, step);
        MeftLayer.Streams s = new MeftLayer.Streams(e, e);
        for (int i = 0; i < blocks.numLayers(); i++) {
            MeftLayer.Streams next = runLayer(i, s, mask, step);
            s.close();                                                         // the graph, if any, keeps what backward needs
            s = next;
        }
        mask.close();
        reseed(step, blocks.numLayers());                                      // head dropout, as in forwardBackward
        NDScope.register(s.x1());
        NDScope.register(s.x2());
        return s;
    }

    /** Embedding output h0 [B,T,D], its intermediates closed; the caller owns it. */
    private NDArray embed(Batch b, long step) {
        reseed(step, -1);
        try (NDScope s = new NDScope()) {
            NDArray e = blocks.embed(b);
            NDScope.unregister(e);
            return e;
        }
    }

    private MeftLayer.Streams runLayer(int i, MeftLayer.Streams in, NDArray mask, long step) {
        MeftLayer.Streams out;
        try (NDScope scope = new NDScope()) {
            out = layer(i).forward(in, mask, seeds(step, i));
            NDScope.unregister(out.x1());
            NDScope.unregister(out.x2());
        }
        return out;
    }

    // ---- reversible training step --------------------------------------------------------------

    @Override
    public float forwardBackward(Batch b, NDArray labels) {
        if (head == null) throw new IllegalStateException(c.method() + ": forwardBackward needs a task head");
        long step = training ? dropoutStep++ : -1;
        int n = blocks.numLayers(), k = reversible;
        try (NDScope scope = new NDScope(); Autograd.Mode off = Autograd.noGrad()) {
            NDArray mask = blocks.mask(b);
            NDManager[] where = {manager, b.inputIds().getManager()};            // parameters' and batch's managers
            long[] before = measure ? live(where) : null;
            NDArray e = embed(b, step);                                         // frozen: no gradient below this
            MeftLayer.Streams s = new MeftLayer.Streams(e, e);
            List<MeftLayer.Streams> inputs = new ArrayList<>();
            for (int i = 0; i < k; i++) {                                       // reversible part: nothing recorded, nothing kept
                MeftLayer.Streams next = runLayer(i, s, mask, step);
                if (track) inputs.add(s); else if (i > 0) s.close();
                s = next;
            }
            if (!track && k > 0) e.close();
            long[] after = measure ? live(where) : null;
            boolean recorded = measure && (Autograd.records(s.x1()) || Autograd.records(s.x2()));

            // upper part and head with ordinary autograd, from leaves on the top reversible streams
            MeftLayer.Streams top = new MeftLayer.Streams(Autograd.leaf(s.x1()), Autograd.leaf(s.x2()));
            float loss;
            try (Autograd.Mode on = Autograd.enableGrad()) {
                MeftLayer.Streams t = top;
                for (int i = k; i < n; i++) t = layer(i).forward(t, mask, seeds(step, i));
                NDArray feat = blocks.finish(average(t));                                                        // [B,T,D']
                reseed(step, n);
                NDArray l = head.loss(head.forward(feat, b.attentionMask(), b.choiceMask()), labels);
                loss = l.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).getFloat();
                Autograd.vjp(l, l.onesLike());
            }

            // reversible backward, top to bottom
            double[] err = track ? new double[k] : null;
            MeftLayer.Streams out = s, d = new MeftLayer.Streams(top.x1().getGradient(), top.x2().getGradient());
            for (int i = k - 1; i >= 0; i--) {
                MeftLayer.Backward bw;
                try (NDScope ls = new NDScope()) {
                    bw = layer(i).backward(out, d, mask, seeds(step, i));
                    for (NDArray a : new NDArray[]{bw.inputs().x1(), bw.inputs().x2(), bw.grads().x1(), bw.grads().x2()}) NDScope.unregister(a);
                }
                if (track) err[i] = Math.max(maxAbsDiff(bw.inputs().x1(), inputs.get(i).x1()), maxAbsDiff(bw.inputs().x2(), inputs.get(i).x2()));
                out.close();
                d.close();
                out = bw.inputs();
                d = bw.grads();
            }
            double bottom = Double.NaN;
            if (k > 0) {                                                        // cheap check: recompute h0, compare
                NDArray h0 = embed(b, step);
                bottom = Math.max(maxAbsDiff(out.x1(), h0), maxAbsDiff(out.x2(), h0));
                h0.close();
            }
            out.close();
            d.close();
            for (MeftLayer.Streams in : inputs) in.close();
            lastStats = new Stats(n, k, measure ? after[0] - before[0] : -1, measure ? after[1] - before[1] : -1, recorded, bottom, err);
            return loss;
        }
    }

    private static double maxAbsDiff(NDArray a, NDArray b) { return a.sub(b).abs().max().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble(); }

    /** Count and bytes of the native arrays alive in these managers (and their children). */
    private static long[] live(NDManager[] managers) {
        long count = 0, bytes = 0;
        Set<NDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (NDManager m : managers)
            for (NDArray a : m.getManagedArrays()) {
                if (a.isReleased() || !seen.add(a)) continue;
                count++;
                bytes += a.getShape().size() * a.getDataType().getNumOfBytes();
            }
        return new long[]{count, bytes};
    }

    // ---- dropout replay ------------------------------------------------------------------------

    /** Seeds for layer i's F and G at a step, or null when not training (no dropout). */
    private int[] seeds(long step, int i) { return step < 0 ? null : new int[]{seed(step, i, 0), seed(step, i, 1)}; }

    /** Reseeds the engine for a non-layer slot: -1 embeddings, numLayers the head. */
    private void reseed(long step, int slot) { if (step >= 0) Engine.getInstance().setRandomSeed(seed(step, slot, 2)); }

    private int seed(long step, int slot, int part) {
        long h = mix(c.seed() + 0x9E3779B97F4A7C15L);
        h = mix(h ^ step);
        h = mix(h ^ (slot + 1L));
        h = mix(h ^ part);
        return (int) (h >>> 33);                                              // non-negative int
    }

    private static long mix(long z) {                                        // SplitMix64 finaliser
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
