package dev.memtune.backbone;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonParser;
import dev.memtune.backbone.bert.BertModel;

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
            case "t5" -> reflect("dev.memtune.backbone.t5.T5Model", m, c);
            case "opt" -> reflect("dev.memtune.backbone.opt.OptModel", m, c);
            default -> throw new IllegalArgumentException(c.source + ": unsupported model_type " + c.modelType);
        };
    }

    private static Backbone reflect(String cls, NDManager m, BackboneConfig c) {
        try {
            return (Backbone) Class.forName(cls).getConstructor(NDManager.class, BackboneConfig.class).newInstance(m, c);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(c.modelType + " backbones are not available in this build (" + cls + " missing)");
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
