package dev.memtune.kernel.display;

import dev.memtune.kernel.RecordingOutput;
import dev.memtune.kernel.display.TestRenderers.Money;
import dev.memtune.progress.ProgressEvent;
import dev.memtune.display.Renderable;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import org.junit.jupiter.api.io.TempDir;

class RenderersTest {
    static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    static int count(String s, String what) { return s.split(Pattern.quote(what), -1).length - 1; }

    @Test void tableIsHtmlAndTablesawText() {
        Table t = Table.create("scores", IntColumn.create("n", 1, 2, 3), StringColumn.create("who", "a", "<b>&", "c"));
        MimeBundle b = Renderers.render(t);
        assertEquals(t.printAll(), b.get("text/plain"), "text is Tablesaw's own rendering");
        String html = b.get("text/html");
        assertEquals(t.columnCount(), count(html, "<th>"));
        assertEquals(t.rowCount() + 1, count(html, "<tr>"));
        assertEquals(t.rowCount() * t.columnCount(), count(html, "<td>"));
        assertTrue(html.contains("<td>&lt;b&gt;&amp;</td>"), "cell text is escaped: " + html);
        assertTrue(html.contains("<caption>scores</caption>"));
    }

    @Test void longTableIsCutWithACount() {
        int[] v = new int[100];
        Arrays.setAll(v, i -> i);
        Table t = Table.create("long", IntColumn.create("i", v));
        String html = Renderers.render(t).get("text/html");
        assertEquals(Renderers.MAX_TABLE_ROWS, count(html, "<td>"));
        assertTrue(html.contains((100 - Renderers.MAX_TABLE_ROWS) + " more rows"));
        assertTrue(html.contains("<td>0</td>") && html.contains("<td>99</td>"), "head and tail shown");
    }

    @Test void chartIsAPngOfTheChartSize() throws Exception {
        XYChart c = new XYChartBuilder().width(320).height(200).title("t").build();
        c.addSeries("s", new double[]{0, 1, 2}, new double[]{0, 1, 4});
        MimeBundle b = Renderers.render(c);
        byte[] png = Base64.getDecoder().decode(b.get("image/png"));
        assertArrayEquals(PNG_MAGIC, Arrays.copyOf(png, 8));
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(320, img.getWidth());
        assertEquals(200, img.getHeight());
    }

    @Test void imageRoundTripsThroughPng() throws Exception {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 1, 0x123456);
        byte[] png = Base64.getDecoder().decode(Renderers.render(img).get("image/png"));
        assertArrayEquals(PNG_MAGIC, Arrays.copyOf(png, 8));
        assertEquals(0x123456, ImageIO.read(new ByteArrayInputStream(png)).getRGB(1, 1) & 0xFFFFFF);
    }

    @Test void renderableGivesHtml() {
        Renderable r = () -> "<b>run</b>";
        MimeBundle b = Renderers.render(r);
        assertEquals("<b>run</b>", b.get("text/html"));
        assertNotNull(b.get("text/plain"));
    }

    @Test void plainValuesAndArrays() {
        assertEquals("[1, 2]", Renderers.render(new int[]{1, 2}).get("text/plain"));
        assertEquals("[[a], [b]]", Renderers.render(new String[][]{{"a"}, {"b"}}).get("text/plain"));
        assertEquals("null", Renderers.render(null).get("text/plain"));
    }

    static final List<Renderer> REGISTERED = Renderers.extensions(RenderersTest.class.getClassLoader());

    @Test void registeredRenderersAreFoundInServiceFileOrder() {
        assertEquals(List.of(TestRenderers.MoneyRenderer.class, TestRenderers.MarkdownTableRenderer.class, TestRenderers.FailingRenderer.class),
                REGISTERED.stream().map(Object::getClass).toList(), "META-INF/services/dev.memtune.kernel.display.Renderer of the test class path");
    }

    @Test void registeredRendererShowsItsTypeAndGetsATextForm() {
        Money m = new Money(1999, "EUR");
        MimeBundle b = Renderers.render(m, REGISTERED);
        assertEquals("<span class=\"money\">19.99 EUR</span>", b.get("text/html"));
        assertEquals("Money[cents=1999, currency=EUR]", b.get("text/plain"), "a bundle without text/plain gets toString()");
        assertEquals(MimeBundle.text(m.toString()).data(), Renderers.render(m).data(), "the built-ins alone show it as text");
    }

    @Test void registeredRenderersComeBeforeTheBuiltIns() {
        Table md = Table.create("as-markdown", IntColumn.create("n", 1, 2), StringColumn.create("who", "a", "b"));
        MimeBundle b = Renderers.render(md, REGISTERED);
        assertEquals("| n | who |\n| --- | --- |\n| 1 | a |\n| 2 | b |", b.get("text/markdown"));
        assertNull(b.get("text/html"), "the built-in table renderer was not used");
        Table other = Table.create("scores", IntColumn.create("n", 1));
        assertEquals(Renderers.render(other).data(), Renderers.render(other, REGISTERED).data(), "tables it does not accept keep the built-in display");
    }

    @Test void aFailingRendererIsNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Renderers.render("fail to render", REGISTERED));
        assertTrue(e.getMessage().contains(TestRenderers.FailingRenderer.class.getName()) && e.getMessage().contains("renderer bug"), e.getMessage());
    }

    @Test void aProviderThatCannotBeLoadedIsLeftOutWithAWarning(@TempDir Path dir) throws Exception {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(Renderer.class.getName()), "no.such.Renderer\n");
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        List<Renderer> found;
        try (URLClassLoader loader = new URLClassLoader(new java.net.URL[]{dir.toUri().toURL()}, RenderersTest.class.getClassLoader())) {
            System.setErr(new PrintStream(captured, true));
            found = Renderers.extensions(loader);
        } finally {
            System.setErr(err);
        }
        assertEquals(REGISTERED.size(), found.size(), "the loadable ones are kept: " + found);
        assertTrue(captured.toString().contains("renderer left out") && captured.toString().contains("no.such.Renderer"), captured.toString());
    }

    @Test void progressBarIsDisplayedOnceThenUpdatedAndEndsAtTheLastStep() {
        RecordingOutput out = new RecordingOutput();
        ProgressDisplay p = new ProgressDisplay(out);
        for (int i = 1; i <= 100; i++) p.onProgress(new ProgressEvent("train", i, 100, 1.0 / i, 500, 100 - i, ""));
        assertEquals("display", out.shown.get(0).kind());
        String id = out.shown.get(0).displayId();
        assertNotNull(id);
        assertTrue(out.shown.stream().skip(1).allMatch(s -> s.kind().equals("update") && s.displayId().equals(id)));
        assertTrue(out.shown.size() < 100, "throttled: " + out.shown.size());
        String last = out.shown.get(out.shown.size() - 1).bundle().get("text/html");
        assertTrue(last.contains("value=\"100\" max=\"100\""), last);
        assertTrue(last.contains("loss 0.0100") && last.contains("500 tok/s"), last);
    }
}
