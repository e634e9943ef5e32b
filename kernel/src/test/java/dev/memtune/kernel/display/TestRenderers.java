package dev.memtune.kernel.display;

import tech.tablesaw.api.Table;

/**
 * Renderers registered in this module's test class path through
 * {@code META-INF/services/dev.memtune.kernel.display.Renderer}, as a library would register its own.
 */
public final class TestRenderers {
    private TestRenderers() {}

    /** A library type with its own display. */
    public record Money(long cents, String currency) {}

    /** Shows {@link Money} as HTML and, from a bundle without text, lets the kernel add the text form. */
    public static final class MoneyRenderer implements Renderer {
        @Override public boolean accepts(Object value) { return value instanceof Money; }

        @Override public MimeBundle render(Object value) {
            Money m = (Money) value;
            return new MimeBundle().put("text/html", String.format("<span class=\"money\">%d.%02d %s</span>", m.cents() / 100, m.cents() % 100, m.currency()));
        }
    }

    /** Takes over a built-in type: Tablesaw tables named "as-markdown" are shown as text/markdown. */
    public static final class MarkdownTableRenderer implements Renderer {
        @Override public boolean accepts(Object value) { return value instanceof Table t && "as-markdown".equals(t.name()); }

        @Override public MimeBundle render(Object value) {
            Table t = (Table) value;
            StringBuilder md = new StringBuilder("|");
            for (String c : t.columnNames()) md.append(' ').append(c).append(" |");
            md.append("\n|").append(" --- |".repeat(t.columnCount()));
            for (int r = 0; r < t.rowCount(); r++) {
                md.append("\n|");
                for (int c = 0; c < t.columnCount(); c++) md.append(' ').append(t.getString(r, c)).append(" |");
            }
            return new MimeBundle().put("text/markdown", md.toString()).put("text/plain", "markdown table " + t.name());
        }
    }

    /** A renderer that fails: the error must name it. */
    public static final class FailingRenderer implements Renderer {
        @Override public boolean accepts(Object value) { return "fail to render".equals(value); }

        @Override public MimeBundle render(Object value) { throw new ArithmeticException("renderer bug"); }
    }
}
