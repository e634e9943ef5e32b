package dev.memtune.backbones;

import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbone.Backbone;
import ai.djl.ndarray.NDManager;

/** Parameter count of a config without allocating its weights' values (a zero-size dry build). */
public final class ParamCount {
    private ParamCount() {}

    public static long of(BackboneConfig c) {
        try (NDManager m = NDManager.newBaseManager()) {
            // construct allocates zeros; acceptable up to the largest preset (opt-1.3b: 5 GB would not be):
            if (estimate(c) > 400_000_000L) return estimate(c);
            try (Backbone b = Backbones.construct(m.newSubManager(), c, true)) { return b.numParams(); }
        }
    }

    /** Closed-form count for large configs (same formula the modules realise). */
    public static long estimate(BackboneConfig c) {
        long d = c.hiddenSize(), f = c.intermediateSize(), v = c.vocabSize(), l = c.numLayers();
        return switch (c.modelType) {
            case "bert" -> v * d + c.integer("max_position_embeddings") * d + 2 * d + 2 * d
                    + l * (4 * (d * d + d) + 2 * d + d * f + f + f * d + d + 2 * d) + d * d + d;
            case "t5" -> {
                long kv = (long) c.integer("d_kv", (int) (d / c.numHeads())) * c.numHeads();
                boolean gated = c.str("feed_forward_proj", "relu").startsWith("gated");
                long ffn = (gated ? 3 : 2) * d * f;
                long enc = l * (4 * d * kv + ffn + 2 * d), dec = c.integer("num_decoder_layers", (int) l) * (8 * d * kv + ffn + 3 * d);
                long rel = 2L * c.integer("relative_attention_num_buckets", 32) * c.numHeads();
                yield v * d + enc + dec + rel + 2 * d + (c.bool("tie_word_embeddings", true) ? 0 : v * d);
            }
            case "opt" -> {
                long p = c.integer("word_embed_proj_dim", (int) d);
                yield v * p + (c.integer("max_position_embeddings") + 2) * d + (p != d ? 2 * p * d : 0)
                        + l * (4 * (d * d + d) + 2 * d * f + f + d + 4 * d)
                        + (c.bool("do_layer_norm_before", true) && !c.bool("_remove_final_layer_norm", false) ? 2 * d : 0);  // no final norm when post-LN (opt-350m)
            }
            default -> throw new IllegalArgumentException(c.modelType);
        };
    }
}
