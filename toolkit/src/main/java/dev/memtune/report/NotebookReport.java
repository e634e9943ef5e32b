package dev.memtune.report;

import dev.memtune.tables.ClaimChecks;
import com.google.gson.*;
import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.*;

/**
 * Turns executed notebooks (nbformat 4) into one report for people:
 * <ul>
 *   <li>{@code report.html}: a <b>summary first</b> (every paper claim the notebooks checked through
 *       {@link ClaimChecks}: theirs, ours, met / not met / n/a, each linked to the notebook output it comes
 *       from; then each notebook's status), then the notebooks in order: markdown cells rendered
 *       (CommonMark with GFM tables), outputs as they render in Jupyter (HTML tables, charts inline),
 *       JSON values (configs) as key/value tables, long outputs and the code collapsed in
 *       {@code <details>};</li>
 *   <li>{@code report.md}: the same summary, markdown cells, text outputs, charts saved next to it as
 *       PNG files ({@code figures/}).</li>
 * </ul>
 * Also returns a per-notebook summary (cells, errors) for the console.
 */
public final class NotebookReport {
    /** One notebook's line in the summary. */
    public record Entry(String notebook, int cells, int executed, String error) {
        public boolean ok() { return error == null; }
    }

    /** A claim found in a notebook output, with the anchor of that output in report.html. */
    public record FoundClaim(ClaimChecks.Claim claim, String notebook, String anchor) {}

    /** Text outputs longer than this many lines are collapsed. */
    static final int COLLAPSE_LINES = 12;

