package dev.memtune.method.lst;

import dev.memtune.backbone.Backbone;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbone.bert.BertModel;
import dev.memtune.backbone.opt.OptModel;
import dev.memtune.backbone.t5.T5Model;
import dev.memtune.data.TorchRandperm;
import dev.memtune.method.*;
import dev.memtune.progress.Progress;
import dev.memtune.progress.ProgressEvent;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
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
 * {@link #withFisherData}; BERT-family, T5 and pre-LN OPT backbones). Backbones: BERT-family encoders and T5 (pooled
 * head on the side encoder; text-to-text with a side decoder cross-attending to the side encoder,
 * up-projection, then the frozen LM head with its d^-0.5 scaling) and OPT (side decoder, causal).
 */
public final class Lst implements Method {
    private final LstConfig config;
    private Supplier<List<LstInitializer.Sample>> fisherData;
    private NDManager fisherManager;              // prepare()'s samples live here during attach

    public Lst(LstConfig config) { this.config = config; }

    /** Registry hook: options {@code reduction_factor, gate_temperature, kept_layers, init, fisher_samples, side_dropout, backbone_dropout, backbone_cache}. */
    public static Method fromOptions(String name, Options o) {
        LstConfig.Builder b = LstConfig.builder();
        o.integer("reduction_factor", b::setReductionFactor).number("gate_temperature", b::setGateTemperature)
                .ints("kept_layers", b::setKeptLayers).str("init", b::setInit).integer("fisher_samples", b::setFisherSamples)
                .number("side_dropout", b::setSideDropout).bool("backbone_dropout", b::setBackboneDropout)
                .str("backbone_cache", b::setBackboneCache);
        return new Lst(b.build());
    }

    public LstConfig config() { return config; }

    /** Training samples for {@code init=fisher} (read at attach; each row is used at batch size 1). */
    public Lst withFisherData(Supplier<List<LstInitializer.Sample>> data) {
        this.fisherData = data;
        return this;
    }

    /**
     * {@code init=fisher} reads the run's training examples: {@code fisher_samples} of them (all if
     * fewer) in the order {@code torch.randperm(n, seed)} gives (the released code sums over a
     * shuffled loader at batch size 1), one unpadded sample each, made when {@link #attach} needs them.
     */
    @Override
    public void prepare(TrainingExamples train, long seed) {
        if (!config.init().equals("fisher")) return;
        int n = Math.min(config.fisherSamples(), train.size());
        Progress.report(ProgressEvent.message("lst", "init=fisher: importance over " + n + " training examples at batch size 1, then pruning ..."));
        fisherData = () -> fisherSamples(train, fisherManager, n, seed);
    }

    /** The first {@code n} examples of {@code train} (all if fewer) in {@code torch.randperm(size, seed)} order, made in {@code m}. */
    public static List<LstInitializer.Sample> fisherSamples(TrainingExamples train, NDManager m, int n, long seed) {
        int[] perm = TorchRandperm.permutation(train.size(), seed);
        List<LstInitializer.Sample> out = new ArrayList<>();
        for (int i = 0; i < Math.min(n, perm.length); i++) {
            TrainingExamples.Example one = train.get(m, perm[i]);
            out.add(new LstInitializer.Sample(one.batch(), one.labels()));
        }
        return out;
    }

    /**
     * The side network's config: the backbone's with width d/r, feed-forward d_ff/r (T5 also
     * d_kv/r), {@code numKept} layers ({@code numKeptDecoder} in a T5 side decoder) and one-row
     * embedding tables (the side has no embeddings of its own); heads unchanged. Errors name
     * {@code reduction_factor} when r does not fit.
     */
    public static BackboneConfig sideConfig(BackboneConfig c, LstConfig cfg, int numKept, int numKeptDecoder) {
        int d = c.hiddenSize(), r = cfg.reductionFactor(), heads = c.numHeads();
        if (d % r != 0) throw new IllegalArgumentException("lst: reduction_factor " + r + " does not divide the hidden size " + d + " of " + c.source);
        int ds = d / r, ff = Math.max(1, c.intermediateSize() / r);
        Map<String, Object> over = new LinkedHashMap<>();
        over.put("vocab_size", 1);
        switch (c.modelType) {
            case "t5" -> {
                int kv = c.integer("d_kv");
                if (kv % r != 0) throw new IllegalArgumentException("lst: reduction_factor " + r + " does not divide d_kv " + kv + " of " + c.source);
                over.put("d_model", ds); over.put("d_ff", ff); over.put("d_kv", kv / r);
                over.put("num_layers", numKept); over.put("num_decoder_layers", Math.max(1, numKeptDecoder));
                if (cfg.sideDropout() != null) over.put("dropout_rate", cfg.sideDropout());
            }
            case "opt" -> {
                over.put("hidden_size", ds); over.put("ffn_dim", ff); over.put("word_embed_proj_dim", ds);
                over.put("num_hidden_layers", numKept); over.put("max_position_embeddings", 1);
                if (cfg.sideDropout() != null) { over.put("dropout", cfg.sideDropout()); over.put("attention_dropout", cfg.sideDropout()); }
            }
            default -> {
                over.put("hidden_size", ds); over.put("intermediate_size", ff); over.put("num_hidden_layers", numKept);
                over.put("max_position_embeddings", 1); over.put("type_vocab_size", 1);
                if (cfg.sideDropout() != null) { over.put("hidden_dropout_prob", cfg.sideDropout()); over.put("attention_probs_dropout_prob", cfg.sideDropout()); }
            }
        }
        if (!c.modelType.equals("t5") && ds % heads != 0)
            throw new IllegalArgumentException("lst: side width d/r = " + d + "/" + r + " = " + ds + " is not divisible by the "
                    + heads + " attention heads the side network keeps (" + c.source + "); choose another reduction_factor");
        return c.with(over);
    }

