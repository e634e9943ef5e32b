package dev.memtune.method.symtune;

import dev.memtune.backbone.Backbone;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.method.*;

import java.util.List;

/**
 * SymTune, Symbiotic Tuning (Feng, Lin, Chuang and Kao, IEEE Access 13, 2025) — a
 * <b>reconstruction from the published description</b>: no full text or code is public, so the
 * equations below are this project's reading of "feature selector, attention sharing, inverse
 * cross attention, per-layer fusion weight", not the authors' implementation. Each part can be
 * switched off for the ablation; with all three off the side network is an LST-like ladder side
 * network with plain self-attention and a fixed 1/2 mix.
 * <p>For each kept backbone layer i (slot k), with the backbone frozen and run without gradient:
 * <pre>
 *   x_k = W_sel,k h_i + b                          feature selector: bottleneck projection d -> d' = d/r
 *   u   = lambda_k s + (1 - lambda_k) x_k          fusion: lambda_k = sigmoid(w_k), w_k = 0 at start
 *                                                  (switched off: lambda_k = 1/2 fixed)
 *   a   = LN(u + W_o (P_i V u))                    attention sharing: P_i = backbone layer i's attention
 *                                                  probabilities [B,h,T,T]; the side computes only values
 *                                                  (off: P = softmax(Q u (K u)^T / sqrt(d'/h) + mask))
 *   a   = LN(a + W_oc softmax(Q_c x_k (K_c a)^T / sqrt(d'/h) + mask) V_c a)
 *                                                  inverse cross attention: the backbone's selected
 *                                                  features query the side state (an ordinary side
 *                                                  cross-attention would query the backbone instead);
 *                                                  "weighted" = the attention-weighted sum
 *   s   = LN(a + W_2 GELU(W_1 a))                  feed-forward, d_ff / r wide
 * </pre>
 * s starts as W_0 Dropout(Emb(x)) + b_0 and the task head reads W_up s + b_up (d' -> d).
 * Side heads = backbone heads (needed to share the probabilities). Trainable: everything under
 * {@code side.} plus the head. Backbones: BERT-family and T5 encoders (bidirectional side
 * attention) and the OPT decoder (causal side attention and cross attention). Pooled task heads as
 * the paper; the LM head ({@code lm}: T5 text-to-text, OPT causal LM) is this project's extension,
 * see {@link SymTuneModel}: the side output is added to the stack's own output, which the frozen
 * T5 decoder or LM head then reads.
 */
public final class SymTune implements Method {
    private final SymTuneConfig config;

    public SymTune(SymTuneConfig config) { this.config = config; }

    /** Registry hook: options {@code reduction_factor, kept_layers, attention_sharing, inverse_cross_attention, fusion, side_dropout}. */
    public static Method fromOptions(String name, Options o) {
        SymTuneConfig.Builder b = SymTuneConfig.builder();
        o.integer("reduction_factor", b::setReductionFactor).ints("kept_layers", b::setKeptLayers)
                .bool("attention_sharing", b::setAttentionSharing).bool("inverse_cross_attention", b::setInverseCrossAttention)
                .bool("fusion", b::setFusion).number("side_dropout", b::setSideDropout);
        return new SymTune(b.build());
    }

    public SymTuneConfig config() { return config; }

    public TunedModel attach(Backbone backbone, HeadSpec head) {
        BackboneConfig c = backbone.config();
        String kind = c.modelType;
        if (!List.of("bert", "t5", "opt").contains(kind))
            throw new IllegalArgumentException("symtune: backbone kind '" + kind + "' is not supported (bert, t5, opt)");
        int d = c.hiddenSize(), r = config.reductionFactor(), heads = c.numHeads();
        if (d % r != 0) throw new IllegalArgumentException("symtune: reduction_factor " + r + " does not divide the hidden size " + d + " of " + c.source);
        int ds = d / r;
        if (ds % heads != 0) throw new IllegalArgumentException("symtune: side width d/r = " + d + "/" + r + " = " + ds + " is not divisible by the "
                + heads + " attention heads the side shares with the backbone (" + c.source + "); choose another reduction_factor");
        List<Integer> kept = config.keptLayersFor(kind, c.numLayers());
        Double sd = config.sideDropout();
        double drop = sd != null ? sd : switch (kind) { case "t5" -> c.number("dropout_rate", 0.1); case "opt" -> c.number("dropout", 0.1); default -> c.number("hidden_dropout_prob", 0.1); };
        double attnDrop = sd != null ? sd : switch (kind) { case "t5" -> c.number("dropout_rate", 0.1); case "opt" -> c.number("attention_dropout", 0.0); default -> c.number("attention_probs_dropout_prob", 0.1); };
        double eps = switch (kind) { case "t5" -> c.number("layer_norm_epsilon", 1e-6); case "opt" -> 1e-5; default -> c.number("layer_norm_eps", 1e-12); };
        // an LM head adds the side output to the stack's own output, which OPT projects to word_embed_proj_dim
        boolean lm = head.kind().equals("lm");
        int out = lm && kind.equals("opt") ? c.integer("word_embed_proj_dim", d) : d;
        SymSide side = new SymSide(backbone.manager(), d, ds, out, Math.max(1, c.intermediateSize() / r), heads, kept, config, drop, attnDrop, eps);
        side.initRandom(kind.equals("opt") ? c.number("init_std", 0.02) : c.number("initializer_range", 0.02));
        if (lm) {                                       // start from the backbone's own outputs: W_up = 0, b_up = 0
            side.upsample.weight.set(backbone.manager().zeros(side.upsample.weight.data().getShape()));
            side.upsample.bias.set(backbone.manager().zeros(side.upsample.bias.data().getShape()));
        }
        SymTuneModel m = new SymTuneModel(backbone, head, config, side);
        Heads.add(m, d);
        Freeze.apply(m, n -> n.startsWith("side."));
        return m;
    }

    /** BERT-family and T5 encoders, the OPT decoder. */
    @Override
    public boolean supports(String modelType) { return List.of("bert", "t5", "opt").contains(modelType); }

    @Override
    public String toString() { return config.toString(); }
}
