package dev.memtune.sweep;

import com.google.gson.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;

/**
 * A grid file ({@code reproduce/grids/*.json}): groups of configs x tasks x seeds (x overrides) that
 * expand into {@link Cell}s in file order. Every key is checked; an error names the file and the key.
 *
 * <pre>
 * {
 *   "description": "free text",
 *   "scale": "cpu",                                     smoke | cpu | paper (default cpu; memtune sweep --scale replaces it)
 *   "groups": [
 *     {"configs": ["glue/bert-base/full.json"],         paths below reproduce/configs
 *      "tasks": ["rte", "mrpc"], "seeds": [42, 43],
 *      "overrides": [{"train.learning_rate": 1e-4}, {"train.learning_rate": 3e-4}]}     optional: one variant per object,
 *   ]                                                   each key a "memtune train --set" (an object alone = one variant)
 * }
 * </pre>
 * A cell listed twice (same config, task, seed, scale and overrides) runs once, at its first place.
 */
public final class Grid {
    public static final List<String> KEYS = List.of("description", "scale", "groups");
    public static final List<String> GROUP_KEYS = List.of("description", "configs", "tasks", "seeds", "overrides");
    public static final List<String> SCALES = List.of("smoke", "cpu", "paper");

    public final Path file;
    public final String description, scale;
    private final List<Cell> cells;
    private final int duplicates;

    private Grid(Path file, String description, String scale, List<Cell> cells, int duplicates) {
        this.file = file;
        this.description = description;
        this.scale = scale;
        this.cells = cells;
        this.duplicates = duplicates;
    }

    /** The cells in file order, duplicates removed. */
    public List<Cell> cells() { return cells; }

    /** How many listed cells were duplicates of earlier ones. */
    public int duplicates() { return duplicates; }

    /** The file's base name without {@code .json}. */
    public String name() { return file.getFileName().toString().replaceAll("\\.json$", ""); }

    /**
     * Reads and expands a grid file. {@code configsDir} is where its config paths live (existence is
     * checked here); {@code scale} replaces the file's when not null.
     */
    public static Grid load(Path file, Path configsDir, String scale) {
        JsonObject o = read(file);
        for (String k : o.keySet())
            if (!KEYS.contains(k)) throw error(file, k, "unknown key (known: " + String.join(", ", KEYS) + ")");
        String description = o.has("description") ? string(file, "description", o.get("description")) : "";
        String fileScale = o.has("scale") ? string(file, "scale", o.get("scale")) : "cpu";
        if (!SCALES.contains(fileScale)) throw error(file, "scale", "unknown scale '" + fileScale + "' (known: " + SCALES + ")");
        String sc = scale != null ? scale : fileScale;
        if (!SCALES.contains(sc)) throw new IllegalArgumentException("unknown scale '" + sc + "' (known: " + SCALES + ")");
        if (!o.has("groups")) throw error(file, "groups", "missing (a list of {configs, tasks, seeds})");
        JsonArray groups = array(file, "groups", o.get("groups"));
        if (groups.isEmpty()) throw error(file, "groups", "is empty");
        List<Cell> cells = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int dup = 0;
        for (int g = 0; g < groups.size(); g++) {
            String at = "groups[" + g + "]";
            if (!groups.get(g).isJsonObject()) throw error(file, at, "must be an object with configs, tasks and seeds");
            JsonObject grp = groups.get(g).getAsJsonObject();
            for (String k : grp.keySet())
                if (!GROUP_KEYS.contains(k)) throw error(file, at + "." + k, "unknown key (known: " + String.join(", ", GROUP_KEYS) + ")");
            for (String k : List.of("configs", "tasks", "seeds"))
                if (!grp.has(k)) throw error(file, at + "." + k, "missing");
            List<String> configs = new ArrayList<>();
            JsonArray ca = nonEmpty(file, at + ".configs", grp.get("configs"));
            for (int i = 0; i < ca.size(); i++) {
                String c = string(file, at + ".configs[" + i + "]", ca.get(i));
                if (!c.endsWith(".json")) throw error(file, at + ".configs[" + i + "]", "'" + c + "' is not a .json config path");
                if (!Files.isRegularFile(configsDir.resolve(c)))
                    throw error(file, at + ".configs[" + i + "]", "no config file " + configsDir.resolve(c));
                configs.add(c);
            }
            List<String> tasks = new ArrayList<>();
            JsonArray ta = nonEmpty(file, at + ".tasks", grp.get("tasks"));
            for (int i = 0; i < ta.size(); i++) tasks.add(string(file, at + ".tasks[" + i + "]", ta.get(i)));
            List<Integer> seeds = new ArrayList<>();
            JsonArray sa = nonEmpty(file, at + ".seeds", grp.get("seeds"));
            for (int i = 0; i < sa.size(); i++) seeds.add(integer(file, at + ".seeds[" + i + "]", sa.get(i)));
            List<LinkedHashMap<String, String>> variants = overrides(file, at + ".overrides", grp.get("overrides"));
            for (String c : configs)
                for (String t : tasks)
                    for (int s : seeds)
                        for (LinkedHashMap<String, String> v : variants) {
                            Cell cell = new Cell(cells.size(), c, t, s, sc, v, null);
                            if (seen.add(cell.key())) cells.add(cell);
                            else dup++;
                        }
        }
        return new Grid(file, description, sc, List.copyOf(cells), dup);
    }

