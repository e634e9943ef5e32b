package dev.memtune.backbone;

import com.google.gson.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Hugging Face {@code config.json}, read with the model type's own key names. Common sizes are
 * exposed as fields; model-specific keys are read with the typed getters, which name the key (and
 * the source file) when it is missing or of the wrong type.
 */
public final class BackboneConfig {
    public final String modelType;      // "bert" | "t5" | "opt"
    public final String source;         // file or preset the values came from, for error messages
    private final JsonObject json;

    private BackboneConfig(JsonObject json, String source) {
        this.json = json;
        this.source = source;
        this.modelType = str("model_type");
    }

    public static BackboneConfig of(JsonObject json, String source) {
        if (!json.has("model_type")) throw new IllegalArgumentException(source + ": key 'model_type' missing (expected bert, t5 or opt)");
        BackboneConfig c = new BackboneConfig(json.deepCopy(), source);
        c.validate();
        return c;
    }

    public static BackboneConfig read(Path file) throws IOException {
        JsonElement e;
        try {
            e = JsonParser.parseString(Files.readString(file));
        } catch (JsonParseException ex) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + ex.getMessage());
        }
        if (!e.isJsonObject()) throw new IllegalArgumentException(file + ": expected a JSON object");
        return of(e.getAsJsonObject(), file.toString());
    }

    /** A copy with some keys replaced (e.g. a narrower side network, fewer layers). */
    public BackboneConfig with(Map<String, ?> overrides) {
        JsonObject j = json.deepCopy();
        Gson g = new Gson();
        overrides.forEach((k, v) -> j.add(k, g.toJsonTree(v)));
        return of(j, source + " (modified)");
    }

    public JsonObject json() { return json.deepCopy(); }

    public String toJson() { return new GsonBuilder().setPrettyPrinting().create().toJson(json); }

    // ---- common sizes, under each model type's HF key names -----------------------------------

    public int hiddenSize() { return integer(switch (modelType) { case "t5" -> "d_model"; default -> "hidden_size"; }); }

    /**
     * Width of the backbone's output states, what a task head reads: the hidden size, except for OPT
     * with {@code word_embed_proj_dim != hidden_size} (opt-350m), whose {@code project_out} maps the
     * final states to {@code word_embed_proj_dim} (HF's {@code OPTForSequenceClassification} sizes its
     * score layer by it too).
     */
    public int outputSize() { return modelType.equals("opt") ? integer("word_embed_proj_dim", hiddenSize()) : hiddenSize(); }

    public int numLayers() { return integer(switch (modelType) { case "t5" -> "num_layers"; default -> "num_hidden_layers"; }); }

    public int numHeads() { return integer(switch (modelType) { case "t5" -> "num_heads"; default -> "num_attention_heads"; }); }

    public int intermediateSize() { return integer(switch (modelType) { case "t5" -> "d_ff"; case "opt" -> "ffn_dim"; default -> "intermediate_size"; }); }

    public int vocabSize() { return integer("vocab_size"); }

    // ---- typed access ---------------------------------------------------------------------------

    public boolean has(String key) { return json.has(key) && !json.get(key).isJsonNull(); }

    public int integer(String key) {
        JsonElement e = need(key);
        try {
            double d = e.getAsDouble();
            if (d != Math.rint(d)) throw new NumberFormatException();
            return (int) d;
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException(source + ": key '" + key + "' must be an integer, got " + e);
        }
    }

    public int integer(String key, int def) { return has(key) ? integer(key) : def; }

    public double number(String key) {
        JsonElement e = need(key);
        try { return e.getAsDouble(); } catch (RuntimeException ex) {
            throw new IllegalArgumentException(source + ": key '" + key + "' must be a number, got " + e);
        }
    }

    public double number(String key, double def) { return has(key) ? number(key) : def; }

    public String str(String key) {
        JsonElement e = need(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString())
            throw new IllegalArgumentException(source + ": key '" + key + "' must be a string, got " + e);
        return e.getAsString();
    }

    public String str(String key, String def) { return has(key) ? str(key) : def; }

    public boolean bool(String key, boolean def) {
        if (!has(key)) return def;
        JsonElement e = json.get(key);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean())
            throw new IllegalArgumentException(source + ": key '" + key + "' must be true or false, got " + e);
        return e.getAsBoolean();
    }

    private JsonElement need(String key) {
        if (!has(key)) throw new IllegalArgumentException(source + ": key '" + key + "' missing from the " + json.get("model_type") + " config");
        return json.get(key);
    }

    private void validate() {
        switch (modelType) {
            case "bert", "t5", "opt" -> { }
            default -> throw new IllegalArgumentException(source + ": model_type '" + modelType + "' is not supported (bert, t5, opt)");
        }
        int h = hiddenSize(), heads = numHeads(), layers = numLayers();
        if (h <= 0 || heads <= 0 || layers <= 0 || intermediateSize() <= 0 || vocabSize() <= 0)
            throw new IllegalArgumentException(source + ": sizes must be positive (hidden " + h + ", heads " + heads + ", layers " + layers + ")");
        if (!modelType.equals("t5") && h % heads != 0)
            throw new IllegalArgumentException(source + ": hidden size " + h + " is not divisible by " + heads + " attention heads");
    }

    @Override
    public String toString() { return modelType + " " + json; }
}
