package dev.memtune.papers;

import dev.memtune.sys.Project;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The papers' own numbers, read from {@code reproduce/papers/*.json} (data, with their provenance
 * marks). A number a paper does not give is {@code null} there and prints as {@code n/a}: never
 * invented, never interpolated.
 */
public final class PaperNumbers {
    private final JsonObject json;
    public final String paper;

    private PaperNumbers(JsonObject json) {
        this.json = json;
        this.paper = json.get("paper").getAsString();
    }

    /** {@code lst}, {@code meft} or {@code symtune}. */
    public static PaperNumbers of(String name) {
        Path f = Project.reproduce("papers", name + ".json");
        try {
            return new PaperNumbers(JsonParser.parseString(Files.readString(f)).getAsJsonObject());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the papers' numbers " + f, e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(f + ": " + e.getMessage(), e);
        }
    }

    public JsonObject json() { return json.deepCopy(); }

    /** The row of a method in the paper's table, or null when the paper has none. */
    public JsonObject row(String method) {
        if (!json.has("rows")) return null;
        for (JsonElement e : json.getAsJsonArray("rows"))
            if (e.getAsJsonObject().get("method").getAsString().equals(method)) return e.getAsJsonObject();
        return null;
    }

    /** A value of a method's row as text: the number, a range "lo-hi" if only a range is reported, else "n/a". */
    public String cell(String method, String key, String format) {
        JsonObject r = row(method);
        if (r == null) return "n/a";
        if (r.has(key) && !r.get(key).isJsonNull()) return String.format(Locale.ROOT, format, r.get(key).getAsDouble());
        if (r.has(key + "_range")) {
            var a = r.getAsJsonArray(key + "_range");
            return String.format(Locale.ROOT, format + "-" + format, a.get(0).getAsDouble(), a.get(1).getAsDouble());
        }
        return "n/a";
    }

    /** A value as a number, NaN when the paper gives none (a reported range gives its midpoint only if {@code midOfRange}). */
    public double value(String method, String key, boolean midOfRange) {
        JsonObject r = row(method);
        if (r == null) return Double.NaN;
        if (r.has(key) && !r.get(key).isJsonNull()) return r.get(key).getAsDouble();
        if (midOfRange && r.has(key + "_range")) {
            var a = r.getAsJsonArray(key + "_range");
            return (a.get(0).getAsDouble() + a.get(1).getAsDouble()) / 2;
        }
        return Double.NaN;
    }
}
