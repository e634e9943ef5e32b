package dev.memtune.data;

import dev.memtune.progress.Progress;
import dev.memtune.progress.ProgressEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.*;
import java.time.Duration;
import java.util.*;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Downloads a task's official files, checks them against {@link Checksums} and installs them in
 * the task layout of the data folder; and verifies an existing data folder against the table.
 *
 * <p>Downloads go to {@code <data>/downloads/} (reused when present) or are taken from a local
 * folder ({@code from}) holding the archives/files under their original names, for machines
 * without network. Each file is checked before it is moved into place, so a failed check never
 * leaves a wrong file behind; files whose sha256 is not recorded are checked by their row count.
 */
public final class DataFetcher {
    /** Outcome of checking one file. */
    public enum Status { OK, ROWS_OK, MISMATCH, ABSENT }

    /** One checked file; {@code detail} says what matched or what differs. */
    public record Check(String file, Status status, String detail) {}

    /** A fetch that could not complete: the message says why and lists the URLs to get by hand. */
    public static final class FetchException extends IOException {
        public FetchException(String message, Throwable cause) { super(message, cause); }
    }

    private final Checksums table;
    private final Path dir, from;
    private final PrintStream log;

    /**
     * @param dataDir folder receiving the task layout
     * @param from    folder with already-downloaded archives/files (by original name), or null to download
     * @param log     where progress lines go
     */
    public DataFetcher(Checksums table, Path dataDir, Path from, PrintStream log) {
        this.table = table;
        this.dir = dataDir;
        this.from = from;
        this.log = log;
    }

    /** The table's task column for a registry task: the folder of its files ({@code mnli-mm} -> {@code mnli}). */
    public static String folderOf(Task t) { return t.files("train").get(0).split("/")[0]; }

    /** Distinct URLs a fetch of this task folder downloads. */
    public List<String> urls(String folder) {
        return table.forTask(folder).stream().filter(Checksums.Entry::downloadable).map(Checksums.Entry::url).distinct().toList();
    }

