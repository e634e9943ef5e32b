package dev.memtune.method.lst;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbone.Batch;
import dev.memtune.backbone.bert.BertModel;
import dev.memtune.backbone.opt.OptModel;
import dev.memtune.backbone.t5.T5Model;
import dev.memtune.method.HeadSpec;
import dev.memtune.method.Heads;
import dev.memtune.method.TunedModel;
import dev.memtune.nn.Param;
import dev.memtune.progress.Progress;
import dev.memtune.progress.ProgressEvent;

import java.util.*;

/**
 * LST's side initialisation by Fisher-importance structural pruning of the backbone, after the
 * released code ({@code fisher.py}, {@code pruning_methods_bert.py: pruning_without_residual}):
 * <ol>
 * <li>importance I_W = sum over N training samples at batch size 1 of (dL/dW)^2, L the task loss
 *     of the backbone with a task head of width d (a fresh N(0, 0.02) head for pooled tasks, the
 *     backbone's own LM head for T5 text-to-text);</li>
 * <li>walking the backbone's weight matrices in order, each keeps 1/r of its output rows, those with
 *     the largest L1 norm of importance over the input columns already kept; the input columns are
 *     the rows kept by the previous matrix (the word embeddings' kept hidden features for layer 0);
 *     query, key and value keep the same rows, ranked by the sum of their three row norms; biases and
 *     LayerNorms follow their matrix's rows;</li>
 * <li>the pruned matrices of each kept layer initialise its side block.</li>
 * </ol>
 * BERT: {@link #pruneBert}; T5 (encoder, decoder with cross-attention, relu or gated feed-forward):
 * {@link #pruneT5}; OPT with pre-LN and no projections (every size but 350m): {@link #pruneOpt}.
 * The chain follows every backbone layer, dropped ones included, and ignores the residual stream
 * (each layer's output rows are chosen afresh), as the released code does. The released code ranks
 * q/k/v jointly by the L1 norm of the summed log importances; the plain sum of row norms is used here.
 */
public final class LstInitializer {
    private LstInitializer() {}

    /** One training example (or a batch of them; rows are used one at a time) with its labels. */
    public record Sample(Batch batch, NDArray labels) {}

    /** BERT side-block weights for the kept layers, keyed as in the side's {@code layer} list ("0.attention.self.query.weight", ...). */
    static Map<String, NDArray> fisherSideWeights(BertModel bert, HeadSpec spec, List<Sample> samples, int n,
                                                  List<Integer> kept, BackboneConfig side) {
        Map<String, NDArray> imp = fisherImportance(bert, spec, samples, n);
        try {
            return pruneBert(bert.manager(), state(bert), imp, bert.numLayers(), kept, side.hiddenSize(), side.intermediateSize());
        } finally {
            imp.values().forEach(NDArray::close);
        }
    }

    /** T5 side-stack weights, keyed relative to the side ({@code encoder.block.k...}, {@code decoder.block.k...}, final norms). */
    static Map<String, NDArray> fisherSideWeightsT5(T5Model t5, HeadSpec spec, List<Sample> samples, int n,
                                                    List<Integer> keptEnc, List<Integer> keptDec, BackboneConfig side) {
        Map<String, NDArray> imp = fisherImportance(t5, spec, samples, n);
        try {
            return pruneT5(t5.manager(), state(t5), imp, t5.encoder.block.size(), t5.decoder.block.size(), keptEnc, keptDec,
                    side.hiddenSize(), side.numHeads() * side.integer("d_kv"), side.intermediateSize());
        } finally {
            imp.values().forEach(NDArray::close);
        }
    }

    /** OPT side-decoder weights, keyed relative to the side ({@code decoder.layers.k...}, {@code decoder.final_layer_norm}). */
    static Map<String, NDArray> fisherSideWeightsOpt(OptModel opt, HeadSpec spec, List<Sample> samples, int n, List<Integer> kept, BackboneConfig side) {
        if (opt.decoder.project_in != null || opt.decoder.final_layer_norm == null)
            throw new IllegalArgumentException("lst: init=fisher on OPT needs a pre-LN model without projections (word_embed_proj_dim == hidden_size, "
                    + "do_layer_norm_before true), as every OPT but opt-350m; " + opt.config().source + " has "
                    + (opt.decoder.project_in != null ? "projections" : "post-LN layers") + "; use init=random");
        Map<String, NDArray> imp = fisherImportance(opt, spec, samples, n);
        try {
            return pruneOpt(opt.manager(), state(opt), imp, opt.numLayers(), kept, side.hiddenSize(), side.intermediateSize());
        } finally {
            imp.values().forEach(NDArray::close);
        }
    }

