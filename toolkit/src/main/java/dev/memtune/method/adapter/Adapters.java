package dev.memtune.method.adapter;

import dev.memtune.backbone.Backbone;
import dev.memtune.method.*;
import dev.memtune.nn.AdapterSlot;
import dev.memtune.nn.Module;

import java.util.ArrayList;

/**
 * Houlsby adapters: an {@link Adapter} on the output of every attention and feed-forward sub-layer,
 * before the residual sum and norm: {@code LN(x + A(sublayer(x)))}. Only adapters (and the head) train,
 * and the backbone's layer norms with {@code unfreeze_layer_norms}.
 */
public final class Adapters implements Method {
    private final AdapterConfig config;

    public Adapters(AdapterConfig config) { this.config = config; }

    /**
     * Registry entry: options {@code reduction_factor, non_linearity, after_attention, after_cross_attention, after_ffn,
     * unfreeze_layer_norms} (defaults: {@link AdapterConfig.Builder}).
     */
    public static Method fromOptions(String name, Options o) {
        AdapterConfig.Builder b = AdapterConfig.builder();
        o.integer("reduction_factor", b::setReductionFactor).str("non_linearity", b::setNonLinearity)
                .bool("after_attention", b::setAfterAttention)
                .bool("after_cross_attention", b::setAfterCrossAttention).bool("after_ffn", b::setAfterFfn)
                .bool("unfreeze_layer_norms", b::setUnfreezeLayerNorms);
        return new Adapters(b.build());
    }

    public AdapterConfig config() { return config; }

    public TunedModel attach(Backbone backbone, HeadSpec head) {
        int d = backbone.config().hiddenSize(), b = Math.max(1, d / config.reductionFactor());
        int n = 0;
        for (Module mod : new ArrayList<>(backbone.namedModules().values())) {
            if (!(mod instanceof AdapterSlot slot)) continue;
            boolean want = switch (slot.slotKind()) {
                case "attention" -> config.afterAttention();
                case "cross_attention" -> config.afterCrossAttention();
                default -> config.afterFfn();
            };
            if (want) { slot.setAdapter(new Adapter(backbone.manager(), d, b, config.nonLinearity(), 0.02, true)); n++; }
        }
        if (n == 0) throw new IllegalArgumentException("adapter: backbone " + backbone.config().modelType + " exposes no adapter slots");
        TunedModel m = new TunedModel(backbone, head, config);
        Heads.add(m, backbone.config().outputSize());
        Freeze.apply(m, name -> name.contains(".adapter.") || (config.unfreezeLayerNorms() && Module.isNormParam(name)));
        return m;
    }
}
