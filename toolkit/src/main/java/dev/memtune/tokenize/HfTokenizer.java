package dev.memtune.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Hugging Face {@code tokenizer.json} run by DJL's binding of the Rust {@code tokenizers} library. The
 * file's own padding/truncation settings are overridden: no padding, longest-first truncation to the
 * {@code maxLength} of each call (one native tokenizer per distinct {@code maxLength}, created on demand).
 */
public final class HfTokenizer implements Tokenizer {
    private final Path file;
    private final Map<Integer, HuggingFaceTokenizer> byMaxLength = new ConcurrentHashMap<>();
    private final int padId, vocabSize;

    private HfTokenizer(Path file, int padId, int vocabSize) {
        this.file = file;
        this.padId = padId;
        this.vocabSize = vocabSize;
    }

    /** Loads {@code tokenizer.json}. */
    public static HfTokenizer load(Path tokenizerJson) throws IOException {
        JsonObject root = JsonParser.parseString(Files.readString(tokenizerJson)).getAsJsonObject();
        JsonObject vocab = root.getAsJsonObject("model").getAsJsonObject("vocab");
        int size = vocab == null ? 0 : vocab.size();
        int pad = vocab != null && vocab.has("[PAD]") ? vocab.get("[PAD]").getAsInt() : 0;
        JsonElement padding = root.get("padding");
        if (padding != null && padding.isJsonObject() && padding.getAsJsonObject().has("pad_id")) {
            pad = padding.getAsJsonObject().get("pad_id").getAsInt();
        }
        HfTokenizer t = new HfTokenizer(tokenizerJson, pad, size);
        t.native0(0);                                          // fail fast on a bad file
        return t;
    }

    @Override
    public Encoding encode(String text, String pair, int maxLength) {
        HuggingFaceTokenizer tok = native0(Math.max(0, maxLength));
        ai.djl.huggingface.tokenizers.Encoding e = pair == null ? tok.encode(text) : tok.encode(text, pair);
        long[] mask = new long[e.getIds().length];
        Arrays.fill(mask, 1);
        return new Encoding(e.getIds(), e.getTypeIds(), mask);
    }

    @Override
    public List<String> tokenize(String text) {
        return Arrays.asList(native0(0).encode(text, false, false).getTokens());
    }

    @Override
    public int padId() { return padId; }

    @Override
    public int vocabSize() { return vocabSize; }

    @Override
    public void close() {
        byMaxLength.values().forEach(HuggingFaceTokenizer::close);
        byMaxLength.clear();
    }

    private HuggingFaceTokenizer native0(int maxLength) {
        return byMaxLength.computeIfAbsent(maxLength, n -> {
            try {
                var b = HuggingFaceTokenizer.builder().optTokenizerPath(file).optPadding(false).optAddSpecialTokens(true);
                if (n > 0) b.optTruncation(true).optMaxLength(n);
                else b.optTruncation(false);
                return b.build();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load tokenizer " + file + ": " + e.getMessage(), e);
            }
        });
    }
}