    private static final List<Extension> EXTENSIONS = List.of(TablesExtension.create());
    private static final Parser MD = Parser.builder().extensions(EXTENSIONS).build();
    private static final HtmlRenderer HTML = HtmlRenderer.builder().extensions(EXTENSIONS).build();

    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.5;color:#222}
            h1{border-bottom:2px solid #333;padding-bottom:.2em} h2{border-bottom:1px solid #ccc;padding-bottom:.15em;margin-top:2em}
            section.nb{margin-top:3em} .nbname{font-size:.85em;color:#666;font-family:monospace}
            table{border-collapse:collapse;margin:.6em 0;font-size:.92em;display:block;width:max-content;max-width:100%;overflow-x:auto} td,th{border:1px solid #ccc;padding:3px 8px;vertical-align:top;text-align:left}
            th{background:#f3f3f3} caption{font-weight:600;text-align:left;padding:.3em 0}
            pre{background:#f6f8fa;padding:8px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85em;border-radius:4px} code{background:#f3f3f3;padding:0 3px;border-radius:3px}
            pre code{background:none;padding:0} img{max-width:100%;height:auto}
            details{margin:.4em 0} summary{cursor:pointer;color:#555;font-size:.9em}
            details.code summary{color:#888} details.code pre{background:#fbfbfb;border-left:3px solid #ddd}
            .err{color:#a00} .v-met{background:#dff3df;color:#145214;font-weight:600} .v-not-met{background:#fadede;color:#8a1010;font-weight:600}
            .v-na{background:#eee;color:#555} .note{color:#666;font-size:.85em} .output{margin:.3em 0 1em 0}
            table.kv td:first-child{font-family:monospace;color:#444} .memtune-progress{font-size:.85em;color:#555}
            """;

    private NotebookReport() {}

    /** Renders markdown (CommonMark + GFM tables) to an HTML fragment. */
    public static String markdownToHtml(String markdown) { return HTML.render(MD.parse(markdown)); }

    public static List<Entry> write(List<Path> notebooks, Path outDir) throws IOException {
        Files.createDirectories(outDir.resolve("figures"));
        StringBuilder body = new StringBuilder(), md = new StringBuilder();
        List<Entry> entries = new ArrayList<>();
        List<FoundClaim> claims = new ArrayList<>();
        int fig = 0;
        for (Path nb : notebooks) {
            JsonObject doc;
            String name = nb.getFileName().toString();
            try {
                doc = JsonParser.parseString(Files.readString(nb)).getAsJsonObject();
            } catch (RuntimeException e) {
                entries.add(new Entry(name, 0, 0, "unreadable notebook: " + e.getMessage()));
                continue;
            }
            String id = anchor(name);
            body.append("<section class=\"nb\" id=\"").append(id).append("\"><div class=\"nbname\">").append(esc(name)).append("</div>\n");
            md.append("<a id=\"").append(id).append("\"></a>\n\n");
            int cells = 0, executed = 0;
            String error = null;
            for (JsonElement ce : doc.getAsJsonArray("cells")) {
                JsonObject c = ce.getAsJsonObject();
                cells++;
                String type = c.get("cell_type").getAsString();
                String src = text(c.get("source"));
                if (type.equals("markdown")) {
                    body.append("<div class=\"md\">").append(markdownToHtml(src)).append("</div>\n");
                    md.append(src).append("\n\n");
                    continue;
                }
                if (!type.equals("code")) continue;
                if (c.has("execution_count") && !c.get("execution_count").isJsonNull()) executed++;
                if (src.strip().startsWith("// parameters")) continue;   // the runner's parameter cell: the scale is in every table title
                body.append("<details class=\"code\"><summary>code</summary><pre><code>").append(esc(src)).append("</code></pre></details>\n");
                if (!c.has("outputs")) continue;
                for (JsonElement oe : c.getAsJsonArray("outputs")) {
                    JsonObject o = oe.getAsJsonObject();
                    String ot = o.get("output_type").getAsString();
                    body.append("<div class=\"output\">");
                    if (ot.equals("error")) {
                        String msg = o.get("ename").getAsString() + ": " + o.get("evalue").getAsString();
                        if (error == null) error = "cell " + (cells - 1) + ": " + msg;
                        body.append("<pre class=\"err\">").append(esc(msg)).append("</pre>");
                        md.append("```\nERROR ").append(msg).append("\n```\n\n");
                    } else if (ot.equals("stream")) {
                        String t = consoleText(text(o.get("text")));
                        body.append(textBlock(t, "output"));
                        md.append("```\n").append(t.stripTrailing()).append("\n```\n\n");
                    } else if (o.has("data")) {
                        JsonObject d = o.getAsJsonObject("data");
                        if (d.has("image/png")) {
                            String b64 = text(d.get("image/png")).replace("\n", "");
                            String f = String.format("figures/fig%03d.png", ++fig);
                            Files.write(outDir.resolve(f), Base64.getDecoder().decode(b64));
                            String alt = d.has("text/plain") ? text(d.get("text/plain")) : "figure";
                            body.append("<figure><img alt=\"").append(esc(alt)).append("\" src=\"data:image/png;base64,").append(b64).append("\"/></figure>");
                            md.append("![").append(alt.replace("]", ")").replace("[", "(")).append("](").append(f).append(")\n\n");
                        } else if (d.has("text/html")) {
                            String h = text(d.get("text/html"));
                            List<ClaimChecks.Claim> found = ClaimChecks.parse(h);
                            if (!found.isEmpty()) {
                                String a = "claims-" + (claims.size() + 1);
                                body.append("<a id=\"").append(a).append("\"></a>");
                                for (ClaimChecks.Claim cl : found) claims.add(new FoundClaim(cl, name, a));
                            }
                            body.append(rows(h) > COLLAPSE_LINES ? "<details><summary>table (" + rows(h) + " rows)</summary>" + h + "</details>" : h);
                            if (d.has("text/markdown")) md.append(text(d.get("text/markdown"))).append("\n\n");
                            else if (d.has("text/plain")) md.append("```\n").append(text(d.get("text/plain")).stripTrailing()).append("\n```\n\n");
                        } else if (d.has("text/markdown")) {
                            String t = text(d.get("text/markdown"));
                            body.append(markdownToHtml(t));
                            md.append(t).append("\n\n");
                        } else if (d.has("text/plain")) {
                            String t = text(d.get("text/plain"));
                            JsonElement json = asJson(t);
                            body.append(json != null ? jsonBlock(json) : textBlock(t, "value"));
                            md.append("```\n").append(t.stripTrailing()).append("\n```\n\n");
                        }
                    }
                    body.append("</div>\n");
                }
            }
            body.append("</section>\n");
            entries.add(new Entry(name, cells, executed, error));
        }

        StringBuilder html = new StringBuilder("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>memtune: reproduction report</title><style>")
                .append(CSS).append("</style></head><body>\n<h1>memtune: reproduction report</h1>\n");
        html.append("<p class=\"note\">").append(entries.size()).append(" executed notebooks, ")
                .append(DateTimeFormatter.ISO_LOCAL_DATE.format(ZonedDateTime.now())).append(". Each table's title says its scale and which data it used "
                        + "(<i>staged</i> task files, or the <i>bundled sample</i>: a few dozen rows per split, for smoke runs on a machine without data).</p>\n");
        html.append("<h2 id=\"summary\">Summary</h2>\n").append(claimsHtml(claims)).append(notebooksHtml(entries));
        html.append(body).append("</body></html>\n");

        StringBuilder mdOut = new StringBuilder("# memtune: reproduction report\n\n## Summary\n\n").append(claimsMarkdown(claims))
                .append("\n| notebook | cells | executed | status |\n|---|---|---|---|\n");
        for (Entry e : entries)
            mdOut.append("| [").append(e.notebook()).append("](#").append(anchor(e.notebook())).append(") | ").append(e.cells()).append(" | ")
                    .append(e.executed()).append(" | ").append(e.ok() ? "ok" : "FAILED " + cellMd(e.error())).append(" |\n");
        mdOut.append("\n").append(md);
        write(outDir.resolve("report.html"), html.toString());
        write(outDir.resolve("report.md"), mdOut.toString());
        return entries;
    }

    static String claimsHtml(List<FoundClaim> claims) {
        StringBuilder sb = new StringBuilder("<h3>The papers' claims against our runs</h3>\n");
        if (claims.isEmpty()) return sb.append("<p class=\"note\">No claim checks in these notebooks.</p>\n").toString();
        Map<ClaimChecks.Verdict, Integer> n = new EnumMap<>(ClaimChecks.Verdict.class);
        for (FoundClaim f : claims) n.merge(f.claim().verdict(), 1, Integer::sum);
        sb.append("<p>").append(n.getOrDefault(ClaimChecks.Verdict.MET, 0)).append(" met, ").append(n.getOrDefault(ClaimChecks.Verdict.NOT_MET, 0))
                .append(" not met, ").append(n.getOrDefault(ClaimChecks.Verdict.NA, 0)).append(" n/a (our run cannot speak to it; the note says why).</p>\n");
        sb.append("<table class=\"summary\"><tr><th>paper</th><th>claim</th><th>theirs</th><th>ours</th><th>verdict</th><th>section</th></tr>\n");
        for (FoundClaim f : claims) {
            ClaimChecks.Claim c = f.claim();
            sb.append("<tr><td>").append(esc(c.paper())).append("</td><td>").append(esc(c.claim()))
                    .append(c.note().isEmpty() ? "" : "<div class=\"note\">" + esc(c.note()) + "</div>").append("</td><td>").append(esc(c.theirs()))
                    .append("</td><td>").append(esc(c.ours())).append("</td><td class=\"").append(verdictClass(c.verdict())).append("\">")
                    .append(c.verdict().label()).append("</td><td><a href=\"#").append(f.anchor()).append("\">").append(esc(f.notebook())).append("</a></td></tr>\n");
        }
        return sb.append("</table>\n").toString();
    }

    static String claimsMarkdown(List<FoundClaim> claims) {
        if (claims.isEmpty()) return "No claim checks in these notebooks.\n";
        StringBuilder sb = new StringBuilder("| paper | claim | theirs | ours | verdict | section |\n|---|---|---|---|---|---|\n");
        for (FoundClaim f : claims) {
            ClaimChecks.Claim c = f.claim();
            sb.append("| ").append(cellMd(c.paper())).append(" | ").append(cellMd(c.claim())).append(" | ").append(cellMd(c.theirs())).append(" | ")
                    .append(cellMd(c.ours())).append(" | **").append(c.verdict().label()).append("** | [").append(f.notebook()).append("](#")
                    .append(anchor(f.notebook())).append(") |\n");
        }
        return sb.toString();
    }

    private static String notebooksHtml(List<Entry> entries) {
        StringBuilder sb = new StringBuilder("<h3>Notebooks</h3>\n<table><tr><th>notebook</th><th>cells</th><th>executed</th><th>status</th></tr>\n");
        for (Entry e : entries)
            sb.append("<tr><td><a href=\"#").append(anchor(e.notebook())).append("\">").append(esc(e.notebook())).append("</a></td><td>")
                    .append(e.cells()).append("</td><td>").append(e.executed()).append("</td><td>")
                    .append(e.ok() ? "ok" : "<span class=\"err\">" + esc(e.error()) + "</span>").append("</td></tr>\n");
        return sb.append("</table>\n").toString();
    }

    private static String verdictClass(ClaimChecks.Verdict v) {
        return switch (v) { case MET -> "v-met"; case NOT_MET -> "v-not-met"; case NA -> "v-na"; };
    }

    /** A text output: as is when short, else collapsed with its first line and length in the summary. */
    static String textBlock(String t, String what) {
        String s = t.stripTrailing();
        long lines = s.lines().count();
        String pre = "<pre>" + esc(s) + "</pre>";
        if (lines <= COLLAPSE_LINES && s.length() <= 3000) return pre;
        String first = s.lines().findFirst().orElse("");
        if (first.length() > 90) first = first.substring(0, 90) + " …";
        return "<details><summary>" + what + ", " + lines + " lines: <code>" + esc(first) + "</code></summary>" + pre + "</details>";
    }

    /** A JSON object (a config) as a key/value table, nested keys dotted; collapsed when long. */
    static String jsonBlock(JsonElement json) {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", json, flat);
        StringBuilder sb = new StringBuilder("<table class=\"kv\">");
        flat.forEach((k, v) -> sb.append("<tr><td>").append(esc(k)).append("</td><td>").append(esc(v)).append("</td></tr>"));
        sb.append("</table>");
        return flat.size() > COLLAPSE_LINES ? "<details><summary>" + flat.size() + " settings (click to show)</summary>" + sb + "</details>" : sb.toString();
    }

    private static void flatten(String prefix, JsonElement e, Map<String, String> out) {
        if (e.isJsonObject() && !e.getAsJsonObject().isEmpty()) {
            for (var x : e.getAsJsonObject().entrySet()) flatten(prefix.isEmpty() ? x.getKey() : prefix + "." + x.getKey(), x.getValue(), out);
        } else if (e.isJsonArray() && e.getAsJsonArray().size() > 0 && e.getAsJsonArray().asList().stream().allMatch(JsonElement::isJsonPrimitive)) {
            List<String> v = new ArrayList<>();
            for (JsonElement x : e.getAsJsonArray()) v.add(x.getAsString());
            out.put(prefix.isEmpty() ? "(values)" : prefix, String.join(", ", v));
        } else {
            out.put(prefix.isEmpty() ? "(value)" : prefix, e.isJsonPrimitive() ? e.getAsString() : e.toString());
        }
    }

    /** The value when {@code t} is a JSON object (what {@code toJson()} of a config prints), else null. */
    static JsonElement asJson(String t) {
        String s = t.strip();
        if (!s.startsWith("{") || !s.endsWith("}")) return null;
        try {
            JsonElement e = JsonParser.parseString(s);
            return e.isJsonObject() && e.getAsJsonObject().size() > 1 ? e : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Console text as a terminal shows it: a carriage return (progress bars) overwrites its line. */
    static String consoleText(String t) {
        StringBuilder sb = new StringBuilder();
        for (String line : t.split("\n", -1)) {
            if (sb.length() > 0) sb.append('\n');
            String[] parts = line.split("\r");
            String last = "";
            for (int i = parts.length - 1; i >= 0; i--) if (!parts[i].isEmpty()) { last = parts[i]; break; }
            sb.append(last);
        }
        return sb.toString();
    }

    private static int rows(String html) {
        int n = 0, i = 0;
        while ((i = html.indexOf("<tr", i)) >= 0) { n++; i += 3; }
        return n;
    }

    static String anchor(String notebook) {
        return notebook.replaceAll("\\.ipynb$", "").replaceAll("[^A-Za-z0-9_-]", "-");
    }

    private static String cellMd(String s) { return s.replace("|", "\\|").replace("\n", " "); }

    private static void write(Path p, String s) throws IOException {
        Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
        Files.writeString(tmp, s, StandardCharsets.UTF_8);
        Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String text(JsonElement e) {
        if (e == null || e.isJsonNull()) return "";
        if (e.isJsonArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonElement x : e.getAsJsonArray()) sb.append(x.getAsString());
            return sb.toString();
        }
        return e.getAsString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
