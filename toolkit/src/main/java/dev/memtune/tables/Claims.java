package dev.memtune.tables;

import com.google.gson.JsonObject;
import dev.memtune.papers.PaperNumbers;

import java.util.Locale;

/**
 * Each paper's accuracy claim for a method, as a difference to full fine-tuning (the papers' absolute
 * numbers are on other backbones, so only differences compare): LST Table 1's GLUE averages on T5-base
 * (LoRA/Adapters +0.1, LST -1.1), MEFT's "same GLUE score as full fine-tuning" (BERT-base; no numbers),
 * SymTune's "better trade-off than LST" (a reconstruction; no numbers). {@code n/a} where a paper says
 * nothing. Read from {@code reproduce/papers/*.json}.
 */
public final class Claims {
    private Claims() {}

    /** A paper's claim for {@code method} on GLUE: the difference to full fine-tuning (NaN where the paper gives no number) and its source. */
    public record Claim(double deltaToFull, String text) {
        public String delta() { return Double.isNaN(deltaToFull) ? "n/a" : String.format(Locale.ROOT, "%+.1f", deltaToFull); }
    }

    public static Claim glue(String method) {
        String m = method.startsWith("meft") ? "meft" : method;
        switch (m) {
            case "full" -> { return new Claim(0, "reference"); }
            case "lora", "adapter", "lst" -> {
                PaperNumbers lst = PaperNumbers.of("lst");
                double d = lst.value(m, "glue_avg", false) - lst.value("full", "glue_avg", false);
                return new Claim(d, "LST Table 1, T5-base GLUE average: " + lst.cell(m, "glue_avg", "%.1f") + " vs full " + lst.cell("full", "glue_avg", "%.1f"));
            }
            case "meft" -> { return new Claim(Double.NaN, "MEFT: " + claim("meft", "GLUE") + " (no per-task numbers)"); }
            case "symtune" -> { return new Claim(Double.NaN, "SymTune (our reconstruction): " + claim("symtune", "LST") + " (no numbers)"); }
            default -> { return new Claim(Double.NaN, "n/a"); }
        }
    }

    /** MEFT's QA claim (comparable to full fine-tuning), for every QA method. */
    public static Claim qa(String method) {
        if (method.equals("full")) return new Claim(0, "reference");
        if (method.startsWith("meft")) return new Claim(Double.NaN, "MEFT: " + claim("meft", "OpenBookQA") + " (no per-task numbers)");
        return new Claim(Double.NaN, "n/a");
    }

    /** The first claim of a paper whose text mentions {@code about}. */
    static String claim(String paper, String about) {
        for (var c : PaperNumbers.of(paper).json().getAsJsonArray("claims")) {
            JsonObject o = c.getAsJsonObject();
            if (o.get("claim").getAsString().contains(about)) return o.get("claim").getAsString();
        }
        return "n/a";
    }
}
