package dev.memtune.train;

import com.google.gson.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

/**
 * One experiment as data: a JSON file under {@code reproduce/configs/<table>/...} that names the
 * backbone, the method and its options, the tasks, the split protocol, the seeds and the train
 * settings, with overrides per task and per scale. A file inherits another with
 * {@code "inherits": "../base.json"} (path relative to the file); objects merge key by key, other
 * values replace. Resolution order: inherited files, the file, {@code scales.<scale>},
 * {@code task_train.<task>} (train settings only), then {@code --set key.path=value} overrides.
 *
 * <pre>
 * {
 *   "inherits": "../base.json",
 *   "description": "LoRA r=8 on MiniLM-L6",
 *   "backbone": "minilm-l6",            pretrained preset, local HF folder, or random-init preset (tiny-*)
 *   "method": "lora", "method_options": {"r": 8, "lora_alpha": 16},
 *   "tasks": ["rte", "mrpc"], "protocol": "lst", "seeds": [42, 43, 44],
 *   "train": {"learning_rate": 5e-4, "num_train_epochs": 10, ...},     HF TrainingArguments names
 *   "task_train": {"sst2": {"num_train_epochs": 2}},
 *   "scales": {"smoke": {"train": {"max_steps": 10}}, "cpu": {}, "paper": {...}}
 * }
 * </pre>
 * Every file is checked on load: an unknown key, or a train setting that does not exist, is an
 * error naming the file and the key.
 */
public final class ExperimentConfig {
    /** Keys a config file may hold. */
    public static final List<String> KEYS = List.of("inherits", "description", "table", "backbone", "method", "method_options",
            "tasks", "protocol", "seeds", "train", "task_train", "scales", "text_to_text", "tokenizer", "pooling");
    /** The scales every notebook knows. */
    public static final List<String> SCALES = List.of("smoke", "cpu", "paper");

    public final Path file;
    public final String table, id;
    private final JsonObject merged;      // inherited + file, before scale/task/--set

    private ExperimentConfig(Path file, String table, String id, JsonObject merged) {
        this.file = file;
        this.table = table;
        this.id = id;
        this.merged = merged;
    }

    /** Loads a config file with everything it inherits; ids come from its path under a {@code configs} folder. */
    public static ExperimentConfig load(Path file) {
        JsonObject merged = loadChain(file.toAbsolutePath().normalize(), new ArrayList<>());
        merged.remove("inherits");
        String rel = idPath(file);
        String table = merged.has("table") ? merged.get("table").getAsString() : rel.contains("/") ? rel.substring(0, rel.indexOf('/')) : "misc";
        String id = rel.contains("/") ? rel.substring(rel.indexOf('/') + 1) : rel;
        for (String k : List.of("backbone", "method"))
            if (!merged.has(k)) throw new IllegalArgumentException(file + ": no '" + k + "' (set it here or in an inherited file)");
        return new ExperimentConfig(file, table, id, merged);
    }

    /** Path below the nearest {@code configs} folder without {@code .json}, e.g. {@code glue/minilm-l6/lora}. */
    static String idPath(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        List<String> parts = new ArrayList<>();
        for (Path p : abs) parts.add(p.toString());
        int i = parts.lastIndexOf("configs");
        List<String> rest = i >= 0 ? parts.subList(i + 1, parts.size()) : parts.subList(parts.size() - 1, parts.size());
        String s = String.join("/", rest);
        return s.endsWith(".json") ? s.substring(0, s.length() - 5) : s;
    }

    private static JsonObject loadChain(Path file, List<Path> seen) {
        if (seen.contains(file)) throw new IllegalArgumentException(file + ": inheritance cycle " + seen);
        seen.add(file);
        JsonObject o = read(file);
        validate(o, file.toString());
        if (!o.has("inherits")) return o;
        Path parent = file.getParent().resolve(o.get("inherits").getAsString()).normalize();
        if (!Files.isRegularFile(parent)) throw new IllegalArgumentException(file + ": inherits '" + o.get("inherits").getAsString() + "', but " + parent + " does not exist");
        JsonObject base = loadChain(parent, seen);
        merge(base, o);
        return base;
    }