    /** Downloads (or takes from {@code from}), checks and installs every file of one task folder. */
    public List<Check> fetch(String folder) throws IOException {
        List<Checksums.Entry> rows = table.forTask(folder);
        if (rows.isEmpty()) throw new IllegalArgumentException("the checksum table " + table.table() + " has no rows for task " + folder);
        Map<String, Path> local = new LinkedHashMap<>();
        for (String url : urls(folder)) local.put(url, obtain(url, folder));
        List<Check> out = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (Checksums.Entry e : rows) {
            if (!e.downloadable() || !done.add(e.file())) continue;
            Path target = dir.resolve(e.file());
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part");
            try {
                Path src = local.get(e.url());
                if (e.fromArchive()) extract(src, e.member(), tmp);
                else Files.copy(src, tmp, StandardCopyOption.REPLACE_EXISTING);
                out.add(install(e.file(), tmp, target, e.source()));
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        if (rows.stream().anyMatch(e -> e.source().equals("derived:mrpc"))) out.addAll(buildMrpc(folder));
        return out;
    }

    /**
     * Checks the table's files of the given task folders (null: every file of the table) in the
     * data folder; absent files come back as {@link Status#ABSENT}. Files the table does not list
     * are found by {@link #unlisted()}.
     */
    public List<Check> verify(Collection<String> folders) throws IOException {
        List<Check> out = new ArrayList<>();
        for (String f : table.files()) {
            if (folders != null && !folders.contains(f.split("/")[0])) continue;
            Path p = dir.resolve(f);
            out.add(Files.isRegularFile(p) ? check(f, p) : new Check(f, Status.ABSENT, "not in " + dir));
        }
        return out;
    }

    /** Files under task folders of the data folder that the table does not list (downloads/ excluded). */
    public List<String> unlisted() throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        Set<String> known = new HashSet<>(table.files());
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir, 2)) {
            s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .filter(r -> r.contains("/") && !r.startsWith("downloads/") && !r.startsWith(".") && !r.contains("/."))
                    .filter(r -> !known.contains(r)).sorted().forEach(out::add);
        }
        return out;
    }

    /** Checks one file against the table's variants for it: sha256, or the row count where no sha256 is recorded. */
    public Check check(String rel, Path file) throws IOException {
        List<Checksums.Entry> variants = table.forFile(rel);
        if (variants.isEmpty()) return new Check(rel, Status.MISMATCH, "not in the checksum table " + table.table());
        String sha = Checksums.sha256(file);
        for (Checksums.Entry v : variants)
            if (sha.equals(v.sha256())) return new Check(rel, Status.OK, "sha256 " + sha.substring(0, 12) + "…" + (v.note().isEmpty() ? "" : " (" + v.note() + ")"));
        List<Checksums.Entry> unknown = variants.stream().filter(v -> v.sha256() == null).toList();
        if (unknown.isEmpty())
            return new Check(rel, Status.MISMATCH, "sha256 " + sha + " is not the recorded " + variants.stream().map(Checksums.Entry::sha256).toList());
        int rows = rows(rel, file);
        for (Checksums.Entry v : unknown)
            if (rows == v.rows()) return new Check(rel, Status.ROWS_OK, rows + " rows as recorded (sha256 " + sha.substring(0, 12) + "… not recorded)");
        return new Check(rel, Status.MISMATCH, rows + " rows, the table records " + unknown.get(0).rows());
    }

    // ---- steps ------------------------------------------------------------------------------------

    private Check install(String rel, Path tmp, Path target, String source) throws IOException {
        Check c = check(rel, tmp);
        if (c.status() == Status.MISMATCH)
            throw new FetchException(rel + " from " + source + ": " + c.detail() + "; not installed", null);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        log.println("  installed " + target + "  [" + c.detail() + "]");
        return new Check(rel, c.status(), c.detail());
    }

    private Path obtain(String url, String folder) throws IOException {
        String name = url.substring(url.lastIndexOf('/') + 1);
        if (from != null) {
            Path p = from.resolve(name);
            if (!Files.isRegularFile(p)) throw new FetchException("--from " + from + " has no " + name + " (download " + url + ")", null);
            return p;
        }
        Path cache = dir.resolve("downloads").resolve(folder).resolve(name);
        if (Files.isRegularFile(cache)) {
            log.println("  using " + cache);
            return cache;
        }
        Files.createDirectories(cache.getParent());
        Path part = cache.resolveSibling(name + ".part");
        log.println("  downloading " + url);
        Progress.report(ProgressEvent.message("fetch-data", "downloading " + url));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).followRedirects(HttpClient.Redirect.NORMAL).build();
        boolean ok = false;
        try {
            HttpResponse<Path> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofFile(part));
            if (r.statusCode() != 200) throw new FetchException("download of " + url + " failed: HTTP " + r.statusCode(), null);
            ok = true;
        } catch (ConnectException | UnknownHostException | HttpConnectTimeoutException e) {
            throw new FetchException("no network: cannot reach " + URI.create(url).getHost() + " (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while downloading " + url, e);
        } catch (IOException e) {
            if (e instanceof FetchException) throw e;
            throw new FetchException("download of " + url + " failed (no network?): " + e, e);
        } finally {
            if (!ok) Files.deleteIfExists(part);
        }
        Files.move(part, cache, StandardCopyOption.REPLACE_EXISTING);
        return cache;
    }

    /** Copies one member of a zip: the exact path, else the one entry with the same file name. */
    static void extract(Path zip, String member, Path to) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            ZipEntry e = z.getEntry(member);
            if (e == null) {
                String leaf = member.substring(member.lastIndexOf('/') + 1);
                List<? extends ZipEntry> c = z.stream().filter(x -> !x.isDirectory() && (x.getName().equals(leaf) || x.getName().endsWith("/" + leaf))).toList();
                if (c.size() != 1)
                    throw new FetchException(zip + ": " + (c.isEmpty() ? "no member " + member : "several members named " + leaf + ": " + c.stream().map(ZipEntry::getName).toList())
                            + " (archive holds " + z.stream().limit(20).map(ZipEntry::getName).toList() + (z.size() > 20 ? " ..." : "") + ")", null);
                e = c.get(0);
            }
            try (InputStream in = z.getInputStream(e)) {
                Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private List<Check> buildMrpc(String folder) throws IOException {
        Path msr = dir.resolve(folder).resolve("msr_paraphrase_train.txt"), ids = dir.resolve(folder).resolve("dev_ids.tsv");
        Path train = dir.resolve(folder).resolve("train.tsv"), dev = dir.resolve(folder).resolve("dev.tsv");
        Path tTmp = Files.createTempFile(train.getParent(), ".train.tsv", ".part"), dTmp = Files.createTempFile(dev.getParent(), ".dev.tsv", ".part");
        try {
            MrpcSplit.build(msr, ids, tTmp, dTmp);
            Check d = check(folder + "/dev.tsv", dTmp), t = check(folder + "/train.tsv", tTmp);
            for (Check c : List.of(d, t))
                if (c.status() == Status.MISMATCH) throw new FetchException(c.file() + " built from " + msr + ": " + c.detail() + "; not installed", null);
            return List.of(install(folder + "/train.tsv", tTmp, train, "derived:mrpc"), install(folder + "/dev.tsv", dTmp, dev, "derived:mrpc"));
        } finally {
            Files.deleteIfExists(tTmp);
            Files.deleteIfExists(dTmp);
        }
    }

    /** Data rows of a file: by its task's reader when it is a one-file split of a task, else its line count. */
    private int rows(String rel, Path file) throws IOException {
        for (Task t : Tasks.all())
            for (String s : t.splits())
                if (t.files(s).equals(List.of(rel))) return t.reader().read(List.of(file), s).size();
        return TextFiles.lines(file).size();
    }
}
