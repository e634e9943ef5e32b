package dev.memtune.method.lst;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
 * The side network beside one backbone stack (names as in the released code):
 * {@code first_downsample} (ladder on the embeddings), {@code downsamples.k} (ladder on kept layer
 * {@code kept[k]}), {@code gate_alpha} [K], and the side blocks of the backbone's kind
 * ({@link SideBlocks}). {@link #run} walks the backbone stack a layer at a time:
 * <pre>
 *   s = W_first h_0 + b;   for kept layer i (slot k):  s = Block_k(mu_k s + (1 - mu_k)(W_k h_i + b_k)),
 *   mu_k = sigmoid(alpha_k / T);   out = FinalNorm(s)
 * </pre>
 */
public final class LadderStack extends Module {
    public final List<Integer> kept;
    public final double temperature;
    public final Linear first_downsample;
    public final ModuleList<Linear> downsamples;
    public final Param gate_alpha;
    final SideBlocks blocks;

    LadderStack(NDManager m, int d, int ds, List<Integer> kept, double temperature, SideBlocks blocks) {
        super(m);
        this.kept = List.copyOf(kept);
        this.temperature = temperature;
        this.blocks = blocks;
        int k = kept.size();
        first_downsample = child("first_downsample", new Linear(m, d, ds, true));
        downsamples = child("downsamples", new ModuleList<>(m, k, i -> new Linear(m, d, ds, true)));
        gate_alpha = param("gate_alpha", new Shape(k));                  // alpha_k = 0: mu_k = 0.5
        blocks.modules.forEach(this::child);
        List<Linear> ladders = new ArrayList<>(downsamples.items());
        ladders.add(first_downsample);
        for (Linear l : ladders) torchDefault(l);
        gate_alpha.set(m.zeros(gate_alpha.data().getShape(), DataType.FLOAT32));
    }

    /** PyTorch's default Linear init, U(-1/sqrt(in), 1/sqrt(in)) for weight and bias (LST leaves ladders at it). */
    static void torchDefault(Linear l) {
        NDManager m = l.manager();
        float b = (float) (1 / Math.sqrt(l.in));
        l.weight.set(m.randomUniform(-b, b, l.weight.data().getShape()));
        if (l.bias != null) l.bias.set(m.randomUniform(-b, b, l.bias.data().getShape()));
    }

    /** Position of backbone layer {@code i} among the kept layers, or -1 when it was dropped. */
    public int slot(int i) { return kept.indexOf(i); }

    /** mu_k = sigmoid(alpha_k / T), a scalar. */
    public NDArray gate(int k) {
        NDArray alpha = gate_alpha.data().get(k);
        return Activation.sigmoid(alpha.div(F.scalar(alpha, temperature)));  // F.scalar: autograd keeps the divisor
    }

    /** side = Block_k(mu_k side + (1 - mu_k) ladder_k(h)); h: backbone layer kept[k]'s output [B,T,d]. */
    NDArray step(int k, NDArray side, NDArray h, SideBlocks.Ctx ctx) {
        NDArray mu = gate(k);
        NDArray mixed = side.mul(mu).add(downsamples.get(k).forward(h).mul(F.scalar(mu, 1).sub(mu)));   // [B,T,d/r]
        return SideBlocks.adopt(blocks.block(k, mixed, ctx));
    }

    /** Side output and, when asked, the backbone stack's own final output (the T5 decoder needs the encoder's). */
    record Result(NDArray side, NDArray backbone) {}

    /**
     * Runs the backbone stack and this side network together. Each backbone state is released once
     * its ladder has read it; layers above the last kept one run only when {@code wantBackbone}.
     */
    Result run(Trunk t, SideBlocks.Ctx ctx, boolean wantBackbone) {
        NDArray h = t.embed();                                               // [B,T,d], no gradient
        NDArray s = first_downsample.forward(h);                            // [B,T,d/r]
        int last = wantBackbone ? t.numLayers() - 1 : kept.get(kept.size() - 1);
        for (int i = 0; i <= last; i++) {
            NDArray next = t.layer(i, h, false).hidden();
            h.close();
            h = next;
            int k = slot(i);
            if (k >= 0) s = step(k, s, h, ctx);
        }
        NDArray out = wantBackbone ? t.finish(h) : null;
        h.close();
        return new Result(blocks.finish(s), out);
    }

    /** The same side computation on backbone states given in advance (embeddings, then each kept layer's output). */
    NDArray runOn(List<NDArray> ladderInputs, SideBlocks.Ctx ctx) {
        if (ladderInputs.size() != kept.size() + 1)
            throw new IllegalArgumentException("lst: expected " + (kept.size() + 1) + " ladder inputs (embeddings + kept layers), got " + ladderInputs.size());
        NDArray s = first_downsample.forward(ladderInputs.get(0));
        for (int k = 0; k < kept.size(); k++) s = step(k, s, ladderInputs.get(k + 1), ctx);
        return blocks.finish(s);
    }

    /** Embedding output, then the output of each kept layer ([B,T,d] each, no gradient); the caller closes them. */
    static List<NDArray> ladderInputs(Trunk t, List<Integer> kept) {
        List<NDArray> out = new ArrayList<>();
        NDArray h = t.embed();
        out.add(h);
        boolean handedOut = true;
        for (int i = 0; i <= kept.get(kept.size() - 1); i++) {
            NDArray next = t.layer(i, h, false).hidden();
            if (!handedOut) h.close();
            h = next;
            handedOut = kept.contains(i);
            if (handedOut) out.add(h);
        }
        return out;
    }
}
