package dev.memtune.method.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.memtune.nn.F;
import dev.memtune.nn.Linear;
import dev.memtune.nn.Module;
import dev.memtune.nn.Unary;

/**
 * Bottleneck adapter (Houlsby et al., 2019): {@code h + up(act(down(h)))}, down: d -> d/r, up: d/r -> d.
 * {@code up} starts at zero, so the adapter starts as the identity and the backbone's function is kept.
 */
public final class Adapter extends Module implements Unary {
    public final Linear down, up;
    private final String act;

    public Adapter(NDManager m, int dim, int bottleneck, String act, double initStd, boolean zeroUp) {
        super(m);
        this.act = act;
        down = child("down", new Linear(m, dim, bottleneck, true));
        up = child("up", new Linear(m, bottleneck, dim, true));
        initNormal(initStd);
        if (zeroUp) up.weight.set(m.zeros(up.weight.data().getShape()));
    }

    /** The bottleneck branch alone, {@code up(act(down(h)))}. */
    public NDArray branch(NDArray h) {
        NDArray z = down.forward(h);
        z = switch (act) { case "gelu" -> F.gelu(z); case "gelu_new" -> F.geluTanh(z); case "swish" -> z.mul(z.getNDArrayInternal().sigmoid()); default -> z.getNDArrayInternal().relu(); };
        return up.forward(z);
    }

    @Override
    public NDArray forward(NDArray h) { return h.add(branch(h)); }
}
