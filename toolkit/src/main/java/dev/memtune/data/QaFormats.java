package dev.memtune.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Readers of the official question-answering / SuperGLUE file layouts. Every problem is a
 * {@link DataException} naming the file and the line (JSON Lines) or item (SciQ's JSON array).
 */
public final class QaFormats {
    private QaFormats() {}

    /**
     * AI2 JSON Lines (ARC, OpenBookQA): {@code {"id", "question": {"stem", "choices": [{"text",
     * "label"}]}, "answerKey"}}; the label is the position of the choice whose {@code label} equals
     * {@code answerKey} (ARC uses A-E or 1-5; a few questions have 3 or 5 choices).
     */
    public static final SplitReader AI2_JSONL = (files, split) -> jsonl(files.get(0), (o, at) -> {
        JsonObject q = obj(o, "question", at);
        List<String> texts = new ArrayList<>(), keys = new ArrayList<>();
        for (JsonElement c : arr(q, "choices", at)) {
            texts.add(str(c.getAsJsonObject(), "text", at));
            keys.add(str(c.getAsJsonObject(), "label", at));
        }
        String key = str(o, "answerKey", at);
        int answer = keys.indexOf(key);
        if (answer < 0) throw at.error("answerKey '" + key + "' is not one of the choice labels " + keys);
        return Example.choice(str(o, "id", at), str(q, "stem", at), null, texts, answer);
    });

    /** SuperGLUE BoolQ JSON Lines: {@code question, passage, idx, label (true/false)}; label 1 = true. */
    public static final SplitReader BOOLQ_JSONL = (files, split) -> jsonl(files.get(0), (o, at) -> {
        JsonElement l = o.get("label");
        if (l == null || !l.isJsonPrimitive() || !l.getAsJsonPrimitive().isBoolean())
            throw at.error("field 'label' must be true or false");
        return Example.pair(str(o, "idx", at), str(o, "question", at), str(o, "passage", at), l.getAsBoolean() ? 1 : 0);
    });

    /**
     * SuperGLUE COPA JSON Lines: {@code premise, choice1, choice2, question ("cause"|"effect"),
     * label (0|1), idx}; textA = premise, textB = question, choices = [choice1, choice2].
     */
    public static final SplitReader COPA_JSONL = (files, split) -> jsonl(files.get(0), (o, at) -> {
        String question = str(o, "question", at);
        if (!question.equals("cause") && !question.equals("effect"))
            throw at.error("field 'question' must be 'cause' or 'effect', found '" + question + "'");
        int label = intIn(o, "label", 2, at);
        return Example.choice(str(o, "idx", at), str(o, "premise", at), question,
                List.of(str(o, "choice1", at), str(o, "choice2", at)), label);
    });

    /**
     * PIQA: {@code <split>.jsonl} with {@code goal, sol1, sol2} and {@code <split>-labels.lst}
     * with one 0/1 per line, the same number of lines.
     */
    public static final SplitReader PIQA = (files, split) -> {
        List<String> labels = TextFiles.lines(files.get(1));
        List<Example> out = jsonl(files.get(0), (o, at) -> {
            if (at.line > labels.size())
                throw at.error("has no label: " + files.get(1) + " has only " + labels.size() + " lines");
            String l = labels.get((int) at.line - 1).trim();
            if (!l.equals("0") && !l.equals("1"))
                throw new DataException(files.get(1), at.line, "label '" + l + "' is not 0 or 1");
            return Example.choice(split + "-" + (at.line - 1), str(o, "goal", at), null,
                    List.of(str(o, "sol1", at), str(o, "sol2", at)), Integer.parseInt(l));
        });
        if (labels.size() != out.size())
            throw new DataException(files.get(1), 0, labels.size() + " labels for " + out.size() + " questions in " + files.get(0));
        return out;
    };

    /**
     * SciQ JSON array of {@code question, distractor1..3, correct_answer, support}. The release
     * lists the answer apart from the distractors, so choices are placed by a fixed rule: item
     * {@code i} (0-based) puts the correct answer at position {@code i mod 4} and the distractors
     * 1, 2, 3 in order in the other positions (answer positions are balanced and no position
     * carries a signal). textB = support paragraph, null when empty.
     */
    public static final SplitReader SCIQ_JSON = (files, split) -> {
        Path file = files.get(0);
        JsonArray items;
        try {
            items = JsonParser.parseString(String.join("\n", TextFiles.lines(file))).getAsJsonArray();
        } catch (JsonParseException | IllegalStateException e) {
            throw new DataException(file, 0, "not a JSON array of questions (" + e.getMessage() + ")");
        }
        List<Example> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            At at = new At(file, 0, "item " + i + ": ");
            if (!items.get(i).isJsonObject()) throw at.error("not a JSON object");
            JsonObject o = items.get(i).getAsJsonObject();
            List<String> choices = new ArrayList<>(List.of(str(o, "distractor1", at), str(o, "distractor2", at), str(o, "distractor3", at)));
            int answer = i % 4;
            choices.add(answer, str(o, "correct_answer", at));
            String support = o.has("support") ? str(o, "support", at) : "";
            out.add(Example.choice(split + "-" + i, str(o, "question", at), support.isEmpty() ? null : support, choices, answer));
        }
        return out;
    };

    // ---- helpers -------------------------------------------------------------------------------

    /** Position in a file, for error messages. */
    record At(Path file, long line, String prefix) {
        DataException error(String problem) { return new DataException(file, line, prefix + problem); }
    }

    interface Row { Example parse(JsonObject o, At at); }

    static List<Example> jsonl(Path file, Row row) throws IOException {
        List<String> lines = TextFiles.lines(file);
        List<Example> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            At at = new At(file, i + 1, "");
            if (lines.get(i).isBlank()) throw at.error("empty line");
            JsonElement e;
            try {
                e = JsonParser.parseString(lines.get(i));
            } catch (JsonParseException ex) {
                throw at.error("invalid JSON (" + ex.getMessage() + ")");
            }
            if (!e.isJsonObject()) throw at.error("not a JSON object");
            out.add(row.parse(e.getAsJsonObject(), at));
        }
        return out;
    }

    static String str(JsonObject o, String key, At at) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) throw at.error("missing field '" + key + "'");
        if (!e.isJsonPrimitive()) throw at.error("field '" + key + "' is not a string or number");
        return e.getAsString();
    }

    static JsonObject obj(JsonObject o, String key, At at) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonObject()) throw at.error("missing object field '" + key + "'");
        return e.getAsJsonObject();
    }

    static JsonArray arr(JsonObject o, String key, At at) {
        JsonElement e = o.get(key);
        if (e == null || !e.isJsonArray() || e.getAsJsonArray().isEmpty()) throw at.error("missing or empty array field '" + key + "'");
        for (JsonElement x : e.getAsJsonArray()) if (!x.isJsonObject()) throw at.error("'" + key + "' holds a non-object");
        return e.getAsJsonArray();
    }

    static int intIn(JsonObject o, String key, int n, At at) {
        String s = str(o, key, at);
        try {
            int v = Integer.parseInt(s);
            if (v >= 0 && v < n) return v;
        } catch (NumberFormatException ignored) { /* reported below */ }
        throw at.error("field '" + key + "' must be an integer in [0, " + n + "), found '" + s + "'");
    }
}
