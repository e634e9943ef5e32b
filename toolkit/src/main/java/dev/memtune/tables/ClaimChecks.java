package dev.memtune.tables;

import dev.memtune.display.Renderable;
import dev.memtune.methods.Methods;
import dev.memtune.profile.ProfileResult;
import dev.memtune.train.ExperimentResult;

import java.util.*;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The papers' claims checked against our measurements: for each, the paper's number, ours, and a
 * verdict ({@code met}, {@code not met}, or {@code n/a} when our run cannot speak to it: a smaller
 * setting than the paper's, smoke scale, or a method that did not run). A notebook displays one
 * {@code ClaimChecks} per table; the notebook report, a floor above, collects them from the executed notebooks
 * into the summary at its top ({@link #parse} reads them back).
 *
 * <p>Rules (tolerances are ours, stated in each claim's note):
 * <ul>
 *   <li>LST memory: LST's saving against full fine-tuning within 5 points of the paper's 69% or
 *       more, and larger than the Adapters/LoRA saving; only on the paper's backbone (t5-base).</li>
 *   <li>MEFT activation memory: the best MEFT reduction within 5 points of "up to 84%" or more;
 *       only on the paper's backbone (bert-base).</li>
 *   <li>Scores (MEFT as good as full fine-tuning on GLUE / QA; SymTune's trade-off against LST):
 *       never at smoke scale or on bundled samples; "as good" = the best MEFT variant's average
 *       test score at most 1 point below full fine-tuning's over the same tasks.</li>
 * </ul>
 */
public final class ClaimChecks implements Renderable {
    /** Outcome of one check. */
    public enum Verdict {
        MET("met"), NOT_MET("not met"), NA("n/a");

        private final String label;

        Verdict(String label) { this.label = label; }

        public String label() { return label; }

        static Verdict ofLabel(String s) {
            for (Verdict v : values()) if (v.label.equals(s)) return v;
            throw new IllegalArgumentException("unknown verdict '" + s + "' (met, not met, n/a)");
        }
    }

    /**
     * One claim of a paper beside our number.
     *
     * @param paper   {@code LST}, {@code MEFT} or {@code SymTune}
     * @param claim   the claim in the paper's words (abridged)
     * @param theirs  the paper's number, or {@code n/a}
     * @param ours    our number with its setting, or {@code n/a} and why
     * @param verdict met / not met / n/a
     * @param note    why this verdict (rule and tolerance, or what is missing)
     */
    public record Claim(String paper, String claim, String theirs, String ours, Verdict verdict, String note) {}

    private final String title;
    private final List<Claim> claims;

    public ClaimChecks(String title, List<Claim> claims) {
        this.title = title;
        this.claims = List.copyOf(claims);
    }

    public String title() { return title; }

    public List<Claim> claims() { return claims; }

    // ---------------------------------------------------------------- memory

    /** LST Table 1: "LST saves 69% of full fine-tuning memory, other PETL methods 26%". */
    public static ClaimChecks lstMemory(List<ProfileResult> rs) {
        String claim = "LST saves 69% of full fine-tuning's training memory, Adapters/LoRA 26% (2.7x more saving)";
        ProfileResult full = find(rs, "full");
        ProfileResult lst = find(rs, "lst");
        if (full == null || lst == null)
            return one("LST memory", new Claim("LST", claim, "69% / 26%", "n/a", Verdict.NA, "full fine-tuning or LST was not measured"));
        double saving = 1 - train(lst) / train(full);
        List<Double> others = new ArrayList<>();
        for (String m : List.of("adapter", "lora")) { ProfileResult r = find(rs, m); if (r != null) others.add(1 - train(r) / train(full)); }
        double other = others.stream().mapToDouble(d -> d).average().orElse(Double.NaN);
        String setting = full.workload().backbone() + " batch " + full.workload().batch() + "x" + full.workload().seq();
        String ours = pct(saving) + " / " + (Double.isNaN(other) ? "n/a" : pct(other)) + " (" + setting + ")";
        if (!full.workload().backbone().equals("t5-base"))
            return one("LST memory", new Claim("LST", claim, "69% / 26%", ours, Verdict.NA, "measured on " + setting + ", not the paper's t5-base batch 100: run --scale cpu"));
        boolean met = saving >= 0.64 && (Double.isNaN(other) || saving > other);
        return one("LST memory", new Claim("LST", claim, "69% / 26%", ours, met ? Verdict.MET : Verdict.NOT_MET,
                "met = LST's saving at least 64% (5 points below the paper) and above the Adapters/LoRA saving"));
    }

    /** MEFT: "activation memory reduced by up to 84% vs full fine-tuning". */
    public static ClaimChecks meftActivations(List<ProfileResult> rs) {
        String claim = "MEFT reduces activation memory by up to 84% against full fine-tuning";
        Map<Integer, ProfileResult> full = new HashMap<>();
        for (ProfileResult r : rs) if (r.ok() && r.workload().method().equals("full")) full.put(r.workload().layers(), r);
        double best = Double.NaN;
        String where = null;
        for (ProfileResult r : rs) {
            if (!r.ok() || !r.workload().method().startsWith("meft") || !full.containsKey(r.workload().layers())) continue;
            double red = 1 - (double) r.activations() / full.get(r.workload().layers()).activations();
            if (Double.isNaN(best) || red > best) { best = red; where = r.workload().method() + ", " + r.workload().backbone() + " " + r.workload().batch() + "x" + r.workload().seq(); }
        }
        if (Double.isNaN(best)) return one("MEFT activation memory", new Claim("MEFT", claim, "84%", "n/a", Verdict.NA, "no MEFT run beside a full fine-tuning run"));
        String ours = "up to " + pct(best) + " (" + where + ")";
        if (!where.contains("bert-base"))
            return one("MEFT activation memory", new Claim("MEFT", claim, "84%", ours, Verdict.NA, "not the paper's bert-base: run --scale cpu"));
        return one("MEFT activation memory", new Claim("MEFT", claim, "84%", ours, best >= 0.79 ? Verdict.MET : Verdict.NOT_MET,
                "met = our best reduction at least 79% (5 points below the paper)"));
    }

    // ---------------------------------------------------------------- scores

    /**
     * The score claims a results table can check: GLUE and QA (MEFT as good as full fine-tuning),
     * SymTune (a better score/memory trade-off than LST).
     */
    public static ClaimChecks scores(AccuracyTables.Runs runs) {
        String why = scoresUsable(runs);
        List<Claim> out = new ArrayList<>();
        Map<String, double[]> avg = averages(runs);   // variant -> {score x100, peak MB}
        switch (runs.table()) {
            case "glue", "qa" -> {
                String claim = runs.table().equals("glue") ? "MEFT matches full fine-tuning's GLUE score"
                        : "MEFT is comparable to full fine-tuning on OpenBookQA, PIQA, ARC-Easy, ARC-Challenge, SciQ";
                String theirs = runs.table().equals("glue") ? "same score (BERT-base, RoBERTa-large, BART-large)" : "comparable (OPT)";
                double[] full = avg.get("full");
                String bestMeft = null;
                for (var e : avg.entrySet()) if (e.getKey().startsWith("meft") && (bestMeft == null || e.getValue()[0] > avg.get(bestMeft)[0])) bestMeft = e.getKey();
                if (full == null || bestMeft == null) { out.add(new Claim("MEFT", claim, theirs, "n/a", Verdict.NA, "full fine-tuning or MEFT did not run")); break; }
                double gap = avg.get(bestMeft)[0] - full[0];
                String ours = String.format(Locale.ROOT, "%s %.1f vs full %.1f (%+.1f; %s)", bestMeft, avg.get(bestMeft)[0], full[0], gap, runs.backbone());
                out.add(why != null ? new Claim("MEFT", claim, theirs, ours, Verdict.NA, why)
                        : new Claim("MEFT", claim, theirs, ours, gap >= -1.0 ? Verdict.MET : Verdict.NOT_MET,
                                "met = the best MEFT variant's average test score at most 1 point below full fine-tuning's"));
            }
            case "symtune" -> {
                String claim = "SymTune has a better performance/memory trade-off than LST";
                double[] s = avg.get("symtune"), l = avg.get("lst");
                if (s == null || l == null) { out.add(new Claim("SymTune", claim, "better (no numbers public)", "n/a", Verdict.NA, "SymTune or LST did not run")); break; }
                String ours = String.format(Locale.ROOT, "score %.1f vs %.1f, peak %.0f vs %.0f MB (%s; our reconstruction)", s[0], l[0], s[1], l[1], runs.backbone());
                boolean met = s[0] >= l[0] && s[1] <= l[1] && (s[0] > l[0] || s[1] < l[1]);
                out.add(why != null ? new Claim("SymTune", claim, "better (no numbers public)", ours, Verdict.NA, why)
                        : new Claim("SymTune", claim, "better (no numbers public)", ours, met ? Verdict.MET : Verdict.NOT_MET,
                                "met = at least LST's score with no more memory, better in one of them"));
            }
            default -> out.add(new Claim(runs.table(), "(no claim checked for table " + runs.table() + ")", "n/a", "n/a", Verdict.NA, ""));
        }
        return new ClaimChecks(runs.table() + " claims", out);
    }

    /** Null when the runs' scores can speak to a claim; else why not. */
    static String scoresUsable(AccuracyTables.Runs runs) {
        if (runs.results().isEmpty()) return "nothing ran";
        if (runs.scale().equals("smoke")) return "smoke scale (a few steps on a few examples): scores mean nothing; run --scale cpu";
        for (ExperimentResult r : runs.results())
            if (!r.dataSource().equals("staged")) return "trained on bundled samples: scores mean nothing";
        return null;
    }

    /** Variant -> {average test score x100 over its tasks and seeds, max peak RSS MB}. */
    static Map<String, double[]> averages(AccuracyTables.Runs runs) {
        Map<String, List<ExperimentResult>> by = new LinkedHashMap<>();
        for (ExperimentResult r : runs.results()) by.computeIfAbsent(AccuracyTables.variant(r), k -> new ArrayList<>()).add(r);
        Map<String, double[]> out = new LinkedHashMap<>();
        by.forEach((k, v) -> out.put(k, new double[]{v.stream().mapToDouble(r -> 100 * r.testScore()).average().orElse(Double.NaN),
                v.stream().mapToDouble(r -> r.peakRssBytes() / 1e6).max().orElse(Double.NaN)}));
        return out;
    }

    // ---------------------------------------------------------------- rendering and parsing

    @Override
    public String toHtml() {
        StringBuilder sb = new StringBuilder("<table class=\"memtune-claims\"><caption>").append(esc(title)).append("</caption>\n")
                .append("<tr><th>paper</th><th>claim</th><th>theirs</th><th>ours</th><th>verdict</th><th>why</th></tr>\n");
        for (Claim c : claims)
            sb.append("<tr data-paper=\"").append(esc(c.paper())).append("\" data-claim=\"").append(esc(c.claim()))
                    .append("\" data-theirs=\"").append(esc(c.theirs())).append("\" data-ours=\"").append(esc(c.ours()))
                    .append("\" data-verdict=\"").append(c.verdict().label()).append("\" data-note=\"").append(esc(c.note())).append("\">")
                    .append("<td>").append(esc(c.paper())).append("</td><td>").append(esc(c.claim())).append("</td><td>").append(esc(c.theirs()))
                    .append("</td><td>").append(esc(c.ours())).append("</td><td>").append(c.verdict().label()).append("</td><td>")
                    .append(esc(c.note())).append("</td></tr>\n");
        return sb.append("</table>").toString();
    }

    @Override
    public String toText() {
        StringBuilder sb = new StringBuilder(title).append('\n');
        for (Claim c : claims)
            sb.append(String.format("%-8s %-8s %s | theirs %s | ours %s | %s%n", c.paper(), c.verdict().label(), c.claim(), c.theirs(), c.ours(), c.note()));
        return sb.toString();
    }

    @Override
    public String toString() { return toText(); }

    private static final Pattern ROW = Pattern.compile("<tr data-paper=\"([^\"]*)\" data-claim=\"([^\"]*)\" data-theirs=\"([^\"]*)\" data-ours=\"([^\"]*)\" data-verdict=\"([^\"]*)\" data-note=\"([^\"]*)\">");

    /** The claims of every {@link #toHtml()} table in an HTML fragment (e.g. a notebook output); empty when none. */
    public static List<Claim> parse(String html) {
        List<Claim> out = new ArrayList<>();
        if (!html.contains("memtune-claims")) return out;
        Matcher m = ROW.matcher(html);
        while (m.find())
            out.add(new Claim(unesc(m.group(1)), unesc(m.group(2)), unesc(m.group(3)), unesc(m.group(4)), Verdict.ofLabel(m.group(5)), unesc(m.group(6))));
        return out;
    }

    private static ClaimChecks one(String title, Claim c) { return new ClaimChecks(title, List.of(c)); }

    private static ProfileResult find(List<ProfileResult> rs, String method) {
        return rs.stream().filter(r -> r.ok() && r.workload().layers() == 0 && Methods.specName(r.workload().method()).equals(method)).findFirst().orElse(null);
    }

    private static double train(ProfileResult r) { return (r.peak() - r.baselineRss()) / 1e9; }

    private static String pct(double f) { return String.format(Locale.ROOT, "%.0f%%", 100 * f); }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String unesc(String s) {
        return s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }
}