    /**
     * A grid of the given cells (no file: a table's runs handed over by {@link SparkRunExecutor});
     * {@code source} names them in messages and the sweep's report file.
     */
    public static Grid of(Path source, String scale, List<Cell> cells) {
        List<Cell> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Cell c : cells) {
            Cell n = new Cell(out.size(), c.config(), c.task(), c.seed(), c.scale(), c.overrides(), null);
            if (seen.add(n.key())) out.add(n);
        }
        return new Grid(source, "", scale, List.copyOf(out), cells.size() - out.size());
    }

    /** {@code overrides}: absent = one variant without overrides; an object = one variant; a list of objects = one each. */
    private static List<LinkedHashMap<String, String>> overrides(Path file, String key, JsonElement e) {
        List<LinkedHashMap<String, String>> out = new ArrayList<>();
        if (e == null) { out.add(new LinkedHashMap<>()); return out; }
        if (e.isJsonObject()) { out.add(variant(file, key, e.getAsJsonObject())); return out; }
        JsonArray a = nonEmpty(file, key, e);
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).isJsonObject()) throw error(file, key + "[" + i + "]", "must be an object of {\"key.path\": value} settings");
            out.add(variant(file, key + "[" + i + "]", a.get(i).getAsJsonObject()));
        }
        return out;
    }

    private static LinkedHashMap<String, String> variant(Path file, String key, JsonObject o) {
        LinkedHashMap<String, String> v = new LinkedHashMap<>();
        for (var e : o.entrySet()) {
            if (e.getKey().isBlank()) throw error(file, key, "has an empty setting name");
            JsonElement x = e.getValue();
            if (x.isJsonNull()) throw error(file, key + "." + e.getKey(), "is null");
            v.put(e.getKey(), x.isJsonPrimitive() && x.getAsJsonPrimitive().isString() ? x.getAsString() : x.toString());
        }
        return v;
    }

    private static JsonObject read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read grid file " + file + ": " + e.getMessage());
        }
        try {
            JsonElement e = JsonParser.parseString(text);
            if (!e.isJsonObject()) throw new IllegalArgumentException(file + ": a grid file is a JSON object with \"groups\"");
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage());
        }
    }

    static IllegalArgumentException error(Path file, String key, String what) {
        return new IllegalArgumentException(file + ": " + key + ": " + what);
    }

    private static String string(Path file, String key, JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw error(file, key, "must be a string, got " + e);
        return e.getAsString();
    }

    private static int integer(Path file, String key, JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw error(file, key, "must be an integer, got " + e);
        try {
            return new java.math.BigDecimal(e.getAsString()).intValueExact();
        } catch (ArithmeticException | NumberFormatException x) {
            throw error(file, key, "must be an integer, got " + e);
        }
    }

    private static JsonArray array(Path file, String key, JsonElement e) {
        if (!e.isJsonArray()) throw error(file, key, "must be a list, got " + e);
        return e.getAsJsonArray();
    }

    private static JsonArray nonEmpty(Path file, String key, JsonElement e) {
        JsonArray a = array(file, key, e);
        if (a.isEmpty()) throw error(file, key, "is empty");
        return a;
    }
}
