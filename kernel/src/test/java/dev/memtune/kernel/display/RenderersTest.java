package dev.memtune.kernel.display;

import dev.memtune.kernel.RecordingOutput;
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
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

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
