package dev.memtune.tokenize;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pure-Java BERT tokenizer over a WordPiece vocabulary ({@code vocab.txt}, one token per line, id = line
 * number): {@link BasicTokenizer} splitting, then greedy longest-match-first WordPiece with the {@code ##}
 * continuation prefix; a word longer than 100 characters or with an unmatchable piece becomes {@code [UNK]}.
 * Special tokens written literally in the text ({@code [SEP]}, {@code [MASK]}, ...) are kept whole, as the
 * Hugging Face tokenizer does.
 */
public final class WordPieceTokenizer implements Tokenizer {
    private static final int MAX_CHARS_PER_WORD = 100;
    private static final Pattern SPECIAL = Pattern.compile("\\[(?:CLS|SEP|PAD|UNK|MASK)]");

    private final Map<String, Integer> vocab;
    private final BasicTokenizer basic;
    private final int cls, sep, pad, unk;

    /** @param vocabulary tokens in id order; must contain [CLS], [SEP], [PAD] and [UNK] */
    public WordPieceTokenizer(List<String> vocabulary, boolean lowerCase) {
        vocab = new HashMap<>(vocabulary.size() * 2);
        for (int i = 0; i < vocabulary.size(); i++) vocab.putIfAbsent(vocabulary.get(i), i);
        basic = new BasicTokenizer(lowerCase);
        cls = special("[CLS]");
        sep = special("[SEP]");
        pad = special("[PAD]");
        unk = special("[UNK]");
    }

    /** Reads {@code folder/vocab.txt}; lower-casing from {@code tokenizer_config.json}'s {@code do_lower_case} (default true). */
    public static WordPieceTokenizer load(Path folder) throws IOException {
        List<String> vocabulary = Files.readAllLines(folder.resolve("vocab.txt"), StandardCharsets.UTF_8);
        boolean lower = true;
        Path cfg = folder.resolve("tokenizer_config.json");
        if (Files.isRegularFile(cfg)) {
            JsonElement v = JsonParser.parseString(Files.readString(cfg)).getAsJsonObject().get("do_lower_case");
            if (v != null) lower = v.getAsBoolean();
        }
        return new WordPieceTokenizer(vocabulary, lower);
    }

    /** Builds the Java tokenizer from the WordPiece vocabulary and BertNormalizer settings of a {@code tokenizer.json}. */
    public static WordPieceTokenizer fromTokenizerJson(Path tokenizerJson) throws IOException {
        JsonObject root = JsonParser.parseString(Files.readString(tokenizerJson)).getAsJsonObject();
        JsonObject model = root.getAsJsonObject("model");
        if (!"WordPiece".equals(model.get("type").getAsString())) {
            throw new IllegalArgumentException(tokenizerJson + ": model.type is " + model.get("type") + ", expected WordPiece");
        }
        JsonObject v = model.getAsJsonObject("vocab");
        String[] tokens = new String[v.size()];
        for (Map.Entry<String, JsonElement> e : v.entrySet()) tokens[e.getValue().getAsInt()] = e.getKey();
        JsonElement norm = root.get("normalizer");
        boolean lower = norm != null && norm.isJsonObject() && norm.getAsJsonObject().has("lowercase")
            && norm.getAsJsonObject().get("lowercase").getAsBoolean();
        return new WordPieceTokenizer(Arrays.asList(tokens), lower);
    }

    @Override
    public Encoding encode(String text, String pair, int maxLength) {
        List<Integer> a = ids(text);
        List<Integer> b = pair == null ? null : ids(pair);
        if (maxLength > 0) {
            int budget = maxLength - (b == null ? 2 : 3);
            if (budget < 0) throw new IllegalArgumentException("maxLength " + maxLength + " leaves no room for the special tokens");
            if (b == null) {
                if (a.size() > budget) a = a.subList(0, budget);
            } else {
                int[] n = Truncation.longestFirst(a.size(), b.size(), budget);
                a = a.subList(0, n[0]);
                b = b.subList(0, n[1]);
            }
        }
        int len = a.size() + 2 + (b == null ? 0 : b.size() + 1);
        long[] ids = new long[len], types = new long[len], mask = new long[len];
        Arrays.fill(mask, 1);
        int p = 0;
        ids[p++] = cls;
        for (int id : a) ids[p++] = id;
        ids[p++] = sep;
        if (b != null) {
            int start = p;
            for (int id : b) ids[p++] = id;
            ids[p++] = sep;
            Arrays.fill(types, start, p, 1);
        }
        return new Encoding(ids, types, mask);
    }

    @Override
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = SPECIAL.matcher(text);
        int last = 0;
        while (m.find()) {
            if (vocab.containsKey(m.group())) {
                for (String w : basic.split(text.substring(last, m.start()))) wordPiece(w, out);
                out.add(m.group());
                last = m.end();
            }
        }
        for (String w : basic.split(text.substring(last))) wordPiece(w, out);
        return out;
    }

    @Override
    public int padId() { return pad; }

    @Override
    public int vocabSize() { return vocab.size(); }

    private List<Integer> ids(String text) {
        List<String> pieces = tokenize(text);
        List<Integer> ids = new ArrayList<>(pieces.size());
        for (String p : pieces) ids.add(vocab.getOrDefault(p, unk));
        return ids;
    }

    private void wordPiece(String word, List<String> out) {
        int[] cps = word.codePoints().toArray();
        if (cps.length > MAX_CHARS_PER_WORD) {
            out.add("[UNK]");
            return;
        }
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < cps.length) {
            String found = null;
            int end = cps.length;
            for (; end > start; end--) {
                String sub = new String(cps, start, end - start);
                if (start > 0) sub = "##" + sub;
                if (vocab.containsKey(sub)) {
                    found = sub;
                    break;
                }
            }
            if (found == null) {
                out.add("[UNK]");
                return;
            }
            pieces.add(found);
            start = end;
        }
        out.addAll(pieces);
    }

    private int special(String token) {
        Integer id = vocab.get(token);
        if (id == null) throw new IllegalArgumentException("vocabulary lacks the special token " + token);
        return id;
    }
}
