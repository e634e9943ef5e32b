package dev.memtune.method.full;

import dev.memtune.backbone.Backbone;
import dev.memtune.method.*;

/** Full fine-tuning: every backbone parameter is trained, {@code theta <- theta - eta * grad L(theta)}. */
public final class FullFineTuning implements Method {
    private final FullConfig config;

    public FullFineTuning(FullConfig config) { this.config = config; }

    /** Registry entry: full fine-tuning has no options. */
    public static Method fromOptions(String name, Options o) { return new FullFineTuning(new FullConfig()); }

    public FullConfig config() { return config; }

    public TunedModel attach(Backbone backbone, HeadSpec head) {
        TunedModel m = new TunedModel(backbone, head, config) { };
        Heads.add(m, backbone.config().outputSize());
        Freeze.apply(m, n -> true);
        return m;
    }
}
