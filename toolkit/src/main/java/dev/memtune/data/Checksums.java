package dev.memtune.data;

import dev.memtune.sys.Project;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.*;

/**
 * The checksum table {@code data/checksums.tsv}: one row per file of the data folder with columns
 * {@code task, file, sha256, rows, source, note}; {@code #} lines are comments, the first other line
 * is the header. {@code sha256} "-" = not recorded (only rows are checked), {@code rows} "-" = not a
 * data file. Several rows for one file are accepted variants (MRPC: original and tokenized text).
 * {@code source} is a URL, {@code URL#member} (a member of a zip archive), {@code derived:mrpc}
 * ({@link MrpcSplit}) or {@code staged} (only in the staged copy; never fetched).
 */
public record Checksums(Path table, List<Checksums.Entry> entries) {
    /** One row; {@code sha256} null when not recorded, {@code rows} -1 when not a data file. */
    public record Entry(String task, String file, String sha256, int rows, String source, String note, int line) {
        public boolean fromArchive() { return source.startsWith("http") && source.contains("#"); }
        public boolean derived() { return source.startsWith("derived:"); }
        public boolean downloadable() { return source.startsWith("http"); }
        /** The URL to download (without the {@code #member}). */
        public String url() { int h = source.indexOf('#'); return h < 0 ? source : source.substring(0, h); }
        /** The archive member path, or null. */
        public String member() { int h = source.indexOf('#'); return h < 0 ? null : source.substring(h + 1); }
    }

    /**
     * The table shipped with the project: {@code data/checksums.tsv} in the project folder
     * ({@link Project#root()}).
     */
    public static Path defaultTable() {
        return Project.require(Project.root().resolve("data").resolve("checksums.tsv"));
    }

    public static Checksums load() { return load(defaultTable()); }

    /** Parses a table; a bad row is a {@link DataException} naming the table and line. */
    public static Checksums load(Path table) {
        List<String> lines;
        try {
            lines = TextFiles.lines(table);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checksum table " + table, e);
        }
        List<Entry> out = new ArrayList<>();
        boolean header = false;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank() || l.startsWith("#")) continue;
            String[] f = l.split("\t", -1);
            if (!header) {
                if (f.length < 5 || !f[0].equals("task") || !f[1].equals("file") || !f[2].equals("sha256") || !f[3].equals("rows") || !f[4].equals("source"))
                    throw new DataException(table, i + 1, "header must be task, file, sha256, rows, source[, note]");
                header = true;
                continue;
            }
            if (f.length != 5 && f.length != 6) throw new DataException(table, i + 1, "expected 5 or 6 tab-separated fields, found " + f.length);
            String sha = f[2].equals("-") ? null : f[2];
            if (sha != null && !sha.matches("[0-9a-f]{64}")) throw new DataException(table, i + 1, "sha256 '" + f[2] + "' is not 64 lower-case hex digits or -");
            int rows;
            try {
                rows = f[3].equals("-") ? -1 : Integer.parseInt(f[3]);
            } catch (NumberFormatException e) {
                throw new DataException(table, i + 1, "rows '" + f[3] + "' is not a number or -");
            }
            if (sha == null && rows < 0) throw new DataException(table, i + 1, "a row needs a sha256 or a row count");
            if (!f[4].startsWith("http") && !f[4].startsWith("derived:") && !f[4].equals("staged"))
                throw new DataException(table, i + 1, "source '" + f[4] + "' is not a URL, derived:NAME or staged");
            out.add(new Entry(f[0], f[1], sha, rows, f[4], f.length > 5 ? f[5] : "", i + 1));
        }
        if (!header) throw new DataException(table, 0, "no header line");
        return new Checksums(table, List.copyOf(out));
    }

    /** The rows of one file (accepted variants), in table order. */
    public List<Entry> forFile(String file) { return entries.stream().filter(e -> e.file.equals(file)).toList(); }

    /** Distinct files in table order. */
    public List<String> files() { return entries.stream().map(Entry::file).distinct().toList(); }

    /** The rows whose task column is {@code task}. */
    public List<Entry> forTask(String task) { return entries.stream().filter(e -> e.task.equals(task)).toList(); }

    /** Lower-case hex sha256 of a file. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
