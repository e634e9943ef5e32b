package dev.memtune.profile;

import dev.memtune.backbone.Batch;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbone.Backbone;
import dev.memtune.backbones.Backbones;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.memtune.backbone.*;
import dev.memtune.method.HeadSpec;
import dev.memtune.methods.Methods;
import dev.memtune.method.TunedModel;

import java.util.Map;
import java.util.Random;

/**
 * One training workload, shared by the profiler and the benchmark: a backbone preset (optionally
 * with fewer layers), a method, a batch of random token ids of a fixed length and a task:
 * {@code classification} (2 labels, the pooled head) or {@code lm} (T5/OPT text-to-text: random
 * decoder inputs of {@code decSeq} tokens and target ids). Every token is real (no padding), as in
 * MEFT's measurement padded to full length.
 */
public record Workload(String backbone, String method, int batch, int seq, String task, int decSeq, int layers, long seed) {
    public Workload {
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        if (seq < 2) throw new IllegalArgumentException("--seq must be >= 2, got " + seq);
        if (decSeq < 1) throw new IllegalArgumentException("--dec-seq must be >= 1, got " + decSeq);
        if (!task.equals("classification") && !task.equals("lm"))
            throw new IllegalArgumentException("--task must be classification or lm, got '" + task + "'");
        if (layers < 0) throw new IllegalArgumentException("--layers must be >= 0 (0 = the preset's), got " + layers);
    }

    public static Workload of(String backbone, String method, int batch, int seq) {
        return new Workload(backbone, method, batch, seq, "classification", 8, 0, 42);
    }

    public Workload withMethod(String m) { return new Workload(backbone, m, batch, seq, task, decSeq, layers, seed); }

    public Workload withBatch(int b) { return new Workload(backbone, method, b, seq, task, decSeq, layers, seed); }

    public Workload withLayers(int l) { return new Workload(backbone, method, batch, seq, task, decSeq, l, seed); }

    public Workload withTask(String t) { return new Workload(backbone, method, batch, seq, t, decSeq, layers, seed); }

    /** The backbone config: the preset, with {@link #layers} layers when that is non-zero. */
    public BackboneConfig config() {
        BackboneConfig c = Backbones.preset(backbone);
        if (layers == 0) return c;
        return switch (c.modelType) {
            case "t5" -> c.with(Map.of("num_layers", layers, "num_decoder_layers", layers));
            default -> c.with(Map.of("num_hidden_layers", layers));
        };
    }

    public HeadSpec head() { return task.equals("lm") ? HeadSpec.lm() : HeadSpec.classification(2); }

    /** Builds the tuned model (random init, seeded) in training mode. */
    public TunedModel build() {
        Backbone b = Backbones.create(config(), seed);
        TunedModel m = Methods.create(method).attach(b, head());
        m.train(true);
        return m;
    }

    /** Tokens one step processes (encoder + decoder). */
    public long tokensPerStep() {
        return (long) batch * seq + (Backbones.preset(backbone).modelType.equals("t5") ? (long) batch * decSeq : 0);
    }

    /** A random batch (ids in [1, vocab), full attention mask) in {@code nd}. */
    public Batch batch(NDManager nd) {
        BackboneConfig c = config();
        Random r = new Random(seed);
        NDArray ids = nd.create(randomIds(r, batch, seq, c.vocabSize()));
        NDArray mask = nd.ones(new Shape(batch, seq), DataType.INT64);
        if (c.modelType.equals("t5")) {
            NDArray dec = nd.create(randomIds(r, batch, decSeq, c.vocabSize()));
            return new Batch(ids, mask, null, dec, nd.ones(new Shape(batch, decSeq), DataType.INT64));
        }
        return new Batch(ids, mask, c.modelType.equals("bert") ? ids.zerosLike() : null, null, null);
    }

    /** Labels: class ids [B] for classification, target ids [B, T] (decoder length for T5) for lm. */
    public NDArray labels(NDManager nd) {
        Random r = new Random(seed + 1);
        if (task.equals("classification")) {
            long[] y = new long[batch];
            for (int i = 0; i < batch; i++) y[i] = r.nextInt(2);
            return nd.create(y);
        }
        int t = Backbones.preset(backbone).modelType.equals("t5") ? decSeq : seq;
        return nd.create(randomIds(r, batch, t, config().vocabSize()));
    }

    private static long[][] randomIds(Random r, int b, int t, int vocab) {
        long[][] ids = new long[b][t];
        for (long[] row : ids) for (int j = 0; j < t; j++) row[j] = 1 + r.nextInt(vocab - 1);
        return ids;
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("backbone", backbone);
        o.addProperty("method", method);
        o.addProperty("batch", batch);
        o.addProperty("seq", seq);
        o.addProperty("task", task);
        o.addProperty("dec_seq", decSeq);
        o.addProperty("layers", layers);
        o.addProperty("seed", seed);
        return o;
    }

    public static Workload fromJson(JsonObject o) {
        return new Workload(o.get("backbone").getAsString(), o.get("method").getAsString(), o.get("batch").getAsInt(),
                o.get("seq").getAsInt(), o.get("task").getAsString(), o.get("dec_seq").getAsInt(), o.get("layers").getAsInt(),
                o.get("seed").getAsLong());
    }
}
