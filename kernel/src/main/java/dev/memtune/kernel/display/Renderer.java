package dev.memtune.kernel.display;


/**
 * A library's own display of its values in the notebook. Register an implementation (public, with
 * a public no-argument constructor) as a {@link java.util.ServiceLoader} provider: a line with its
 * class name in {@code META-INF/services/dev.memtune.kernel.display.Renderer} of the library's jar. The
 * kernel asks registered renderers, in class path order, before its built-in ones (Tablesaw
 * tables, XChart charts, images, toolkit results), for cell results and {@code Display.show}; jars
 * added during a session ({@code %maven}, {@code %jars}, {@code %classpath}) are searched too.
 *
 * <pre>{@code
 * public final class MoneyRenderer implements Renderer {
 *     public boolean accepts(Object value) { return value instanceof Money; }
 *     public MimeBundle render(Object value) {
 *         Money m = (Money) value;
 *         return new MimeBundle().put("text/plain", m.toString()).put("text/html", "<b>" + m + "</b>");
 *     }
 * }
 * }</pre>
 */
public interface Renderer {
    /** Whether this renderer shows {@code value} (never null); the first that accepts renders it. */
    boolean accepts(Object value);

    /**
     * The value's display: MIME type to content (text, HTML, SVG, base64 PNG, JSON as text). A
     * bundle without {@code text/plain} gets the value's {@code toString()} as its text form.
     */
    MimeBundle render(Object value);
}
