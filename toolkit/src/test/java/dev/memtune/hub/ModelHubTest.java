package dev.memtune.hub;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.memtune.tokenize.Tokenizer;
import dev.memtune.tokenize.WordPieceTokenizer;
import dev.memtune.weights.HostTensor;
import dev.memtune.weights.OnnxWeights;
import dev.memtune.weights.SafeTensors;
import dev.memtune.weights.TestArtifacts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ModelHub#fetch} into a temporary cache: the folder layout, config values against the published
 * Hugging Face configs, safetensors equal to a fresh read of the kept ONNX file, tokenizers loadable, and a
 * second fetch is a cache hit.
 */
class ModelHubTest {
    @TempDir static Path cache;
    static String previous;

    @BeforeAll
    static void useTempCache() {
        previous = System.getProperty("memtune.cache");
        System.setProperty("memtune.cache", cache.toString());
    }

    @AfterAll
    static void restore() {
        if (previous == null) System.clearProperty("memtune.cache");
        else System.setProperty("memtune.cache", previous);
    }

    // published HF configs: all-MiniLM-L6-v2, bge-small-en-v1.5, bert-base-uncased
    @ParameterizedTest(name = "{0}")
    @CsvSource({"minilm-l6, 384, 6, 12, 1536, false", "bge-small, 384, 12, 12, 1536, false", "bert-base, 768, 12, 12, 3072, true"})
    void fetchConvertsOnceWithPublishedConfig(String name, int hidden, int layers, int heads, int inter, boolean pooler) throws IOException {
        TestArtifacts.jar(switch (name) { case "minilm-l6" -> TestArtifacts.MINILM; case "bge-small" -> TestArtifacts.BGE; default -> TestArtifacts.BERT; });
        long t0 = System.nanoTime();
        Path dir = ModelHub.fetch(name);
        double first = (System.nanoTime() - t0) / 1e9;
        assertEquals(cache.resolve(name), dir);
        JsonObject cfg = JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
        assertEquals(hidden, cfg.get("hidden_size").getAsInt());
        assertEquals(layers, cfg.get("num_hidden_layers").getAsInt());
        assertEquals(heads, cfg.get("num_attention_heads").getAsInt());
        assertEquals(inter, cfg.get("intermediate_size").getAsInt());
        assertEquals(30522, cfg.get("vocab_size").getAsInt());
        assertEquals(512, cfg.get("max_position_embeddings").getAsInt());
        assertEquals(2, cfg.get("type_vocab_size").getAsInt());
        assertEquals(1e-12, cfg.get("layer_norm_eps").getAsDouble());
        assertEquals("gelu", cfg.get("hidden_act").getAsString());
        assertEquals("bert", cfg.get("model_type").getAsString());

        JsonObject meta = JsonParser.parseString(Files.readString(dir.resolve("memtune.json"))).getAsJsonObject();
        assertEquals(pooler, meta.get("pooler").getAsBoolean());
        assertEquals(ModelSpec.of(name).coordinates(), meta.getAsJsonObject("source").get("coordinates").getAsString());
        Path jar = Path.of(meta.getAsJsonObject("source").get("file").getAsString());
        assertEquals(Converter.sha256(jar), meta.getAsJsonObject("source").get("sha256").getAsString());

        Map<String, HostTensor> st = SafeTensors.read(dir.resolve("model.safetensors"));
        assertEquals(pooler, st.containsKey("pooler.dense.weight"));
        assertFalse(st.keySet().stream().anyMatch(k -> k.startsWith("bert.")));
        if (!pooler) {
            assertEquals(OnnxWeights.read(dir.resolve("model.onnx")), st);
            assertTrue(Files.isRegularFile(dir.resolve("tokenizer.json")));
        } else {
            assertTrue(Files.isRegularFile(dir.resolve("vocab.txt")));
            assertEquals(5, meta.getAsJsonArray("dropped_tf_variables").size());
        }
        try (Tokenizer tok = Tokenizer.load(dir)) {
            assertEquals(30522, tok.vocabSize());
            assertEquals(List.of("i", "have", "a", "new", "gp", "##u", "!"), tok.tokenize("I have a new GPU!"));
        }

        long t1 = System.nanoTime();
        assertEquals(dir, ModelHub.fetch(name));
        double second = (System.nanoTime() - t1) / 1e9;
        System.out.printf("fetch %s: first call %.2f s, second %.4f s (cache hit)%n", name, first, second);
        assertTrue(second < 0.5, "second fetch should be a cache hit, took " + second + " s");
        try (var s = Files.list(cache)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp-")), "no temporary folder left behind");
        }
    }

    @Test
    void bertBaseVocabIsTheMiniLmVocab() throws IOException {
        Path jar = TestArtifacts.jar(TestArtifacts.MINILM);
        TestArtifacts.jar(TestArtifacts.BERT);
        Path dir = ModelHub.fetch("bert-base");
        List<String> vocab = Files.readAllLines(dir.resolve("vocab.txt"), StandardCharsets.UTF_8);
        WordPieceTokenizer fromJson = WordPieceTokenizer.fromTokenizerJson(TestArtifacts.extract(jar, "all-minilm-l6-v2-tokenizer.json"));
        WordPieceTokenizer fromTxt = new WordPieceTokenizer(vocab, true);
        String s = "The quick brown fox, naïvely unaffable, jumps over 1,234 lazy dogs!";
        assertArrayEquals(fromJson.encode(s, "And a pair.", 0).inputIds(), fromTxt.encode(s, "And a pair.", 0).inputIds());
        assertEquals(30522, vocab.size());
    }

    @Test
    void unknownNameIsAUserError() {
        var e = assertThrows(IllegalArgumentException.class, () -> ModelHub.fetch("gpt-9"));
        assertTrue(e.getMessage().contains("bert-base") && e.getMessage().contains("gpt-9"), e.getMessage());
        assertTrue(Arrays.asList("bert-base", "bge-small", "minilm-l6").equals(ModelSpec.names()));
    }
}
