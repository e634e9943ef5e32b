package dev.memtune.backbones;

import dev.memtune.backbone.Batch;
import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbone.Backbone;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.memtune.backbone.Capture;
import dev.memtune.cli.Args;
import dev.memtune.cli.Command;
import dev.memtune.hub.ModelHub;
import dev.memtune.tokenize.Encoding;
import dev.memtune.tokenize.Tokenizer;
import dev.memtune.weights.OnnxReference;
import dev.memtune.weights.ReferenceBert;
import dev.memtune.weights.SafeTensors;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

/**
 * {@code memtune verify-backbone NAME}: our DJL forward against an independent implementation on the
 * same pretrained weights: ONNX Runtime running the original ONNX export (minilm-l6, bge-small), or,
 * for bert-base (a TF checkpoint, no ONNX), a plain double-precision Java forward
 * ({@link ReferenceBert}, itself checked against ONNX Runtime in the tests).
 */
public final class VerifyBackboneCommand implements Command {
    /** Sentences and pairs (first/second) used when no task data is around; real GLUE-like text. */
    public static final String[][] TEXTS = {
            {"The quick brown fox jumps over the lazy dog.", null},
            {"A man is playing a guitar on the street.", "Someone is making music outdoors."},
            {"It was the best of times, it was the worst of times.", null},
            {"The cat sat on the mat.", "A dog slept on the rug."},
            {"Stocks fell sharply after the central bank raised interest rates.", null},
            {"He didn't like the movie at all; the plot was thin and the acting wooden.", null},
            {"Paris is the capital of France.", "France's capital city is Paris."},
            {"Water boils at 100 degrees Celsius at sea level.", null},
            {"The committee postponed the vote until next Tuesday.", "The vote was delayed."},
            {"I can't believe how delicious this soup is!", null},
            {"Quantum computers use qubits, which can be in superpositions of states.", null},
            {"The children built a sandcastle on the beach.", "Kids played in the sand."},
            {"Despite the rain, the match continued.", null},
            {"She plays the violin beautifully.", "Her violin playing is terrible."},
            {"Photosynthesis converts light energy into chemical energy.", null},
            {"The museum opens at nine and closes at five.", "Opening hours are 9 to 5."},
            {"Unbelievably, the underdog won the championship!", null},
            {"The new policy affects all employees hired after 2019.", "Employees hired before 2019 are exempt."},
            {"Résumé, naïve café: accents should be handled.", null},
            {"Why do birds suddenly appear every time you are near?", null},
            {"Two plus two equals four.", "2 + 2 = 4"},
            {"The treaty was signed in 1648, ending the Thirty Years' War.", null},
    };

    public String summary() { return "compare our forward with an independent implementation on the same pretrained weights"; }

    public String usage() {
        return """
                usage: memtune verify-backbone NAME [--tol 1e-4]
                  NAME   minilm-l6 | bge-small (vs ONNX Runtime on the original ONNX export)
                         bert-base (vs a double-precision plain-Java forward; the TF checkpoint has no ONNX export)
                Runs %d real sentences and sentence pairs, padded in one batch, and prints the max absolute
                difference of last_hidden_state over real (unpadded) tokens; exit 1 if above --tol.""".formatted(TEXTS.length);
    }

    public int run(Args a) throws Exception {
        if (a.positional().size() != 1) throw new IllegalArgumentException("memtune verify-backbone: give one backbone name (minilm-l6, bge-small, bert-base)");
        String name = a.positional().get(0);
        double tol = a.getDouble("tol", 1e-4);
        a.rejectUnknown();
        Path dir = ModelHub.fetch(name);
        try (Tokenizer tok = Tokenizer.load(dir); Backbone b = Backbones.loadFolder(dir); NDManager m = NDManager.newBaseManager()) {
            b.train(false);
            List<Encoding> enc = new ArrayList<>();
            for (String[] t : TEXTS) enc.add(tok.encode(t[0], t[1], 128));
            int n = enc.size(), len = enc.stream().mapToInt(Encoding::length).max().orElse(0);
            long[][] ids = new long[n][len], mask = new long[n][len], types = new long[n][len];
            for (int i = 0; i < n; i++) {
                Encoding e = enc.get(i);
                Arrays.fill(ids[i], tok.padId());
                System.arraycopy(e.inputIds(), 0, ids[i], 0, e.length());
                System.arraycopy(e.attentionMask(), 0, mask[i], 0, e.length());
                System.arraycopy(e.tokenTypeIds(), 0, types[i], 0, e.length());
            }
            long t0 = System.nanoTime();
            NDArray out = b.forward(Batch.encoder(m.create(ids), m.create(mask), m.create(types)), Capture.NONE).lastHiddenState();
            float[] ours = out.toFloatArray();
            double oursMs = (System.nanoTime() - t0) / 1e6;
            int hidden = (int) out.getShape().get(2);
            String refName;
            double[][][] ref = new double[n][][];
            t0 = System.nanoTime();
            Path onnx = dir.resolve("model.onnx");
            if (Files.exists(onnx)) {
                refName = "ONNX Runtime " + ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion() + " on " + onnx;
                try (OnnxReference r = new OnnxReference(onnx, 2)) {
                    float[][][] o = r.lastHiddenState(ids, mask, types);
                    for (int i = 0; i < n; i++) { ref[i] = new double[len][hidden]; for (int t = 0; t < len; t++) for (int c = 0; c < hidden; c++) ref[i][t][c] = o[i][t][c]; }
                }
            } else {
                refName = "plain-Java double-precision BERT (ReferenceBert) on " + dir.resolve("model.safetensors");
                var w = SafeTensors.read(dir.resolve("model.safetensors"));
                BackboneConfig c = b.config();
                ReferenceBert rb = new ReferenceBert(w, c.numLayers(), c.numHeads(), c.number("layer_norm_eps", 1e-12));
                for (int i = 0; i < n; i++) {
                    Encoding e = enc.get(i);
                    ref[i] = rb.forward(e.inputIds(), e.tokenTypeIds(), e.attentionMask());
                    System.err.printf("\rreference forward %d/%d", i + 1, n);
                }
                System.err.println();
            }
            double refMs = (System.nanoTime() - t0) / 1e6;
            double maxDiff = 0, maxAbs = 0;
            int tokens = 0;
            for (int i = 0; i < n; i++)
                for (int t = 0; t < enc.get(i).length(); t++, tokens++)
                    for (int c = 0; c < hidden; c++) {
                        double o = ours[(i * len + t) * hidden + c];
                        maxDiff = Math.max(maxDiff, Math.abs(o - ref[i][t][c]));
                        maxAbs = Math.max(maxAbs, Math.abs(ref[i][t][c]));
                    }
            boolean ok = maxDiff <= tol;
            System.out.printf(Locale.ROOT, "{\"backbone\": \"%s\", \"reference\": \"%s\", \"sequences\": %d, \"tokens\": %d, \"hidden\": %d,%n"
                            + " \"max_abs_diff\": %.3e, \"max_abs_value\": %.3f, \"tolerance\": %.1e, \"ok\": %s, \"ours_ms\": %.0f, \"reference_ms\": %.0f}%n",
                    name, refName, n, tokens, hidden, maxDiff, maxAbs, tol, ok, oursMs, refMs);
            return ok ? 0 : 1;
        }
    }
}
