package dev.memtune.report;

import com.google.gson.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;

/**
 * Turns executed notebooks (nbformat 4) into one report: {@code report.html} (markdown cells as
 * text, outputs as they render in Jupyter: HTML tables, PNG charts, text) and {@code report.md}
 * (markdown cells, text/plain outputs, charts saved next to it as PNG files). Also returns a
 * per-notebook summary (cells, errors) for the console.
 */
public final class NotebookReport {
    /** One notebook's line in the summary. */
    public record Entry(String notebook, int cells, int executed, String error) {
        public boolean ok() { return error == null; }
    }

    private NotebookReport() {}

    public static List<Entry> write(List<Path> notebooks, Path outDir) throws IOException {
        Files.createDirectories(outDir.resolve("figures"));
        StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>memtune report</title>"
                + "<style>body{font-family:sans-serif;max-width:1100px;margin:auto} pre{background:#f6f6f6;padding:6px;overflow-x:auto}"
                + " table{border-collapse:collapse} td,th{border:1px solid #ccc;padding:2px 6px} .err{color:#a00}</style></head><body>\n"
                + "<h1>memtune: reproduction report</h1>\n");
        StringBuilder md = new StringBuilder("# memtune: reproduction report\n\n");
        List<Entry> entries = new ArrayList<>();
        int fig = 0;
        for (Path nb : notebooks) {
            JsonObject doc;
            try {
                doc = JsonParser.parseString(Files.readString(nb)).getAsJsonObject();
            } catch (RuntimeException e) {
                entries.add(new Entry(nb.getFileName().toString(), 0, 0, "unreadable notebook: " + e.getMessage()));
                continue;
            }
            String name = nb.getFileName().toString();
            html.append("<h2 id=\"").append(esc(name)).append("\">").append(esc(name)).append("</h2>\n");
            md.append("## ").append(name).append("\n\n");
            int cells = 0, executed = 0;
            String error = null;
            for (JsonElement ce : doc.getAsJsonArray("cells")) {
                JsonObject c = ce.getAsJsonObject();
                cells++;
                String type = c.get("cell_type").getAsString();
                String src = text(c.get("source"));
                if (type.equals("markdown")) {
                    html.append("<div class=\"md\"><pre style=\"background:none\">").append(esc(src)).append("</pre></div>\n");
                    md.append(src).append("\n\n");
                    continue;
                }
                if (type.equals("code") && c.has("execution_count") && !c.get("execution_count").isJsonNull()) executed++;
                if (!c.has("outputs")) continue;
                for (JsonElement oe : c.getAsJsonArray("outputs")) {
                    JsonObject o = oe.getAsJsonObject();
                    String ot = o.get("output_type").getAsString();
                    if (ot.equals("error")) {
                        String msg = o.get("ename").getAsString() + ": " + o.get("evalue").getAsString();
                        if (error == null) error = "cell " + (cells - 1) + ": " + msg;
                        html.append("<pre class=\"err\">").append(esc(msg)).append("</pre>\n");
                        md.append("```\nERROR ").append(msg).append("\n```\n\n");
                    } else if (ot.equals("stream")) {
                        String t = text(o.get("text"));
                        html.append("<pre>").append(esc(t)).append("</pre>\n");
                        md.append("```\n").append(t.stripTrailing()).append("\n```\n\n");
                    } else if (o.has("data")) {
                        JsonObject d = o.getAsJsonObject("data");
                        if (d.has("image/png")) {
                            String b64 = text(d.get("image/png")).replace("\n", "");
                            String f = String.format("figures/fig%03d.png", ++fig);
                            Files.write(outDir.resolve(f), Base64.getDecoder().decode(b64));
                            html.append("<img src=\"data:image/png;base64,").append(b64).append("\"/>\n");
                            md.append("![figure](").append(f).append(")\n\n");
                        } else if (d.has("text/html")) {
                            html.append(text(d.get("text/html"))).append("\n");
                            if (d.has("text/markdown")) md.append(text(d.get("text/markdown"))).append("\n\n");
                            else if (d.has("text/plain")) md.append("```\n").append(text(d.get("text/plain")).stripTrailing()).append("\n```\n\n");
                        } else if (d.has("text/markdown")) {
                            String t = text(d.get("text/markdown"));
                            html.append("<pre>").append(esc(t)).append("</pre>\n");
                            md.append(t).append("\n\n");
                        } else if (d.has("text/plain")) {
                            String t = text(d.get("text/plain"));
                            html.append("<pre>").append(esc(t)).append("</pre>\n");
                            md.append("```\n").append(t.stripTrailing()).append("\n```\n\n");
                        }
                    }
                }
            }
            entries.add(new Entry(name, cells, executed, error));
        }
        html.append("<h2>Summary</h2><table><tr><th>notebook</th><th>cells</th><th>executed</th><th>status</th></tr>\n");
        md.append("## Summary\n\n| notebook | cells | executed | status |\n|---|---|---|---|\n");
        for (Entry e : entries) {
            html.append("<tr><td>").append(esc(e.notebook())).append("</td><td>").append(e.cells()).append("</td><td>").append(e.executed())
                    .append("</td><td>").append(e.ok() ? "ok" : "<span class=\"err\">" + esc(e.error()) + "</span>").append("</td></tr>\n");
            md.append("| ").append(e.notebook()).append(" | ").append(e.cells()).append(" | ").append(e.executed()).append(" | ")
                    .append(e.ok() ? "ok" : "FAILED " + e.error()).append(" |\n");
        }
        html.append("</table></body></html>\n");
        write(outDir.resolve("report.html"), html.toString());
        write(outDir.resolve("report.md"), md.toString());
        return entries;
    }

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
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