    private static JsonObject read(Path file) {
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file));
            if (!e.isJsonObject()) throw new IllegalArgumentException(file + ": expected a JSON object");
            return e.getAsJsonObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read experiment config " + file + ": " + e.getMessage());
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage());
        }
    }

    /** Checks one file's keys (and its scales' keys) so errors name the file that has the typo. */
    static void validate(JsonObject o, String source) {
        for (String k : o.keySet()) if (!KEYS.contains(k)) throw new IllegalArgumentException(source + ": unknown key '" + k + "' (known: " + String.join(", ", KEYS) + ")");
        if (o.has("train")) checkTrain(o.get("train"), source + ": train");
        if (o.has("task_train")) for (var e : obj(o, "task_train", source).entrySet()) checkTrain(e.getValue(), source + ": task_train." + e.getKey());
        if (o.has("method_options")) obj(o, "method_options", source);
        if (o.has("pooling") && !o.get("pooling").getAsString().equals("auto") && !dev.memtune.method.Head.POOLINGS.contains(o.get("pooling").getAsString()))
            throw new IllegalArgumentException(source + ": pooling must be auto, first, mean or last, got " + o.get("pooling"));
        if (o.has("scales")) for (var e : obj(o, "scales", source).entrySet()) {
            if (!SCALES.contains(e.getKey())) throw new IllegalArgumentException(source + ": unknown scale '" + e.getKey() + "' (known: " + SCALES + ")");
            if (!e.getValue().isJsonObject()) throw new IllegalArgumentException(source + ": scales." + e.getKey() + " must be an object");
            JsonObject s = e.getValue().getAsJsonObject();
            for (String k : List.of("inherits", "scales")) if (s.has(k)) throw new IllegalArgumentException(source + ": scales." + e.getKey() + " cannot hold '" + k + "'");
            validate(s, source + ": scales." + e.getKey());
        }
    }

    private static void checkTrain(JsonElement t, String source) {
        if (!t.isJsonObject()) throw new IllegalArgumentException(source + " must be an object of train settings");
        for (String k : t.getAsJsonObject().keySet())
            if (!TrainConfig.KEYS.contains(k)) throw new IllegalArgumentException(source + ": unknown train setting '" + k + "' (known: " + String.join(", ", TrainConfig.KEYS) + ")");
    }

    private static JsonObject obj(JsonObject o, String key, String source) {
        if (!o.get(key).isJsonObject()) throw new IllegalArgumentException(source + ": '" + key + "' must be an object");
        return o.getAsJsonObject(key);
    }

    /** Deep merge: objects key by key, everything else replaced. */
    static void merge(JsonObject into, JsonObject from) {
        for (var e : from.entrySet()) {
            JsonElement cur = into.get(e.getKey());
            if (cur != null && cur.isJsonObject() && e.getValue().isJsonObject()) merge(cur.getAsJsonObject(), e.getValue().getAsJsonObject());
            else into.add(e.getKey(), e.getValue().deepCopy());
        }
    }

    /** Tasks the config lists at a scale (a scale may narrow them, e.g. to the tasks whose data is staged). */
    public List<String> tasks(String scale) { return strings(atScale(scale), "tasks"); }

    /** Seeds the config lists at a scale (default [42]). */
    public List<Integer> seeds(String scale) {
        List<Integer> out = new ArrayList<>();
        JsonObject o = atScale(scale);
        if (o.has("seeds")) for (JsonElement e : o.getAsJsonArray("seeds")) out.add(e.getAsInt());
        return out.isEmpty() ? List.of(42) : out;
    }

    /** The merged settings with a scale's overrides applied (still holding {@code task_train}). */
    private JsonObject atScale(String scale) {
        if (!SCALES.contains(scale)) throw new IllegalArgumentException("unknown scale '" + scale + "' (known: " + SCALES + ")");
        JsonObject r = merged.deepCopy();
        if (r.has("scales") && r.getAsJsonObject("scales").has(scale)) merge(r, r.getAsJsonObject("scales").getAsJsonObject(scale));
        r.remove("scales");
        return r;
    }

    /**
     * The settings of one run: scale and task overrides and {@code sets} ({@code train.learning_rate=1e-4},
     * {@code method_options.r=16}, {@code backbone=tiny-bert}; values parsed as JSON where they are)
     * applied. The result has no {@code scales}/{@code task_train} left.
     */
    public Resolved resolve(String task, int seed, String scale, Map<String, String> sets) {
        JsonObject r = atScale(scale);
        if (r.has("task_train") && r.getAsJsonObject("task_train").has(task)) {
            if (!r.has("train")) r.add("train", new JsonObject());
            merge(r.getAsJsonObject("train"), r.getAsJsonObject("task_train").getAsJsonObject(task));
        }
        r.remove("task_train");
        for (var e : sets.entrySet()) set(r, e.getKey(), e.getValue());
        validate(r, file + " (resolved for " + task + ", scale " + scale + ")");
        if (!r.has("train")) r.add("train", new JsonObject());
        r.getAsJsonObject("train").addProperty("seed", seed);
        if (!r.has("pooling")) r.addProperty("pooling", "auto");          // recorded, so results made before the key existed are retrained
        r.remove("tasks");
        r.remove("seeds");
        r.addProperty("task", task);
        r.addProperty("scale", scale);
        return new Resolved(this, task, seed, scale, r);
    }

    private void set(JsonObject r, String path, String value) {
        String[] parts = path.split("\\.");
        JsonObject o = r;
        for (int i = 0; i < parts.length - 1; i++) {
            if (!o.has(parts[i]) || !o.get(parts[i]).isJsonObject()) o.add(parts[i], new JsonObject());
            o = o.getAsJsonObject(parts[i]);
        }
        JsonElement v;
        try { v = JsonParser.parseString(value); } catch (JsonParseException e) { v = new JsonPrimitive(value); }
        if (v.isJsonNull()) v = new JsonPrimitive(value);
        o.add(parts[parts.length - 1], v);
    }

    private static List<String> strings(JsonObject o, String key) {
        List<String> out = new ArrayList<>();
        if (o.has(key)) for (JsonElement e : o.getAsJsonArray(key)) out.add(e.getAsString());
        return out;
    }

    /** The settings of one run (config x task x seed x scale). */
    public record Resolved(ExperimentConfig config, String task, int seed, String scale, JsonObject json) {
        public String backbone() { return json.get("backbone").getAsString(); }

        public String method() { return json.get("method").getAsString(); }

        public String protocol() { return json.has("protocol") ? json.get("protocol").getAsString() : "lst"; }

        /** {@code text_to_text}: generate the label names with the LM head (T5), see {@link TextToText}. */
        public boolean textToText() { return json.has("text_to_text") && json.get("text_to_text").getAsBoolean(); }

        /** {@code tokenizer}: the pretrained preset whose tokenizer is used (default: the backbone's own). */
        public String tokenizer() { return json.has("tokenizer") ? json.get("tokenizer").getAsString() : backbone(); }

        /**
         * {@code pooling}: how a pooled task head summarises the sequence: {@code auto} (default: the
         * model's own, e.g. mean for all-MiniLM-L6-v2, see {@link dev.memtune.hub.ModelSpec#pooling}),
         * {@code first}, {@code mean} or {@code last}.
         */
        public String pooling() { return json.has("pooling") ? json.get("pooling").getAsString() : "auto"; }

        /**
         * Method options as strings, the form {@code Methods.create} takes. A JSON list (PEFT's
         * {@code "target_modules": ["query", "value"]}) becomes the comma list {@code query,value}.
         */
        public Map<String, String> methodOptions() {
            Map<String, String> out = new LinkedHashMap<>();
            if (json.has("method_options"))
                for (var e : json.getAsJsonObject("method_options").entrySet())
                    out.put(e.getKey(), optionString(e.getKey(), e.getValue()));
            return out;
        }

        private String optionString(String key, JsonElement v) {
            if (v.isJsonPrimitive()) return v.getAsString();
            List<String> items = new ArrayList<>();
            if (v.isJsonArray()) for (var x : v.getAsJsonArray()) items.add(x.isJsonPrimitive() ? x.getAsString() : null);
            if (!v.isJsonArray() || items.contains(null))
                throw new IllegalArgumentException(config.file + ": method_options." + key + " must be a value or a list of values, got " + v);
            return String.join(",", items);
        }

        public TrainConfig train() {
            Map<String, Object> m = new LinkedHashMap<>();
            for (var e : json.getAsJsonObject("train").entrySet())
                m.put(e.getKey(), e.getValue().isJsonPrimitive() && e.getValue().getAsJsonPrimitive().isBoolean() ? (Object) e.getValue().getAsBoolean() : e.getValue().getAsString());
            return TrainConfig.fromMap(m, config.file + ": train");
        }
    }
}
