package dev.memtune.method.bitfit;

import dev.memtune.backbone.Backbone;
import dev.memtune.method.*;
import dev.memtune.nn.Linear;

/**
 * BitFit (Ben Zaken et al., 2022): only the bias terms train, {@code y = W x + b} with W frozen.
 * Backbones without biases (T5) get zero-initialised biases on every linear layer first, so the
 * starting point is unchanged.
 */
public final class BitFit implements Method {
    private final BitFitConfig config;

    public BitFit(BitFitConfig config) { this.config = config; }

    /** Registry entry: BitFit has no options. */
    public static Method fromOptions(String name, Options o) { return new BitFit(new BitFitConfig()); }

    public BitFitConfig config() { return config; }

    public TunedModel attach(Backbone backbone, HeadSpec head) {
        backbone.namedModules().values().forEach(mod -> { if (mod instanceof Linear l) l.enableBias(); });
        TunedModel m = new TunedModel(backbone, head, config);
        Heads.add(m, backbone.config().outputSize());
        Freeze.apply(m, n -> n.endsWith(".bias"));
        return m;
    }
}