    public TunedModel attach(Backbone backbone, HeadSpec head) {
        BackboneConfig c = backbone.config();
        String kind = c.modelType;
        if (!List.of("bert", "t5", "opt").contains(kind))
            throw new IllegalArgumentException("lst: backbone kind '" + kind + "' is not supported (bert, t5, opt)");
        boolean lm = head.kind().equals("lm");
        if (lm && kind.equals("bert")) throw new IllegalArgumentException("lst: head 'lm' needs a T5 or OPT backbone, got " + kind);
        int d = c.hiddenSize(), layers = c.numLayers();
        List<Integer> kept = config.keptLayersFor(c, layers);
        List<Integer> keptDec = List.of();
        if (kind.equals("t5") && lm) keptDec = config.keptLayersFor(c, c.integer("num_decoder_layers", layers));
        BackboneConfig sc = sideConfig(c, config, kept.size(), keptDec.size());
        int ds = sc.hiddenSize();
        Map<String, ai.djl.ndarray.NDArray> pruned = null;
        if (config.init().equals("fisher")) {
            if (fisherData == null) throw new IllegalArgumentException("lst: init=fisher needs training samples (Method.prepare with the run's examples, or Lst.withFisherData); use init=random otherwise");
            long t0 = System.nanoTime();
            try (NDManager fm = backbone.manager().newSubManager()) {
                fisherManager = fm;
                if (backbone instanceof BertModel bert) pruned = LstInitializer.fisherSideWeights(bert, head, fisherData.get(), config.fisherSamples(), kept, sc);
                else if (backbone instanceof OptModel opt) pruned = LstInitializer.fisherSideWeightsOpt(opt, head, fisherData.get(), config.fisherSamples(), kept, sc);
                else pruned = LstInitializer.fisherSideWeightsT5((T5Model) backbone, head, fisherData.get(), config.fisherSamples(), kept, keptDec, sc);
            } finally {
                fisherManager = null;
            }
            Progress.report(ProgressEvent.message("lst", "init=fisher: side network initialised in " + ProgressEvent.formatSeconds((System.nanoTime() - t0) / 1e9)));
        }
        ai.djl.ndarray.NDManager nd = backbone.manager();
        LadderStack enc = null, dec = null;
        double t = config.gateTemperature();
        switch (kind) {
            case "t5" -> {
                SideBlocks[] pair = SideBlocks.t5Pair(nd, sc);
                enc = new LadderStack(nd, d, ds, kept, t, pair[0]);
                if (lm) dec = new LadderStack(nd, d, ds, keptDec, t, pair[1]);
            }
            case "opt" -> dec = new LadderStack(nd, d, ds, kept, t, SideBlocks.build(nd, sc));
            default -> enc = new LadderStack(nd, d, ds, kept, t, SideBlocks.build(nd, sc));
        }
        LstSide side = new LstSide(nd, enc, dec, ds, d);
        if (pruned != null) {
            if (kind.equals("bert")) side.encoder.getChild("layer").load(pruned, true, "lst fisher initialisation");
            else {
                if (side.encoder != null) loadInto(side.encoder, "encoder.", pruned);
                if (side.decoder != null) loadInto(side.decoder, "decoder.", pruned);
            }
            pruned.values().forEach(ai.djl.ndarray.NDArray::close);
        }
        LstModel m = new LstModel(backbone, head, config, side);
        Heads.add(m, d);
        Freeze.apply(m, n -> n.startsWith("side."));
        return m;
    }

    /** Loads the pruned tensors under {@code prefix} into a side stack; every one must land on a parameter. */
    private static void loadInto(LadderStack stack, String prefix, Map<String, ai.djl.ndarray.NDArray> pruned) {
        Map<String, ai.djl.ndarray.NDArray> mine = new LinkedHashMap<>();
        pruned.forEach((k, v) -> { if (k.startsWith(prefix)) mine.put(k.substring(prefix.length()), v); });
        var names = stack.namedParams().keySet();
        for (String k : mine.keySet())
            if (!names.contains(k)) throw new IllegalStateException("lst fisher initialisation: side " + prefix + " has no parameter '" + k + "'");
        stack.load(mine, false, "lst fisher initialisation");
    }

    /** BERT-family, T5 and OPT backbones (the Fisher-pruning initialisation: pre-LN OPT without projections). */
    @Override
    public boolean supports(String modelType) { return List.of("bert", "t5", "opt").contains(modelType); }

    @Override
    public String toString() { return "lst " + config.toMap(); }
}
