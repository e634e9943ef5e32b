package dev.memtune.method.meft;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.memtune.nn.F;
import dev.memtune.nn.Module;

/**
 * One reversible layer: {@code y1 = lambda x1 + F(x2)}, {@code y2 = beta x2 + G(y1)}; the next
 * layer gets {@code (y2, y1)} (MEFT1, MEFT2) or {@code (y1, y2)} (MEFT3). F and G by variant:
 * <pre>
 *   MEFT1  F = pretrained layer with ffn_adapter parallel to its FFN    G = rev_adapter
 *   MEFT2  F = rev_adapter                                              G = pretrained layer with ffn_adapter
 *   MEFT3  F = attention block with attn_adapter on its branch          G = FFN block with ffn_adapter parallel
 * </pre>
 * {@link #backward} inverts the layer and pushes the output gradient through it (the authors'
 * {@code backward_pass}). Dropout masks are replayed by reseeding the engine before F and G with
 * the same seeds as the forward.
 */
public final class MeftLayer extends Module {
    /** The two streams entering (or leaving) a layer. */
    public record Streams(NDArray x1, NDArray x2) {
        void close() { x1.close(); if (x2 != x1) x2.close(); }
    }

    /** A layer's recomputed inputs and the loss gradient with respect to them. */
    public record Backward(Streams inputs, Streams grads) {}

    public final int index;
    public final MeftAdapter ffn_adapter, rev_adapter, attn_adapter;     // rev (MEFT1/2) or attn (MEFT3), the other null
    private final MeftConfig c;
    private final MeftBlocks blocks;

    MeftLayer(NDManager m, MeftConfig c, MeftBlocks blocks, int index, int dim) {
        super(m);
        this.c = c;
        this.blocks = blocks;
        this.index = index;
        ffn_adapter = child("ffn_adapter", new MeftAdapter(m, dim, c.bottleneck(), c.adapterDropout(), c.initStd()));
        rev_adapter = c.variant() == 3 ? null : child("rev_adapter", new MeftAdapter(m, dim, c.bottleneck(), c.adapterDropout(), c.initStd()));
        attn_adapter = c.variant() == 3 ? child("attn_adapter", new MeftAdapter(m, dim, c.bottleneck(), c.adapterDropout(), c.initStd())) : null;
    }

    /** The pretrained layer with the FFN-parallel adapter. */
    NDArray layer(NDArray x, NDArray mask) { return blocks.ffn(index, blocks.attention(index, x, mask, null), ffn_adapter); }

    NDArray f(NDArray x2, NDArray mask) {
        return switch (c.variant()) {
            case 1 -> layer(x2, mask);
            case 2 -> rev_adapter.forward(x2);
            default -> blocks.attention(index, x2, mask, attn_adapter);
        };
    }

    NDArray g(NDArray y1, NDArray mask) {
        return switch (c.variant()) {
            case 1 -> rev_adapter.forward(y1);
            case 2 -> layer(y1, mask);
            default -> blocks.ffn(index, y1, ffn_adapter);
        };
    }

    private static void reseed(int[] seeds, int part) {
        if (seeds != null) Engine.getInstance().setRandomSeed(seeds[part]);
    }

    /**
     * Forward; records autograd only when grad mode is on. {@code seeds} = {F seed, G seed} to
     * replay dropout, or null (eval). Returns the next layer's streams.
     */
    public Streams forward(Streams in, NDArray mask, int[] seeds) {
        reseed(seeds, 0);
        NDArray y1 = in.x1().mul(F.scalar(in.x1(), c.lambda())).add(f(in.x2(), mask));               // [B,T,D]
        reseed(seeds, 1);
        NDArray y2 = in.x2().mul(F.scalar(in.x2(), c.beta())).add(g(y1, mask));                      // [B,T,D]
        return c.swap() ? new Streams(y2, y1) : new Streams(y1, y2);
    }

    /**
     * Reversible backward from this layer's output streams {@code out} and the loss gradient
     * {@code dOut} with respect to them: recompute G(y1) with recording, push dy2 through it;
     * {@code x2 = (y2 - G(y1)) / beta}; recompute F(x2), push {@code dy1 + dG/dy1^T dy2} through it;
     * {@code x1 = (y1 - F(x2)) / lambda}; {@code dx2 = beta dy2 + dF/dx2^T dy1}, {@code dx1 = lambda dy1}.
     * Adapter gradients accumulate into their parameters. Call with grad mode off.
     */
    public Backward backward(Streams out, Streams dOut, NDArray mask, int[] seeds) {
        NDArray y1 = c.swap() ? out.x2() : out.x1(), y2 = c.swap() ? out.x1() : out.x2();
        NDArray dy1 = c.swap() ? dOut.x2() : dOut.x1(), dy2 = c.swap() ? dOut.x1() : dOut.x2();

        NDArray y1Leaf = Autograd.leaf(y1), gy1;
        try (Autograd.Mode on = Autograd.enableGrad()) {
            reseed(seeds, 1);
            gy1 = g(y1Leaf, mask);                                                  // G(y1), recorded
            Autograd.vjp(gy1, dy2);
        }
        NDArray x2 = y2.sub(gy1).div(c.beta());
        NDArray dy1Total = dy1.add(y1Leaf.getGradient());

        NDArray x2Leaf = Autograd.leaf(x2), fx2;
        try (Autograd.Mode on = Autograd.enableGrad()) {
            reseed(seeds, 0);
            fx2 = f(x2Leaf, mask);                                                  // F(x2), recorded
            Autograd.vjp(fx2, dy1Total);
        }
        NDArray x1 = y1.sub(fx2).div(c.lambda());
        NDArray dx2 = dy2.mul(c.beta()).add(x2Leaf.getGradient());
        NDArray dx1 = dy1Total.mul(c.lambda());
        return new Backward(new Streams(x1, x2), new Streams(dx1, dx2));
    }
}
