package dev.memtune.method.lst;

import dev.memtune.backbone.Backbone;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbone.bert.BertModel;
import dev.memtune.method.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Ladder Side-Tuning (Sung, Cho and Bansal, NeurIPS 2022): the backbone is frozen and runs without
 * gradient; a side network of the backbone's own kind, d/r wide with the same number of heads, reads
 * the backbone's layer outputs through ladders (down-projections) and is the only trained part
 * besides the task head:
 * <pre>
 *   s_0 = W_0 Dropout(Emb(x)) + b_0
 *   s   = SideBlock_k( mu_k s + (1 - mu_k) (W_k h_i + b_k) ),   mu_k = sigmoid(alpha_k / T), alpha_k = 0
 *   out = W_up s + b_up            -> task head (encoder-only path)
 * </pre>
 * for each kept backbone layer i (slot k); dropped layers have neither ladder nor side block.
 * Side blocks start random ({@code init=random}) or from the backbone's weights structurally pruned
 * by Fisher importance ({@code init=fisher}, see {@link LstInitializer}; needs
 * {@link #withFisherData}). Encoder-only (BERT-family) backbones are supported; the T5
 * text-to-text path (side decoder, LM head) is not implemented in this build.
 */
public final class Lst implements Method {
    private final LstConfig config;
    private Supplier<List<LstInitializer.Sample>> fisherData;

    public Lst(LstConfig config) { this.config = config; }

    /** Registry hook: options {@code reduction_factor, gate_temperature, kept_layers, init, fisher_samples, side_dropout}. */
    public static Method fromOptions(String name, Options o) {
        String drop = o.str("side_dropout", null);
        Double sideDropout = null;
        if (drop != null) {
            try { sideDropout = Double.parseDouble(drop.trim()); } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": option 'side_dropout' must be a number, got '" + drop + "'");
            }
        }
        return new Lst(LstConfig.builder().setReductionFactor(o.integer("reduction_factor", 8))
                .setGateTemperature(o.number("gate_temperature", 0.1)).setKeptLayers(o.ints("kept_layers"))
                .setInit(o.str("init", "random")).setFisherSamples(o.integer("fisher_samples", 1024))
                .setSideDropout(sideDropout).build());
    }

    public LstConfig config() { return config; }

    /** Training samples for {@code init=fisher} (read at attach; each row is used at batch size 1). */
    public Lst withFisherData(Supplier<List<LstInitializer.Sample>> data) {
        this.fisherData = data;
        return this;
    }

    /**
     * The side network's config: the backbone's with width d/r, feed-forward d_ff/r and one layer
     * per kept layer; heads unchanged. Errors name {@code reduction_factor} when r does not fit.
     */
    public static BackboneConfig sideConfig(BackboneConfig c, LstConfig cfg, int numKept) {
        int d = c.hiddenSize(), r = cfg.reductionFactor(), heads = c.numHeads();
        if (d % r != 0) throw new IllegalArgumentException("lst: reduction_factor " + r + " does not divide the hidden size " + d + " of " + c.source);
        int ds = d / r;
        if (ds % heads != 0) throw new IllegalArgumentException("lst: side width d/r = " + d + "/" + r + " = " + ds + " is not divisible by the "
                + heads + " attention heads the side network keeps (" + c.source + "); choose another reduction_factor");
        Map<String, Object> over = new LinkedHashMap<>();
        over.put("hidden_size", ds);
        over.put("intermediate_size", Math.max(1, c.intermediateSize() / r));
        over.put("num_hidden_layers", numKept);
        if (cfg.sideDropout() != null) {
            over.put("hidden_dropout_prob", cfg.sideDropout());
            over.put("attention_probs_dropout_prob", cfg.sideDropout());
        }
        return c.with(over);
    }

    public TunedModel attach(Backbone backbone, HeadSpec head) {
        BackboneConfig c = backbone.config();
        if (!(backbone instanceof BertModel bert)) {
            if (c.modelType.equals("t5"))
                throw new IllegalArgumentException("lst: the T5 text-to-text path (side decoder, LM head) is not implemented in this build; use a BERT-family backbone");
            throw new IllegalArgumentException("lst: backbone kind '" + c.modelType + "' is not supported (bert-family encoders)");
        }
        if (head.kind().equals("lm")) throw new IllegalArgumentException("lst: head 'lm' needs the T5 text-to-text path, not implemented in this build");
        List<Integer> kept = config.keptLayersFor(c, bert.numLayers());
        BackboneConfig sc = sideConfig(c, config, kept.size());
        Map<String, ai.djl.ndarray.NDArray> pruned = null;
        if (config.init().equals("fisher")) {
            if (fisherData == null) throw new IllegalArgumentException("lst: init=fisher needs training samples (Lst.withFisherData); use init=random otherwise");
            pruned = LstInitializer.fisherSideWeights(bert, head, fisherData.get(), config.fisherSamples(), kept, sc);
        }
        LstSide side = new LstSide(bert.manager(), c, sc, kept, config.gateTemperature());
        side.initRandom(c.number("initializer_range", 0.02));
        if (pruned != null) {
            side.layer.load(pruned, true, "lst fisher initialisation");
            pruned.values().forEach(ai.djl.ndarray.NDArray::close);
        }
        LstModel m = new LstModel(bert, head, config, side);
        Heads.add(m, c.hiddenSize());
        Freeze.apply(m, n -> n.startsWith("side."));
        return m;
    }

    @Override
    public String toString() { return "lst " + config.toMap(); }
}
