package dev.memtune.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.NDScope;
import dev.memtune.nn.F;
import dev.memtune.nn.NoGrad;
import dev.memtune.nn.Param;

import java.util.*;

/**
 * AdamW with decoupled weight decay (Loshchilov and Hutter, 2019), as {@code torch.optim.AdamW}:
 * <pre>
 *   m = b1 m + (1-b1) g;   v = b2 v + (1-b2) g^2
 *   p = p - lr * wd * p - lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
 * </pre>
 * Biases and norm weights get no decay (HF Trainer's grouping). State tensors live with the
 * parameters; {@link #stateBytes()} counts them for the profiler.
 */
public final class AdamW {
    public final double beta1, beta2, eps, weightDecay;
    private final Map<String, Param> params;
    private final Map<String, NDArray[]> state = new LinkedHashMap<>();   // name -> {m, v}
    private long t;
    /** Elements per slice of the update: 4 arrays of 1 MiB, which stay in cache across a slice's passes. */
    public static final int CHUNK = 1 << 18;
    private int chunk = CHUNK;

    public AdamW(Map<String, Param> trainable, double beta1, double beta2, double eps, double weightDecay) {
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) throw new IllegalArgumentException("adamw: betas must be in [0,1), got " + beta1 + ", " + beta2);
        if (eps <= 0) throw new IllegalArgumentException("adamw: eps must be positive, got " + eps);
        if (weightDecay < 0) throw new IllegalArgumentException("adamw: weight_decay must be >= 0, got " + weightDecay);
        this.params = new LinkedHashMap<>(trainable);
        this.beta1 = beta1; this.beta2 = beta2; this.eps = eps; this.weightDecay = weightDecay;
        params.forEach((n, p) -> {
            NDArray d = p.data();
            state.put(n, new NDArray[]{d.zerosLike(), d.zerosLike()});
        });
    }

    public static boolean decays(String name) {
        return !(name.equals("bias") || name.endsWith(".bias") || name.contains("LayerNorm") || name.contains("layer_norm") || name.contains("layernorm"));
    }

    public long step() { return t; }

    /** Elements per slice of the update (default {@link #CHUNK}); tests use tiny slices to exercise the slicing. */
    public AdamW withChunk(int elements) {
        if (elements <= 0) throw new IllegalArgumentException("adamw: chunk must be positive, got " + elements);
        chunk = elements;
        return this;
    }

    /** Applies one update with learning rate {@code lr} to every parameter that has a gradient. */
    public void update(double lr) {
        try (NoGrad ng = NoGrad.enter()) { apply(lr); }      // in-place on leaves: never recorded, whatever the thread's grad mode
    }

    /**
     * The update with as few passes over memory and fresh allocations as DJL's operators allow
     * (element-wise work on ~110M parameters is memory-bound, and every fresh temporary is also
     * page-faulted in): with {@code s = lr sqrt(1-b2^t) / (1-b1^t)} and {@code eps' = eps sqrt(1-b2^t)},
     * {@code lr m_hat / (sqrt(v_hat) + eps) = s m / (sqrt(v) + eps')}, so the bias corrections cost no
     * pass. The gradient itself is the scratch space: it holds {@code u = (1-b1) g}, then
     * {@code (1-b2) g^2 = (1-b2)/(1-b1)^2 u^2}, so <b>after {@code update} the gradients no longer hold
     * the gradient</b> (the next step zeroes them anyway; clip and log before updating). Two
     * temporaries per tensor, {@code sqrt(v) + eps'} and the step. Large tensors are updated in
     * slices of {@link #CHUNK} elements, so the ~10 passes of a slice run in the CPU caches and
     * main memory sees each of w, g, m, v about once.
     */
    private void apply(double lr) {
        t++;
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        if (params.isEmpty()) return;
        NDArray like = params.values().iterator().next().data();
        try (NDScope consts = new NDScope()) {                 // the scalars once per update, not once per operation
            Consts k = new Consts(F.scalar(like, 1 - lr * weightDecay), F.scalar(like, beta1), F.scalar(like, beta2), F.scalar(like, 1 - beta1),
                    F.scalar(like, (1 - beta2) / ((1 - beta1) * (1 - beta1))), F.scalar(like, lr * Math.sqrt(bc2) / bc1), F.scalar(like, eps * Math.sqrt(bc2)));
            for (var e : params.entrySet()) {
                Param p = e.getValue();
                NDArray[] mv = state.get(e.getKey());
                try (NDScope s = new NDScope()) {               // also closes the gradient handle grad() creates
                    NDArray g = p.grad();
                    if (g == null) continue;
                    NDArray w = p.data(), m = mv[0], v = mv[1];
                    boolean decay = weightDecay > 0 && decays(e.getKey());
                    long n = w.getShape().size();
                    if (n <= chunk) { step(w, g, m, v, decay, k); continue; }
                    // parameters, gradients and moments are contiguous (PyTorch lays a gradient out like its
                    // parameter), so the flat reshapes and the slices below are views: in-place ops update them
                    NDArray wf = w.reshape(-1), gf = g.reshape(-1), mf = m.reshape(-1), vf = v.reshape(-1);
                    for (long a = 0; a < n; a += chunk) {
                        try (NDScope c = new NDScope()) {
                            NDIndex ix = new NDIndex(a + ":" + Math.min(n, a + chunk));
                            step(wf.get(ix), gf.get(ix), mf.get(ix), vf.get(ix), decay, k);
                        }
                    }
                }
            }
        }
    }

    private record Consts(NDArray decay, NDArray b1, NDArray b2, NDArray c1, NDArray c2, NDArray step, NDArray epsHat) {}

    /** One tensor (or slice of one), in place; see {@link #apply}. */
    private static void step(NDArray w, NDArray g, NDArray m, NDArray v, boolean decay, Consts k) {
        if (decay) w.muli(k.decay);                                       // p <- p - lr wd p
        g.muli(k.c1);                                                      // g <- u = (1-b1) g
        m.muli(k.b1).addi(g);                                              // m <- b1 m + (1-b1) g
        g.muli(g).muli(k.c2);                                              // g <- (1-b2) g^2
        v.muli(k.b2).addi(g);                                              // v <- b2 v + (1-b2) g^2
        NDArray d = v.sqrt().addi(k.epsHat);
        w.subi(m.div(d).muli(k.step));
    }

    /** Bytes of optimizer state (m and v). */
    public long stateBytes() {
        long b = 0;
        for (NDArray[] mv : state.values()) b += 2 * mv[0].getShape().size() * 4;
        return b;
    }

    /** Moment tensors by parameter name, for checkpoints. */
    public Map<String, NDArray[]> state() { return Collections.unmodifiableMap(state); }

    public void setStep(long step) { this.t = step; }

    /** Restores the moments of one parameter (from a checkpoint); shapes must match. */
    public void setState(String name, float[] m, float[] v) {
        NDArray[] mv = state.get(name);
        if (mv == null) throw new IllegalArgumentException("adamw: no parameter '" + name + "' in this optimizer");
        for (int i = 0; i < 2; i++) {
            float[] src = i == 0 ? m : v;
            if (src.length != mv[i].getShape().size()) throw new IllegalArgumentException("adamw: state of '" + name + "' has " + src.length + " values, expected " + mv[i].getShape().size());
            NDArray fresh = mv[i].getManager().create(src, mv[i].getShape());
            mv[i].close();
            mv[i] = fresh;
        }
    }

    /** Global L2 norm of all gradients, then scales them so it is at most {@code maxNorm}; returns the norm before. */
    public static double clipGradNorm(Collection<Param> ps, double maxNorm) {
        double sq = 0;
        for (Param p : ps) {
            try (NDScope s = new NDScope()) {
                NDArray g = p.grad();
                if (g != null) { double n = g.norm().getFloat(); sq += n * n; }    // one pass, no temporary
            }
        }
        double norm = Math.sqrt(sq);
        if (maxNorm > 0 && norm > maxNorm) {
            float c = (float) (maxNorm / (norm + 1e-6));
            try (NoGrad ng = NoGrad.enter()) {
                for (Param p : ps) try (NDScope s = new NDScope()) { NDArray g = p.grad(); if (g != null) g.muli(c); }
            }
        }
        return norm;
    }
}
