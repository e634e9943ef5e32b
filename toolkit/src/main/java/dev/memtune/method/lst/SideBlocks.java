package dev.memtune.method.lst;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.memtune.backbone.AttentionMask;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbones.Backbones;
import dev.memtune.backbone.bert.BertModel;
import dev.memtune.backbone.opt.OptModel;
import dev.memtune.backbone.t5.T5Model;
import dev.memtune.nn.F;
import dev.memtune.nn.Module;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LST's side blocks: blocks of the backbone's own kind at width d/r, taken from a backbone built
 * from the narrowed config (its embedding tables shrunk to one row and left unregistered), with HF
 * names: BERT {@code layer.k}; T5 {@code block.k} and {@code final_layer_norm} (block 0 holds the
 * side's own relative position bias); OPT {@code layers.k} and {@code final_layer_norm} (pre-LN).
 */
abstract class SideBlocks {
    /** Per-batch inputs of the side blocks: their self-attention mask/bias and, for a T5 side decoder, the side encoder output and its mask. */
    record Ctx(NDArray self, NDArray enc, NDArray cross) {}

    /** Modules to register, by name, under the ladder stack. */
    final Map<String, Module> modules = new LinkedHashMap<>();

    abstract int size();

    /** Side block k on x [B,T,d/r]; runs in its own scope and returns only its output (kept). */
    abstract NDArray block(int k, NDArray x, Ctx ctx);

    /** The side's final norm (T5, pre-LN OPT); identity for post-LN BERT, whose blocks end in a norm. */
    NDArray finish(NDArray x) { return x; }

    /** Builds the per-batch context from the padding mask [B,T] (and the side encoder output for a T5 decoder side). */
    abstract Ctx context(NDArray mask, NDArray encSide, NDArray encMask);

    /** Side blocks for the stack a pooled head reads (BERT, T5 encoder, OPT decoder). */
    static SideBlocks build(NDManager m, BackboneConfig narrow) {
        return switch (narrow.modelType) {
            case "bert" -> new Bert(m, narrow);
            case "t5" -> new T5(t5(m, narrow).encoder, narrow);
            case "opt" -> new Opt(m, narrow);
            default -> throw new IllegalArgumentException("lst: backbone kind '" + narrow.modelType + "' is not supported (bert, t5, opt)");
        };
    }

    /** Side encoder and side decoder blocks of one narrowed T5 (text-to-text). */
    static SideBlocks[] t5Pair(NDManager m, BackboneConfig narrow) {
        T5Model t = t5(m, narrow);
        return new SideBlocks[]{new T5(t.encoder, narrow), new T5(t.decoder, narrow)};
    }

    private static T5Model t5(NDManager m, BackboneConfig c) {
        T5Model t = (T5Model) Backbones.construct(m, c, false);
        t.initNormal(c.number("initializer_factor", 1.0));
        return t;
    }

    static final class Bert extends SideBlocks {
        final dev.memtune.nn.ModuleList<BertModel.Layer> layer;

        Bert(NDManager m, BackboneConfig c) {
            BertModel b = (BertModel) Backbones.construct(m, c, false);
            b.initNormal(c.number("initializer_range", 0.02));
            layer = b.encoder.layer;
            modules.put("layer", layer);
        }

        int size() { return layer.size(); }

        NDArray block(int k, NDArray x, Ctx ctx) { return layer.get(k).forward(x, ctx.self(), false).hidden(); }

        Ctx context(NDArray mask, NDArray encSide, NDArray encMask) { return new Ctx(BertModel.extendedMask(mask), null, null); }
    }

    static final class T5 extends SideBlocks {
        final T5Model.Stack stack;
        final double dropout;

        T5(T5Model.Stack stack, BackboneConfig c) {
            this.stack = stack;
            dropout = c.number("dropout_rate", 0.1);
            modules.put("block", stack.block);
            modules.put("final_layer_norm", stack.final_layer_norm);
        }

        int size() { return stack.block.size(); }

        NDArray block(int k, NDArray x, Ctx ctx) {
            return stack.block.get(k).forward(x, ctx.self(), ctx.enc(), ctx.cross(), false).hidden();
        }

        @Override
        NDArray finish(NDArray x) { return F.dropout(stack.final_layer_norm.forward(x), dropout, stack.final_layer_norm.isTraining()); }

        Ctx context(NDArray mask, NDArray encSide, NDArray encMask) {
            int t = (int) mask.getShape().get(1);
            NDArray self = stack.block.get(0).selfAttention.attention.positionBias(t, t, !stack.isDecoder)   // the side's own, trainable
                    .add(AttentionMask.additive(mask, stack.isDecoder));
            return new Ctx(self, encSide, encMask == null ? null : AttentionMask.additive(encMask, false));
        }
    }

    static final class Opt extends SideBlocks {
        final OptModel.Decoder dec;

        Opt(NDManager m, BackboneConfig c) {
            OptModel o = (OptModel) Backbones.construct(m, c, false);
            o.initNormal(c.number("init_std", 0.02));
            dec = o.decoder;
            modules.put("layers", dec.layers);
            if (dec.final_layer_norm != null) modules.put("final_layer_norm", dec.final_layer_norm);
        }

        int size() { return dec.layers.size(); }

        NDArray block(int k, NDArray x, Ctx ctx) { return dec.layers.get(k).forward(x, ctx.self(), false).hidden(); }

        @Override
        NDArray finish(NDArray x) { return dec.final_layer_norm != null ? dec.final_layer_norm.forward(x) : x; }

        Ctx context(NDArray mask, NDArray encSide, NDArray encMask) { return new Ctx(AttentionMask.additive(mask, true), null, null); }
    }

    /** Keeps a block output alive in the caller's scope (blocks run in their own scope). */
    static NDArray adopt(NDArray kept) {
        NDScope.register(kept);
        return kept;
    }
}
