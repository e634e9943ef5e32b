package dev.memtune.kernel.display;

import dev.memtune.display.Renderable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

import javax.imageio.ImageIO;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Base64;

/**
 * Turns a cell value into a {@link MimeBundle}: Tablesaw tables as HTML + text, XChart charts and
 * images as PNG, {@link Renderable} toolkit results as HTML + text, anything else as text.
 */
public final class Renderers {
    /** Rows shown of a long table (head and tail halves); the text says how many were left out. */
    public static final int MAX_TABLE_ROWS = 60;

    static { if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true"); }

    private Renderers() {}

    public static MimeBundle render(Object v) {
        if (v == null) return MimeBundle.text("null");
        if (v instanceof MimeBundle b) return b;
        if (v instanceof Renderable r) return new MimeBundle().put("text/plain", r.toText()).put("text/html", r.toHtml());
        if (v instanceof Table t) return new MimeBundle().put("text/plain", tableText(t)).put("text/html", tableHtml(t));
        if (v instanceof Chart<?, ?> c) return png(BitmapEncoder.getBufferedImage(c), chartText(c));
        if (v instanceof RenderedImage img) return png(img, "image " + img.getWidth() + "x" + img.getHeight());
        return MimeBundle.text(text(v));
    }

    static String text(Object v) {
        if (v instanceof Object[] a) return Arrays.deepToString(a);
        if (v instanceof int[] a) return Arrays.toString(a);
        if (v instanceof long[] a) return Arrays.toString(a);
        if (v instanceof double[] a) return Arrays.toString(a);
        if (v instanceof float[] a) return Arrays.toString(a);
        if (v instanceof boolean[] a) return Arrays.toString(a);
        if (v instanceof byte[] a) return Arrays.toString(a);
        if (v instanceof char[] a) return Arrays.toString(a);
        if (v instanceof short[] a) return Arrays.toString(a);
        return String.valueOf(v);
    }

    public static MimeBundle png(RenderedImage img, String alt) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new MimeBundle().put("image/png", Base64.getEncoder().encodeToString(bytes.toByteArray())).put("text/plain", alt);
    }

    private static String chartText(Chart<?, ?> c) {
        String title = c.getTitle();
        return c.getClass().getSimpleName() + (title == null || title.isEmpty() ? "" : " \"" + title + "\"") + " " + c.getWidth() + "x" + c.getHeight();
    }

    static String tableText(Table t) {
        return t.rowCount() <= MAX_TABLE_ROWS ? t.printAll() : t.print(MAX_TABLE_ROWS);
    }

    static String tableHtml(Table t) {
        StringBuilder sb = new StringBuilder("<table class=\"memtune-table\">");
        if (t.name() != null && !t.name().isEmpty()) sb.append("<caption>").append(escape(t.name())).append("</caption>");
        sb.append("<thead><tr>");
        for (Column<?> c : t.columns()) sb.append("<th>").append(escape(c.name())).append("</th>");
        sb.append("</tr></thead><tbody>");
        int n = t.rowCount(), half = MAX_TABLE_ROWS / 2;
        for (int r = 0; r < n; r++) {
            if (n > MAX_TABLE_ROWS && r == half) {
                sb.append("<tr><td colspan=\"").append(t.columnCount()).append("\">&hellip; ")
                        .append(n - MAX_TABLE_ROWS).append(" more rows &hellip;</td></tr>");
                r = n - half;
            }
            sb.append("<tr>");
            for (Column<?> c : t.columns()) sb.append("<td>").append(escape(c.getString(r))).append("</td>");
            sb.append("</tr>");
        }
        return sb.append("</tbody></table>").toString();
    }

    /** Escapes text for HTML element content and attribute values. */
    public static String escape(String s) {
        if (s == null) return "";
        StringBuilder sb = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }
}
