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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Turns a cell value into a {@link MimeBundle}: Tablesaw tables as HTML + text, XChart charts and
 * images as PNG, {@link Renderable} toolkit results as HTML + text, anything else as text; before
 * these, the {@link Renderer}s that libraries register through {@link ServiceLoader}.
 */
public final class Renderers {
    /** Rows shown of a long table (head and tail halves); the text says how many were left out. */
    public static final int MAX_TABLE_ROWS = 60;

    static { if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true"); }

    private Renderers() {}

    /**
     * Renders with {@code extensions} (see {@link #extensions}) asked first, in order.
     *
     * @throws IllegalStateException naming the renderer when one fails or returns nothing
     */
    public static MimeBundle render(Object v, List<Renderer> extensions) {
        if (v == null || v instanceof MimeBundle) return render(v);
        for (Renderer r : extensions) {
            MimeBundle b;
            try {
                if (!r.accepts(v)) continue;
                b = r.render(v);
            } catch (RuntimeException | LinkageError e) {
                throw new IllegalStateException("renderer " + r.getClass().getName() + " failed on a " + v.getClass().getName() + ": " + e, e);
            }
            if (b == null || b.data().isEmpty())
                throw new IllegalStateException("renderer " + r.getClass().getName() + " accepted a " + v.getClass().getName() + " but rendered nothing");
            return b.get("text/plain") != null ? b : copyWithText(b, text(v));
        }
        return render(v);
    }

    private static MimeBundle copyWithText(MimeBundle b, String text) {
        MimeBundle out = new MimeBundle();
        b.data().forEach(out::put);
        return out.put("text/plain", text);
    }

    /**
     * The {@link Renderer}s registered in {@code META-INF/services/dev.memtune.kernel.display.Renderer}
     * files that {@code loader} sees, in class path order. A provider that cannot be loaded (a class
     * missing, no public no-argument constructor) is left out with a warning on standard error that
     * names it; the others still work.
     */
    public static List<Renderer> extensions(ClassLoader loader) {
        List<Renderer> out = new ArrayList<>();
        Iterator<Renderer> it = ServiceLoader.load(Renderer.class, loader).iterator();
        for (int guard = 0; guard < 10_000; guard++) {
            try {
                if (!it.hasNext()) break;
                out.add(it.next());
            } catch (ServiceConfigurationError e) {
                System.err.println("memtune: renderer left out: " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    /** Renders with the built-in renderers only. */
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
