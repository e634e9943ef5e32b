package dev.memtune.backbone;

import dev.memtune.backbones.ParamCount;
import dev.memtune.backbones.Backbones;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The closed-form count (used for presets too large to allocate) equals the built modules' count. */
class ParamCountTest {
    static List<String> presets() { return Backbones.presets(); }

    @ParameterizedTest
    @MethodSource("presets")
    void closedFormEqualsModules(String preset) {
        BackboneConfig c = Backbones.preset(preset);
        // shrink big presets in width/depth/vocab so they build fast; the formula is checked per term either way
        if (ParamCount.estimate(c) > 50_000_000L) {
            int heads = c.numHeads();
            c = c.with(Map.of(c.modelType.equals("t5") ? "d_model" : "hidden_size", heads * 4,
                    c.modelType.equals("t5") ? "d_ff" : (c.modelType.equals("opt") ? "ffn_dim" : "intermediate_size"), 24,
                    "vocab_size", 101));
            if (c.has("word_embed_proj_dim")) c = c.with(Map.of("word_embed_proj_dim", heads * 2));
        }
        try (Backbone b = Backbones.construct(ai.djl.ndarray.NDManager.newBaseManager(), c, true)) {
            assertEquals(b.numParams(), ParamCount.estimate(c), preset);
        }
    }
}
