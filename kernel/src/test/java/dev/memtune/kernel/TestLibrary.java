package dev.memtune.kernel;

import dev.memtune.kernel.eval.Classpath;

import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A small third-party library built by the test, as a user would get it from a Maven repository:
 * {@code test.memtune:price:1.0} (class {@code shop.Price} and its {@code shop.PriceRenderer},
 * registered in {@code META-INF/services/dev.memtune.kernel.display.Renderer}) depending on
 * {@code test.memtune:currency:1.0} (class {@code money.Currency}), laid out as a Maven repository
 * in a directory (a {@code file:} URL), with POMs stating the dependency.
 */
public final class TestLibrary {
    public static final String PRICE = "test.memtune:price:1.0", CURRENCY = "test.memtune:currency:1.0";

    private TestLibrary() {}

    /** Builds the repository under {@code dir}; returns its root. */
    public static Path mavenRepository(Path dir) throws IOException {
        Path src = dir.resolve("lib-src"), classes = dir.resolve("lib-classes");
        write(src.resolve("money/Currency.java"), "package money; public final class Currency {"
                + " public static String symbol(String code) { return switch (code) { case \"EUR\" -> \"\\u20ac\"; case \"USD\" -> \"$\"; default -> code; }; } }");
        write(src.resolve("shop/Price.java"), "package shop; public record Price(long cents, String code) {"
                + " public String shown() { return money.Currency.symbol(code) + (cents / 100) + \".\" + String.format(\"%02d\", cents % 100); } }");
        write(src.resolve("shop/PriceRenderer.java"), "package shop; import dev.memtune.kernel.display.Renderer; import dev.memtune.kernel.display.MimeBundle;"
                + " public final class PriceRenderer implements Renderer {"
                + " public boolean accepts(Object v) { return v instanceof Price; }"
                + " public MimeBundle render(Object v) { Price p = (Price) v; return new MimeBundle().put(\"text/html\", \"<span class='price'>\" + p.shown() + \"</span>\").put(\"text/plain\", p.shown()); } }");
        Files.createDirectories(classes);
        String cp = String.join(File.pathSeparator, Classpath.current());
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), "-cp", cp,
                src.resolve("money/Currency.java").toString(), src.resolve("shop/Price.java").toString(), src.resolve("shop/PriceRenderer.java").toString());
        assertEquals(0, rc, "javac of the test library");
        Path repo = dir.resolve("repo");
        artifact(repo, "currency", classes, List.of("money/Currency.class"), null, "");
        artifact(repo, "price", classes, List.of("shop/Price.class", "shop/PriceRenderer.class"), "shop.PriceRenderer",
                "<dependencies><dependency><groupId>test.memtune</groupId><artifactId>currency</artifactId><version>1.0</version></dependency></dependencies>");
        return repo;
    }

    private static void artifact(Path repo, String id, Path classes, List<String> entries, String renderer, String deps) throws IOException {
        Path d = Files.createDirectories(repo.resolve("test/memtune/" + id + "/1.0"));
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(d.resolve(id + "-1.0.jar")))) {
            for (String e : entries) {
                jar.putNextEntry(new JarEntry(e));
                jar.write(Files.readAllBytes(classes.resolve(e)));
            }
            if (renderer != null) {
                jar.putNextEntry(new JarEntry("META-INF/services/dev.memtune.kernel.display.Renderer"));
                jar.write((renderer + "\n").getBytes());
            }
        }
        Files.writeString(d.resolve(id + "-1.0.pom"), "<project><modelVersion>4.0.0</modelVersion><groupId>test.memtune</groupId><artifactId>" + id
                + "</artifactId><version>1.0</version>" + deps + "</project>");
    }

    private static void write(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }
}
