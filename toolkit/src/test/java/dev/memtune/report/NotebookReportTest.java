package dev.memtune.report;

import dev.memtune.tables.ClaimChecks;
import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report renders markdown as HTML (headings, tables), puts the claims summary first, collapses long outputs. */
class NotebookReportTest {
    static JsonObject cell(String type, String source, JsonObject... outputs) {
        JsonObject c = new JsonObject();
        c.addProperty("cell_type", type);
        c.addProperty("source", source);
        if (type.equals("code")) {
            c.addProperty("execution_count", 1);
            JsonArray o = new JsonArray();
            for (JsonObject x : outputs) o.add(x);
            c.add("outputs", o);
        }
        return c;
    }

    static JsonObject display(String mime, String value) {
        JsonObject o = new JsonObject(), d = new JsonObject();
        o.addProperty("output_type", "execute_result");
        d.addProperty(mime, value);
        o.add("data", d);
        return o;
    }

    static Path notebook(Path dir, String name, JsonObject... cells) throws Exception {
        JsonObject nb = new JsonObject();
        JsonArray cs = new JsonArray();
        for (JsonObject c : cells) cs.add(c);
        nb.add("cells", cs);
        nb.addProperty("nbformat", 4);
        Path p = dir.resolve(name);
        Files.writeString(p, nb.toString());
        return p;
    }

    @Test
    void rendersMarkdownSummaryFirstAndCollapsesLongOutputs(@TempDir Path dir) throws Exception {
        ClaimChecks claims = new ClaimChecks("glue claims", List.of(
                new ClaimChecks.Claim("MEFT", "MEFT matches full fine-tuning's GLUE score", "same score", "meft1 70.1 vs full 70.5 (-0.4; minilm-l6)", ClaimChecks.Verdict.MET, "met = within 1 point"),
                new ClaimChecks.Claim("LST", "LST saves 69% <memory>", "69% / 26%", "n/a", ClaimChecks.Verdict.NA, "smoke scale")));
        StringBuilder longText = new StringBuilder();
        for (int i = 0; i < 40; i++) longText.append("line ").append(i).append('\n');
        JsonObject stream = new JsonObject();
        stream.addProperty("output_type", "stream");
        stream.addProperty("name", "stdout");
        stream.addProperty("text", longText.toString());
        Path nb = notebook(dir, "02-glue.ipynb",
                cell("markdown", "# A tour of memtune\n\nSome *emphasis* and a table:\n\n| method | share |\n|---|---|\n| lora | 0.98% |\n"),
                cell("code", "// parameters\nString scale = \"smoke\";"),
                cell("code", "ClaimChecks.scores(runs)", display("text/html", claims.toHtml())),
                cell("code", "backbone.config().toJson()", display("text/plain",
                        "{\n  \"model_type\": \"bert\",\n  \"hidden_size\": 384,\n  \"pooling\": \"mean\",\n  \"nested\": {\"a\": 1, \"b\": [1, 2]}\n}")),
                cell("code", "train()", stream));
        Path out = dir.resolve("out");
        List<NotebookReport.Entry> entries = NotebookReport.write(List.of(nb), out);
        assertEquals(1, entries.size());
        assertTrue(entries.get(0).ok());
        String html = Files.readString(out.resolve("report.html"));

        // markdown rendered, not shown as source
        assertTrue(html.contains("<h1>A tour of memtune</h1>"), html);
        assertTrue(html.contains("<em>emphasis</em>"));
        assertTrue(html.contains("<th>method</th>") && html.contains("<td>0.98%</td>"), "GFM table rendered");
        assertFalse(html.contains("# A tour of memtune"), "no raw markdown");

        // summary first: the claims table comes before the notebook, each claim links to its output
        int summary = html.indexOf("id=\"summary\""), section = html.indexOf("<section class=\"nb\" id=\"02-glue\"");
        assertTrue(summary > 0 && section > summary, "summary before the notebooks");
        String head = html.substring(summary, section);
        assertTrue(head.contains("1 met, 0 not met, 1 n/a"), head);
        assertTrue(head.contains("<td class=\"v-met\">met</td>") && head.contains("<td class=\"v-na\">n/a</td>"));
        assertTrue(head.contains("LST saves 69% &lt;memory&gt;"), "claim text escaped");
        assertTrue(head.contains("href=\"#claims-1\""));
        assertTrue(html.indexOf("<a id=\"claims-1\"></a>") > section, "the link target is the notebook output");
        assertTrue(head.contains("href=\"#02-glue\""), "notebook status links to its section");

        // configs as key/value tables, long text collapsed, parameter cell hidden
        assertTrue(html.contains("<table class=\"kv\">") && html.contains("<td>nested.b</td><td>1, 2</td>"), "JSON config as key/value rows");
        assertFalse(html.contains("&quot;model_type&quot;: &quot;bert&quot;"), "no JSON wall");
        int details = html.indexOf("<details><summary>output, 40 lines");
        assertTrue(details > 0 && html.indexOf("line 39", details) > details, "long output collapsed");
        assertFalse(html.contains("String scale = &quot;smoke&quot;"));

        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.indexOf("| MEFT | MEFT matches full fine-tuning's GLUE score |") < md.indexOf("# A tour of memtune"), "markdown summary first");
        assertTrue(md.contains("| **met** |"));
    }

    @Test
    void markdownToHtml() {
        String h = NotebookReport.markdownToHtml("## Sub\n\n| a | b |\n|:--|--:|\n| x | 1 |\n");
        assertTrue(h.contains("<h2>Sub</h2>"), h);
        assertTrue(h.contains("<table>") && h.contains("<td align=\"right\">1</td>"), h);
    }

    @Test
    void carriageReturnsOverwriteLikeATerminal() {
        assertEquals("done 100%\nnext", NotebookReport.consoleText("step 10%\rstep 50%\rdone 100%\nnext"));
    }
}
