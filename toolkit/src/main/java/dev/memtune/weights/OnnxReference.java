package dev.memtune.weights;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs an exported BERT encoder ({@code model.onnx} of a {@link dev.memtune.hub.ModelHub} folder) with ONNX
 * Runtime, as an independent reference for the DJL backbone. The langchain4j exports take {@code input_ids},
 * {@code attention_mask}, {@code token_type_ids} (int64 {@code [batch, seq]}) and return
 * {@code last_hidden_state} {@code [batch, seq, hidden]}; the inputs are matched by name, so an export
 * without {@code token_type_ids} also works.
 */
public final class OnnxReference implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Path file;

    /** Opens {@code onnxFile} with {@code threads} intra-op threads (use 1-2 on a shared CPU). */
    public OnnxReference(Path onnxFile, int threads) {
        this.file = onnxFile;
        try {
            env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
            opts.setIntraOpNumThreads(threads);
            opts.setInterOpNumThreads(1);
            session = env.createSession(onnxFile.toString(), opts);
        } catch (OrtException e) {
            throw new IllegalArgumentException("ONNX Runtime cannot load " + onnxFile + ": " + e.getMessage(), e);
        }
        if (!session.getOutputNames().contains("last_hidden_state")) {
            throw new IllegalArgumentException(onnxFile + " has no output 'last_hidden_state' (outputs: " + session.getOutputNames() + ")");
        }
    }

    /** Opens with 1 thread. */
    public OnnxReference(Path onnxFile) { this(onnxFile, 1); }

    /** The model's input names, e.g. {@code [input_ids, attention_mask, token_type_ids]}. */
    public java.util.Set<String> inputNames() { return session.getInputNames(); }

    /** {@code last_hidden_state} {@code [batch][seq][hidden]} for int64 inputs {@code [batch][seq]} (tokenTypeIds may be null: zeros). */
    public float[][][] lastHiddenState(long[][] inputIds, long[][] attentionMask, long[][] tokenTypeIds) {
        if (tokenTypeIds == null) tokenTypeIds = new long[inputIds.length][inputIds[0].length];
        Map<String, long[][]> given = Map.of("input_ids", inputIds, "attention_mask", attentionMask, "token_type_ids", tokenTypeIds);
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            for (String name : session.getInputNames()) {
                long[][] v = given.get(name);
                if (v == null) throw new IllegalArgumentException(file + " expects an input '" + name + "' that OnnxReference does not provide");
                feed.put(name, OnnxTensor.createTensor(env, v));
            }
            try (OrtSession.Result r = session.run(feed)) {
                OnnxValue out = r.get("last_hidden_state").orElseThrow();
                return (float[][][]) out.getValue();
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on " + file + ": " + e.getMessage(), e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    /** One-shot convenience: open, run, close. */
    public static float[][][] run(Path onnxFile, long[][] inputIds, long[][] attentionMask, long[][] tokenTypeIds) {
        try (OnnxReference ref = new OnnxReference(onnxFile)) {
            return ref.lastHiddenState(inputIds, attentionMask, tokenTypeIds);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