    private static Map<String, NDArray> state(Backbone b) {
        Map<String, NDArray> w = new LinkedHashMap<>();
        b.namedParams().forEach((k, p) -> w.put(k, p.data()));
        return w;
    }

    /**
     * Sum of squared gradients of the task loss for every backbone parameter (HF name), over the first
     * {@code n} rows of the samples, one row at a time, dropout off. The loss is the task's own: a
     * fresh N(0, 0.02) head for pooled tasks, the backbone's LM head for {@code lm}. The backbone's
     * trainable flags and mode are restored afterwards.
     */
    public static Map<String, NDArray> fisherImportance(Backbone bb, HeadSpec spec, List<Sample> samples, int n) {
        if (samples == null || samples.isEmpty()) throw new IllegalArgumentException("lst: init=fisher got no training samples");
        Map<String, Param> params = bb.namedParams();
        Map<String, Boolean> was = new LinkedHashMap<>();
        Map<String, NDArray> imp = new LinkedHashMap<>();
        params.forEach((k, p) -> { was.put(k, p.trainable()); imp.put(k, bb.manager().zeros(p.data().getShape())); });
        boolean training = bb.isTraining();
        TunedModel probe = new TunedModel(bb, spec, null);                   // the task loss on the plain backbone
        Heads.add(probe, bb.config().outputSize());
        probe.train(false);
        params.values().forEach(p -> p.setTrainable(true));
        try {
            boolean mc = spec.kind().equals("multiple_choice");
            int used = 0;
            long total = 0, t0 = System.nanoTime();
            for (Sample s : samples) total += s.batch().batchSize() / group(s.batch(), mc, spec);
            total = Math.min(total, n);
            long every = Math.max(1, total / 50);
            for (Sample s : samples) {
                int group = group(s.batch(), mc, spec);
                long rows = s.batch().batchSize() / group;
                for (long r = 0; r < rows && used < n; r++, used++) {
                    Progress.checkInterrupted();
                    if (used > 0 && used % every == 0) {
                        double sec = (System.nanoTime() - t0) / 1e9;
                        Progress.report(new ProgressEvent("lst init=fisher", used, total, Double.NaN, Double.NaN, sec / used * (total - used), "examples"));
                    }
                    try (NDScope scope = new NDScope()) {
                        Batch one = slice(s.batch(), r * group, (r + 1) * group, r);
                        NDArray lab = s.labels().get(r + ":" + (r + 1));
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            gc.backward(probe.loss(one, lab));
                        }
                        params.forEach((k, p) -> {
                            NDArray g = p.grad();
                            if (g != null) { imp.get(k).addi(g.square()); g.muli(0); }
                        });
                    }
                }
                if (used >= n) break;
            }
        } finally {
            params.forEach((k, p) -> p.setTrainable(was.get(k)));
            bb.train(training);
            if (probe.head() != null) probe.head().namedParams().values().forEach(p -> p.data().close());
        }
        return imp;
    }

    /** Rows per example: its choices ({@link Batch#choiceMask}, else the head's) for multiple choice, else 1. */
    private static int group(Batch b, boolean multipleChoice, HeadSpec spec) {
        if (!multipleChoice) return 1;
        return b.choiceMask() != null ? (int) b.choiceMask().getShape().get(1) : spec.numChoices();
    }

    /** Rows {@code lo..hi} of {@code b}, example {@code example} of its choice mask. */
    private static Batch slice(Batch b, long lo, long hi, long example) {
        String ix = lo + ":" + hi;
        return new Batch(b.inputIds().get(ix), b.attentionMask() == null ? null : b.attentionMask().get(ix),
                b.tokenTypeIds() == null ? null : b.tokenTypeIds().get(ix),
                b.decoderInputIds() == null ? null : b.decoderInputIds().get(ix),
                b.decoderAttentionMask() == null ? null : b.decoderAttentionMask().get(ix),
                b.choiceMask() == null ? null : b.choiceMask().get(example + ":" + (example + 1)));
    }

    /**
     * The pruning walk over a BERT state (HF names, no prefix) with its importance: side width
     * {@code ds}, side feed-forward {@code ffs}. Returns the kept layers' pruned tensors keyed by slot.
     */
    public static Map<String, NDArray> pruneBert(NDManager m, Map<String, NDArray> w, Map<String, NDArray> imp,
                                                 int numLayers, List<Integer> kept, int ds, int ffs) {
        Mat emb = Mat.of(imp, "embeddings.word_embeddings.weight");       // [V, d]: rank the hidden features (columns)
        int[] prev = top(emb.colL1(), ds);
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < numLayers; i++) {
            String p = "encoder.layer." + i + ".";
            double[] qkv = new double[Mat.of(imp, p + "attention.self.query.weight").rows];
            for (String t : List.of("query", "key", "value")) {
                double[] s = Mat.of(imp, p + "attention.self." + t + ".weight").rowL1(prev);
                for (int r = 0; r < qkv.length; r++) qkv[r] += s[r];
            }
            int[] rQkv = top(qkv, ds);
            int[] rAo = top(Mat.of(imp, p + "attention.output.dense.weight").rowL1(rQkv), ds);
            int[] rI = top(Mat.of(imp, p + "intermediate.dense.weight").rowL1(rAo), ffs);
            int[] rO = top(Mat.of(imp, p + "output.dense.weight").rowL1(rI), ds);
            int k = kept.indexOf(i);
            if (k >= 0) {
                String q = k + ".";
                for (String t : List.of("query", "key", "value")) linear(m, w, out, p, q, "attention.self." + t, rQkv, prev);
                linear(m, w, out, p, q, "attention.output.dense", rAo, rQkv);
                norm(m, w, out, p, q, "attention.output.LayerNorm", rAo);
                linear(m, w, out, p, q, "intermediate.dense", rI, rAo);
                linear(m, w, out, p, q, "output.dense", rO, rI);
                norm(m, w, out, p, q, "output.LayerNorm", rO);
            }
            prev = rO;
        }
        return out;
    }

    /**
     * The pruning walk over a T5 state (HF names): per stack, starting from the kept hidden features
     * of {@code shared}; self-attention q/k/v rows jointly (inner/r), o rows (d/r), cross-attention
     * (decoder) with k/v columns following the encoder stack's final rows, feed-forward wi (gated:
     * wi_0 and wi_1 jointly) rows (d_ff/r) and wo rows (d/r); each pre-norm follows the rows feeding
     * its sub-layer, the final norm the last rows. Block 0's relative position bias (buckets x heads,
     * heads unchanged) is copied whole. Keys: {@code encoder.block.k...}, {@code encoder.final_layer_norm.weight},
     * and the same under {@code decoder.} when {@code keptDec} is not empty.
     */
    public static Map<String, NDArray> pruneT5(NDManager m, Map<String, NDArray> w, Map<String, NDArray> imp, int encLayers, int decLayers,
                                               List<Integer> keptEnc, List<Integer> keptDec, int ds, int inner, int ffs) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        int[] emb = top(Mat.of(imp, "shared.weight").colL1(), ds);
        int[] encFinal = t5Stack(m, w, imp, out, "encoder", encLayers, keptEnc, emb, null, ds, inner, ffs);
        if (!keptDec.isEmpty()) t5Stack(m, w, imp, out, "decoder", decLayers, keptDec, emb, encFinal, ds, inner, ffs);
        return out;
    }

    private static int[] t5Stack(NDManager m, Map<String, NDArray> w, Map<String, NDArray> imp, Map<String, NDArray> out, String stack,
                                 int layers, List<Integer> kept, int[] prev, int[] enc, int ds, int inner, int ffs) {
        boolean gated = w.containsKey(stack + ".block.0.layer." + (enc == null ? 1 : 2) + ".DenseReluDense.wi_0.weight");
        for (int i = 0; i < layers; i++) {
            String p = stack + ".block." + i + ".layer.", q = stack + ".block." + kept.indexOf(i) + ".layer.";
            boolean emit = kept.contains(i);
            int[] rA = jointRows(imp, p + "0.SelfAttention.", List.of("q", "k", "v"), prev, inner);
            int[] rO = top(Mat.of(imp, p + "0.SelfAttention.o.weight").rowL1(rA), ds);
            if (emit) {
                vec(m, w, out, p + "0.layer_norm.weight", q + "0.layer_norm.weight", prev);
                for (String t : List.of("q", "k", "v")) mat(m, w, out, p + "0.SelfAttention." + t + ".weight", q + "0.SelfAttention." + t + ".weight", rA, prev);
                mat(m, w, out, p + "0.SelfAttention.o.weight", q + "0.SelfAttention.o.weight", rO, rA);
            }
            int ff = 1;
            if (enc != null) {                                            // cross-attention: queries from rO, keys/values from the encoder
                ff = 2;
                double[] score = Mat.of(imp, p + "1.EncDecAttention.q.weight").rowL1(rO);
                for (String t : List.of("k", "v")) {
                    double[] sc = Mat.of(imp, p + "1.EncDecAttention." + t + ".weight").rowL1(enc);
                    for (int r = 0; r < score.length; r++) score[r] += sc[r];
                }
                int[] rC = top(score, inner);
                int[] rCO = top(Mat.of(imp, p + "1.EncDecAttention.o.weight").rowL1(rC), ds);
                if (emit) {
                    vec(m, w, out, p + "1.layer_norm.weight", q + "1.layer_norm.weight", rO);
                    mat(m, w, out, p + "1.EncDecAttention.q.weight", q + "1.EncDecAttention.q.weight", rC, rO);
                    for (String t : List.of("k", "v")) mat(m, w, out, p + "1.EncDecAttention." + t + ".weight", q + "1.EncDecAttention." + t + ".weight", rC, enc);
                    mat(m, w, out, p + "1.EncDecAttention.o.weight", q + "1.EncDecAttention.o.weight", rCO, rC);
                }
                rO = rCO;
            }
            String f = p + ff + ".DenseReluDense.", g = q + ff + ".DenseReluDense.";
            List<String> in = gated ? List.of("wi_0", "wi_1") : List.of("wi");
            int[] rI = jointRows(imp, f, in, rO, ffs);
            int[] rW = top(Mat.of(imp, f + "wo.weight").rowL1(rI), ds);
            if (emit) {
                vec(m, w, out, p + ff + ".layer_norm.weight", q + ff + ".layer_norm.weight", rO);
                for (String t : in) mat(m, w, out, f + t + ".weight", g + t + ".weight", rI, rO);
                mat(m, w, out, f + "wo.weight", g + "wo.weight", rW, rI);
            }
            prev = rW;
        }
        String bias = stack + ".block.0.layer.0.SelfAttention.relative_attention_bias.weight";
        out.put(bias, w.get(bias).duplicate());
        vec(m, w, out, stack + ".final_layer_norm.weight", stack + ".final_layer_norm.weight", prev);
        return prev;
    }

    /**
     * The pruning walk over a pre-LN OPT decoder (HF names, prefix {@code decoder.}): from the kept
     * hidden features of {@code embed_tokens}; per layer, {@code self_attn_layer_norm} follows the
     * rows entering the layer, q/k/v rows jointly (d/r), out_proj rows (d/r), {@code final_layer_norm}
     * (the layer's pre-FFN norm) follows them, fc1 rows (ffn_dim/r), fc2 rows (d/r); the decoder's
     * final norm follows the last rows. Keys: {@code decoder.layers.k...}, {@code decoder.final_layer_norm.*}.
     */
    public static Map<String, NDArray> pruneOpt(NDManager m, Map<String, NDArray> w, Map<String, NDArray> imp,
                                                int numLayers, List<Integer> kept, int ds, int ffs) {
        int[] prev = top(Mat.of(imp, "decoder.embed_tokens.weight").colL1(), ds);
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < numLayers; i++) {
            String p = "decoder.layers." + i + ".";
            int[] rQkv = jointRows(imp, p + "self_attn.", List.of("q_proj", "k_proj", "v_proj"), prev, ds);
            int[] rAo = top(Mat.of(imp, p + "self_attn.out_proj.weight").rowL1(rQkv), ds);
            int[] rI = top(Mat.of(imp, p + "fc1.weight").rowL1(rAo), ffs);
            int[] rO = top(Mat.of(imp, p + "fc2.weight").rowL1(rI), ds);
            int k = kept.indexOf(i);
            if (k >= 0) {
                String q = "decoder.layers." + k + ".";
                norm(m, w, out, p, q, "self_attn_layer_norm", prev);
                for (String t : List.of("q_proj", "k_proj", "v_proj")) linear(m, w, out, p, q, "self_attn." + t, rQkv, prev);
                linear(m, w, out, p, q, "self_attn.out_proj", rAo, rQkv);
                norm(m, w, out, p, q, "final_layer_norm", rAo);
                linear(m, w, out, p, q, "fc1", rI, rAo);
                linear(m, w, out, p, q, "fc2", rO, rI);
            }
            prev = rO;
        }
        norm(m, w, out, "decoder.", "decoder.", "final_layer_norm", prev);
        return out;
    }

    /** Rows kept jointly by several matrices: the sum of their row L1 norms over the kept columns. */
    private static int[] jointRows(Map<String, NDArray> imp, String prefix, List<String> names, int[] cols, int keep) {
        double[] score = null;
        for (String t : names) {
            double[] s = Mat.of(imp, prefix + t + ".weight").rowL1(cols);
            if (score == null) score = s; else for (int r = 0; r < s.length; r++) score[r] += s[r];
        }
        return top(score, keep);
    }

    private static void mat(NDManager m, Map<String, NDArray> w, Map<String, NDArray> out, String from, String to, int[] rows, int[] cols) {
        out.put(to, Mat.of(w, from).select(m, rows, cols));
    }

    private static void vec(NDManager m, Map<String, NDArray> w, Map<String, NDArray> out, String from, String to, int[] rows) {
        out.put(to, Mat.vector(w, from).select(m, rows, null));
    }

    private static void linear(NDManager m, Map<String, NDArray> w, Map<String, NDArray> out, String from, String to, String name, int[] rows, int[] cols) {
        out.put(to + name + ".weight", Mat.of(w, from + name + ".weight").select(m, rows, cols));
        out.put(to + name + ".bias", Mat.vector(w, from + name + ".bias").select(m, rows, null));
    }

    private static void norm(NDManager m, Map<String, NDArray> w, Map<String, NDArray> out, String from, String to, String name, int[] rows) {
        out.put(to + name + ".weight", Mat.vector(w, from + name + ".weight").select(m, rows, null));
        out.put(to + name + ".bias", Mat.vector(w, from + name + ".bias").select(m, rows, null));
    }

    /** Indices of the {@code n} largest scores (ties: lower index first), in ascending index order. */
    public static int[] top(double[] score, int n) {
        if (n > score.length) throw new IllegalArgumentException("lst: cannot keep " + n + " of " + score.length + " rows");
        Integer[] idx = new Integer[score.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> score[a] != score[b] ? Double.compare(score[b], score[a]) : Integer.compare(a, b));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = idx[i];
        Arrays.sort(out);
        return out;
    }

    /** A row-major float matrix read from a named tensor (vectors are one row). */
    private record Mat(float[] v, int rows, int cols) {
        static Mat of(Map<String, NDArray> state, String name) {
            NDArray a = state.get(name);
            if (a == null) throw new IllegalArgumentException("lst: fisher pruning needs tensor '" + name + "', which the backbone does not have");
            Shape s = a.getShape();
            return new Mat(a.toFloatArray(), (int) s.get(0), (int) s.get(1));
        }

        static Mat vector(Map<String, NDArray> state, String name) {
            NDArray a = state.get(name);
            if (a == null) throw new IllegalArgumentException("lst: fisher pruning needs tensor '" + name + "', which the backbone does not have");
            return new Mat(a.toFloatArray(), 1, (int) a.getShape().get(0));
        }

        double[] rowL1(int[] colSel) {
            double[] out = new double[rows];
            for (int r = 0; r < rows; r++) for (int c : colSel) out[r] += Math.abs(v[r * cols + c]);
            return out;
        }

        double[] colL1() {
            double[] out = new double[cols];
            for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) out[c] += Math.abs(v[r * cols + c]);
            return out;
        }

        /** Rows {@code rowSel} and columns {@code colSel} (for a vector: elements {@code rowSel}). */
        NDArray select(NDManager m, int[] rowSel, int[] colSel) {
            if (colSel == null) {
                float[] o = new float[rowSel.length];
                for (int i = 0; i < o.length; i++) o[i] = v[rowSel[i]];
                return m.create(o);
            }
            float[] o = new float[rowSel.length * colSel.length];
            for (int i = 0; i < rowSel.length; i++)
                for (int j = 0; j < colSel.length; j++) o[i * colSel.length + j] = v[rowSel[i] * cols + colSel[j]];
            return m.create(o, new Shape(rowSel.length, colSel.length));
        }
    }
}
