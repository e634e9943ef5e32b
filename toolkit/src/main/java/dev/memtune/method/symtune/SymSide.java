package dev.memtune.method.symtune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.memtune.nn.F;
import dev.memtune.nn.Linear;
import dev.memtune.nn.Module;
import dev.memtune.nn.ModuleList;
import dev.memtune.nn.Param;

import java.util.ArrayList;
import java.util.List;

/**
 * The SymTune side network (reconstruction, see {@link SymTune}): {@code first_downsample} (the
 * initial side state from the embeddings), per kept layer a feature selector {@code selectors.k}
 * (d -> d'), a block {@code layer.k} ({@link SymBlock}) and, with fusion on, one fusion logit
 * {@code fusion[k]}; {@code upsample} (d' -> d) feeds the task head.
 */
public final class SymSide extends Module {
    public final List<Integer> kept;
    public final Linear first_downsample, upsample;
    public final ModuleList<Linear> selectors;
    public final Param fusion;                        // null when fusion is switched off
    public final ModuleList<SymBlock> layer;

    SymSide(NDManager m, int d, int ds, int ffs, int heads, List<Integer> kept, SymTuneConfig c, double dropout, double attnDropout, double eps) {
        this(m, d, ds, d, ffs, heads, kept, c, dropout, attnDropout, eps);
    }

    /** As above, with {@code upsample} to width {@code out} (an LM head on OPT-350m reads the 512-wide projected output, not d). */
    SymSide(NDManager m, int d, int ds, int out, int ffs, int heads, List<Integer> kept, SymTuneConfig c, double dropout, double attnDropout, double eps) {
        super(m);
        this.kept = List.copyOf(kept);
        int k = kept.size();
        first_downsample = child("first_downsample", new Linear(m, d, ds, true));
        selectors = child("selectors", new ModuleList<>(m, k, i -> new Linear(m, d, ds, true)));
        fusion = c.fusion() ? param("fusion", new Shape(k)) : null;      // logit 0: lambda_k = 0.5
        layer = child("layer", new ModuleList<>(m, k, i -> new SymBlock(m, ds, ffs, heads, c.attentionSharing(),
                c.inverseCrossAttention(), dropout, attnDropout, eps)));
        upsample = child("upsample", new Linear(m, ds, out, true));
    }

    /** Blocks N(0, std) (HF init), projections PyTorch's default U(-1/sqrt(in), 1/sqrt(in)), fusion logits 0. */
    void initRandom(double std) {
        layer.initNormal(std);
        List<Linear> proj = new ArrayList<>(selectors.items());
        proj.add(first_downsample);
        proj.add(upsample);
        for (Linear l : proj) {
            float b = (float) (1 / Math.sqrt(l.in));
            l.weight.set(manager.randomUniform(-b, b, l.weight.data().getShape()));
            l.bias.set(manager.randomUniform(-b, b, l.bias.data().getShape()));
        }
        if (fusion != null) fusion.set(manager.zeros(fusion.data().getShape(), DataType.FLOAT32));
    }

    public int slot(int i) { return kept.indexOf(i); }

    /** The fusion weight lambda_k = sigmoid(w_k) (trainable), or the fixed 1/2 with fusion off. */
    public NDArray lambda(int k) {
        return fusion == null ? F.scalar(first_downsample.weight.data(), 0.5) : Activation.sigmoid(fusion.data().get(k));
    }

    /** s = Block_k(lambda_k s + (1 - lambda_k) x, x, probs), x = Selector_k(h): h, probs from backbone layer kept[k]. */
    public NDArray step(int k, NDArray side, NDArray h, NDArray probs, NDArray ext) {
        NDArray x = selectors.get(k).forward(h);                                   // [B,T,d']
        NDArray lam = lambda(k);
        NDArray u = side.mul(lam).add(x.mul(F.scalar(lam, 1).sub(lam)));     // F.scalar: autograd keeps its constants
        NDArray out = layer.get(k).forward(u, x, probs, ext);
        NDScope.register(out);                                                     // the caller's scope owns it
        return out;
    }
}
