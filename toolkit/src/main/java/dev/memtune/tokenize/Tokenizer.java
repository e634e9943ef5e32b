package dev.memtune.tokenize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A BERT tokenizer: text (or a text pair) to {@link Encoding}. Two implementations: {@link HfTokenizer}
 * (Hugging Face {@code tokenizer.json} run by the DJL binding of the Rust {@code tokenizers} library) and
 * {@link WordPieceTokenizer} (a pure-Java BERT BasicTokenizer + WordPiece over {@code vocab.txt}); they agree
 * token for token on the GLUE dev sets (see {@code TokenizerAgreementTest}).
 */
public interface Tokenizer extends AutoCloseable {
    /**
     * Encodes {@code [CLS] text [SEP]} or, when {@code pair != null}, {@code [CLS] text [SEP] pair [SEP]}.
     * If longer than {@code maxLength} tokens (special tokens included) the segments are truncated
     * longest-first as Hugging Face {@code tokenizers} does; {@code maxLength <= 0} disables truncation.
     * No padding.
     */
    Encoding encode(String text, String pair, int maxLength);

    /** Id of {@code [PAD]}. */
    int padId();

    /** Number of entries in the vocabulary. */
    int vocabSize();

    /** Word pieces of {@code text} without special tokens, e.g. {@code [un, ##aff, ##able]}. */
    List<String> tokenize(String text);

    /** Releases native resources (the DJL tokenizer); a no-op for the Java tokenizer. */
    @Override
    default void close() {}

    /**
     * Loads the tokenizer in {@code folder}: {@code tokenizer.json} if present (DJL / HF tokenizers), else
     * {@code vocab.txt} with {@link WordPieceTokenizer} ({@code do_lower_case} from {@code tokenizer_config.json},
     * default true).
     */
    static Tokenizer load(Path folder) {
        try {
            if (Files.isRegularFile(folder.resolve("tokenizer.json"))) return HfTokenizer.load(folder.resolve("tokenizer.json"));
            if (Files.isRegularFile(folder.resolve("vocab.txt"))) return WordPieceTokenizer.load(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer from " + folder + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("no tokenizer in " + folder + ": expected tokenizer.json or vocab.txt");
    }
}
