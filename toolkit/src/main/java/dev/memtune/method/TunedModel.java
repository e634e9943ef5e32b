package dev.memtune.method;

import ai.djl.ndarray.NDArray;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbone.BackboneOutput;
import dev.memtune.backbone.Batch;
import dev.memtune.backbone.Capture;
import dev.memtune.backbone.LmBackbone;
import dev.memtune.backbone.LmLoss;
import dev.memtune.nn.Module;
import dev.memtune.nn.Param;
import dev.memtune.step.Trainable;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A backbone with a method attached and a task head: what training, evaluation and the profiler
 * run. Parameter names are {@code backbone.*} (HF names below that), {@code head.*} and the
 * method's own modules. Methods that change the forward (LST, MEFT, SymTune) override
 * {@link #features} (and for text-to-text {@link #lmHidden}).
 */
public class TunedModel extends Module implements Trainable, AutoCloseable {
    public final Backbone backbone;
    public final HeadSpec spec;
    public final MethodConfig config;
    protected Head head;                 // null for lm
    private boolean firstTokenLastLayer = !"false".equals(System.getProperty("memtune.first_token_last_layer"));

    public TunedModel(Backbone backbone, HeadSpec spec, MethodConfig config) {
        super(backbone.manager());
        this.backbone = child("backbone", backbone);
        this.spec = spec;
        this.config = config;
    }

    /** Adds the task head on features of width {@code dim}; methods call this once in attach. */
    protected void addHead(int dim) {
        if (spec.kind().equals("lm")) {
            if (!(backbone instanceof LmBackbone)) throw new IllegalArgumentException("head 'lm' needs a T5 or OPT backbone, got " + backbone.config().modelType);
            return;
        }
        String pooling = pooling(backbone.config());
        head = child("head", new Head(manager, spec, dim, pooling, backbone.config().number("hidden_dropout_prob", 0.1)));
        head.initNormal(0.02);
    }

    /**
     * How a pooled head reads this backbone: the config's {@code pooling} (set for published models,
     * see {@link dev.memtune.hub.ModelSpec#pooling}; {@code first}, {@code mean} or {@code last}),
     * else first token for BERT, masked mean for T5's encoder, last real token for OPT.
     */
    public static String pooling(dev.memtune.backbone.BackboneConfig c) {
        String p = c.str("pooling", switch (c.modelType) { case "t5" -> "mean"; case "opt" -> "last"; default -> "first"; });
        if (!Head.POOLINGS.contains(p))
            throw new IllegalArgumentException(c.source + ": key 'pooling' must be first, mean or last, got '" + p + "'");
        return p;
    }

    public Head head() { return head; }

    /**
     * Whether a head that pools the first token lets the backbone run its last layer for that token only
     * ({@link Capture#firstToken}: the same logits up to float rounding, about 1/14 fewer products in a
     * 12-layer BERT). On by default ({@code -Dmemtune.first_token_last_layer=false} turns the default off,
     * e.g. to rerun a result made before 2026-12-05's sitting 6 as it was computed); off computes every
     * position, as Hugging Face's models and the papers' code do (memory measured to compare with the papers' tables).
     */
    public TunedModel firstTokenLastLayer(boolean on) { firstTokenLastLayer = on; return this; }

    public boolean firstTokenLastLayer() { return firstTokenLastLayer; }

    /** Final sequence states [B,T,D] the head reads ([B,1,D] when only the first token is computed). Default: the backbone's last hidden state. */
    public NDArray features(Batch b) {
        // a pooled head on T5 reads the encoder (its mask is the encoder's): run the encoder only
        if (head != null && backbone.config().modelType.equals("t5") && b.decoderInputIds() != null)
            b = Batch.encoder(b.inputIds(), b.attentionMask(), b.tokenTypeIds());
        boolean first = firstTokenLastLayer && head != null && head.pooling.equals("first");
        BackboneOutput o = backbone.forward(b, first ? Capture.FIRST_TOKEN : Capture.NONE);
        return o.lastHiddenState();
    }

    /** Decoder states for the LM head (text-to-text). Default: the backbone's last hidden state. */
    public NDArray lmHidden(Batch b) { return features(b); }

    /** Logits of the task: see {@link Head#forward}; for lm, vocabulary logits [B,T,V]. */
    public NDArray logits(Batch b) {
        if (head == null) return ((LmBackbone) backbone).lmLogits(lmHidden(b));
        return head.forward(features(b), b.attentionMask(), b.choiceMask());
    }

    /** Mean training loss against labels (class ids, scores, choice ids, or target token ids with -100 ignored). */
    public NDArray loss(Batch b, NDArray labels) {
        NDArray logits = logits(b);
        if (head == null)                                             // T5 predicts labels; OPT predicts token t+1 from t
            return backbone.config().modelType.equals("opt") ? LmLoss.causalCrossEntropy(logits, labels) : LmLoss.crossEntropy(logits, labels);
        return head.loss(logits, labels);
    }

    /** Trainable parameters of the method itself (head excluded), by full name. */
    /**
     * Opens a cache of per-example work over a split the trainer will visit repeatedly (LST's
     * {@code backbone_cache}: the frozen backbone's ladder inputs, computed once); null, the default,
     * when the model precomputes nothing. The trainer closes it when training ends.
     */
    public SplitCache cache(Split split) { return null; }

    public Map<String, Param> methodParams() {
        Map<String, Param> out = new LinkedHashMap<>();
        namedParams().forEach((n, p) -> { if (p.trainable() && !n.startsWith("head.")) out.put(n, p); });
        return out;
    }

    /** Trainable method parameters over the backbone's original parameter count (the papers' "share"). */
    public double trainableShare(long backboneParams) {
        return (double) methodParams().values().stream().mapToLong(Param::numel).sum() / backboneParams;
    }

    @Override
    public void close() { backbone.close(); }
}
