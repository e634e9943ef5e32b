package dev.memtune.method.meft;

import dev.memtune.backbone.Backbone;
import dev.memtune.method.*;

/**
 * MEFT (Liao, Tan, Monz, "Make Pre-trained Model Reversible", NeurIPS 2023): adapters inserted so
 * the pretrained network becomes reversible, so training needs no per-layer activations.
 * <pre>
 *   x1 = x2 = h0                                      (embedding output)
 *   y1 = lambda x1 + F(x2),   y2 = beta x2 + G(y1)      (per layer; next input [y2; y1], MEFT3 [y1; y2])
 *   features = (x1 + x2) / 2  -> task head
 *   backward:  x2 = (y2 - G(y1)) / beta,  x1 = (y1 - F(x2)) / lambda   (inputs recomputed from outputs)
 * </pre>
 * Variants (F, G, lambda, beta): MEFT1 (layer + FFN-parallel adapter, adapter, 0.1, 1), MEFT2
 * (adapter, layer + FFN-parallel adapter, 1, 0.1), MEFT3 (attention block + adapter, FFN block +
 * parallel adapter, 0.1, 0.1). Adapters: {@code dense2(dropout(GELU(dense1 x)))}, d -> 8 -> d,
 * N(0, 0.02^2). Only adapters and the head train.
 *
 * <p>Starting point, exactly: with zero adapters MEFT1 and MEFT2 both compute the leaky chain
 * {@code s_{i+1} = L_i(s_i) + 0.1 s_{i-1}} (s_0 = s_1 = h0) and output {@code (s_N + s_{N+1}) / 2};
 * as the small factor goes to 0 the streams become (h_{N-1}, h_N) of the pretrained model. MEFT3's
 * streams become (attention block of layer N on h_{N-1}, h_N). So each pretrained layer sees
 * (approximately, 0.1-leaky) its pretrained input; the final average is not h_N itself.
 *
 * <p>Head: the project's shared head (first token, trainable dense + tanh, dropout, classifier)
 * where the paper has the frozen pretrained pooler and a trainable linear classifier.
 * BERT-family backbones only so far.
 */
public final class Meft implements Method {
    private final MeftConfig config;

    public Meft(MeftConfig config) { this.config = config; }

    /** Registry entry: {@code meft1|meft2|meft3} with options lambda, beta, bottleneck, adapter_dropout, init_std, reversible_layers (n or all), seed. */
    public static Method fromOptions(String name, Options o) {
        int variant = switch (name) {
            case "meft1" -> 1;
            case "meft2" -> 2;
            case "meft3" -> 3;
            default -> throw new IllegalArgumentException("unknown MEFT variant '" + name + "' (meft1, meft2, meft3)");
        };
        MeftConfig.Builder b = MeftConfig.builder().setVariant(variant);
        o.number("lambda", b::optLambda).number("beta", b::optBeta).integer("bottleneck", b::optBottleneck)
                .number("adapter_dropout", b::optAdapterDropout).number("init_std", b::optInitStd).integer("seed", b::optSeed);
        String rev = o.str("reversible_layers", "all");
        if (!rev.equalsIgnoreCase("all")) {
            try { b.optReversibleLayers(Integer.parseInt(rev.trim())); }
            catch (NumberFormatException e) { throw new IllegalArgumentException(name + ": option 'reversible_layers' must be 'all' or an integer, got '" + rev + "'"); }
            if (Integer.parseInt(rev.trim()) < 0) throw new IllegalArgumentException(name + ": option 'reversible_layers' must be 'all' or a layer count >= 0, got " + rev);
        }
        return new Meft(b.build());
    }

    public MeftConfig config() { return config; }

    public MeftModel attach(Backbone backbone, HeadSpec head) {
        if (head.kind().equals("lm")) throw new IllegalArgumentException(config.method() + ": the text-to-text (lm) head is not supported; use a classification, regression or multiple_choice head");
        MeftBlocks blocks = MeftBlocks.of(backbone, config.method());
        config.reversibleLayers(blocks.numLayers());                       // range check before building anything
        MeftModel m = new MeftModel(backbone, head, config, blocks);
        Heads.add(m, backbone.config().outputSize());
        Freeze.apply(m, n -> n.startsWith("meft."));
        return m;
    }

    /** MEFT is wired for BERT-family encoders and OPT decoders (T5: not implemented). */
    @Override
    public boolean supports(String modelType) { return modelType.equals("bert") || modelType.equals("opt"); }
}
