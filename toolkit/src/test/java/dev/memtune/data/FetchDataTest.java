package dev.memtune.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checksum table, fetch from local archives (no network here), MRPC split, and --verify. */
class FetchDataTest {
    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    @TempDir Path tmp;

    @Test
    void tableCoversEveryFileOfEveryTask() {
        Checksums t = Checksums.load();
        for (Task task : Tasks.all())
            for (String s : task.splits())
                for (String f : task.files(s)) {
                    assertFalse(t.forFile(f).isEmpty(), f + " of " + task.name() + " has no row in " + t.table());
                    assertTrue(t.forFile(f).stream().allMatch(e -> e.downloadable() || e.derived()), f + " cannot be fetched");
                }
    }

    @Test
    void badTableRowNamesLine() throws IOException {
        Path p = Files.writeString(tmp.resolve("t.tsv"), "# c\ntask\tfile\tsha256\trows\tsource\nrte\trte/dev.tsv\tABC\t277\thttps://x/RTE.zip#RTE/dev.tsv\n");
        DataException e = assertThrows(DataException.class, () -> Checksums.load(p));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("sha256 'ABC'"), e.getMessage());
    }

    /** An RTE.zip laid out like the official one, built from the real files, installs and verifies. */
    @Test
    void fetchFromLocalArchiveInstallsAndVerifies() throws IOException {
        Task rte = Tasks.get("rte");
        Path real = RealData.require(rte, "dev");
        Path from = Files.createDirectories(tmp.resolve("from")), data = tmp.resolve("data");
        zip(from.resolve("RTE.zip"), Map.of("RTE/train.tsv", Files.readAllBytes(real.resolve("rte/train.tsv")),
                "RTE/dev.tsv", Files.readAllBytes(real.resolve("rte/dev.tsv")), "RTE/test.tsv", "index\tsentence1\tsentence2\n".getBytes()));
        List<DataFetcher.Check> got = new DataFetcher(Checksums.load(), data, from, QUIET).fetch("rte");
        assertEquals(List.of("rte/train.tsv", "rte/dev.tsv"), got.stream().map(DataFetcher.Check::file).toList());
        assertTrue(got.stream().allMatch(c -> c.status() == DataFetcher.Status.OK));
        assertEquals(277, rte.read(data, "dev").size());
        assertEquals(Files.readString(real.resolve("rte/dev.tsv")), Files.readString(data.resolve("rte/dev.tsv")));
    }

    @Test
    void tamperedArchiveIsRejectedAndNothingInstalled() throws IOException {
        Path real = RealData.require(Tasks.get("rte"), "dev");
        Path from = Files.createDirectories(tmp.resolve("from")), data = tmp.resolve("data");
        byte[] dev = Files.readAllBytes(real.resolve("rte/dev.tsv"));
        dev[dev.length - 2] ^= 1;
        zip(from.resolve("RTE.zip"), Map.of("RTE/train.tsv", Files.readAllBytes(real.resolve("rte/train.tsv")), "RTE/dev.tsv", dev));
        DataFetcher.FetchException e = assertThrows(DataFetcher.FetchException.class, () -> new DataFetcher(Checksums.load(), data, from, QUIET).fetch("rte"));
        assertTrue(e.getMessage().contains("rte/dev.tsv") && e.getMessage().contains("not installed"), e.getMessage());
        assertFalse(Files.exists(data.resolve("rte/dev.tsv")));
        try (var s = Files.list(data.resolve("rte"))) {
            assertEquals(List.of("train.tsv"), s.map(p -> p.getFileName().toString()).toList(), "no temp files left behind");
        }
    }

    @Test
    void missingDownloadNamesTheUrl() {
        DataFetcher f = new DataFetcher(Checksums.load(), tmp.resolve("data"), tmp, QUIET);
        DataFetcher.FetchException e = assertThrows(DataFetcher.FetchException.class, () -> f.fetch("cola"));
        assertTrue(e.getMessage().contains("CoLA.zip") && e.getMessage().contains("https://dl.fbaipublicfiles.com/glue/data/CoLA.zip"), e.getMessage());
        assertEquals(List.of("https://dl.fbaipublicfiles.com/glue/data/CoLA.zip"), f.urls("cola"));
    }

    /**
     * MRPC as download_glue_data.py builds it from today's (tokenized) msr_paraphrase_train.txt.
     * Independent references: mrpc-tokenized/dev.tsv (built upstream by that script, MANIFEST.md
     * sha256 9e8f2847...), and for train.tsv the sha256 69abcede... obtained by running the
     * script's format_mrpc code in Python on the same two inputs.
     */
    @Test
    void mrpcSplitMatchesDownloadGlueData() throws IOException {
        Task mrpc = Tasks.get("mrpc");
        Path real = RealData.require(mrpc, "dev");
        Path msr = real.resolve("mrpc-tokenized/msr_paraphrase_train.txt");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(msr), msr + " is absent");
        Path from = Files.createDirectories(tmp.resolve("from")), data = tmp.resolve("data");
        Files.copy(msr, from.resolve("msr_paraphrase_train.txt"));
        Files.copy(real.resolve("mrpc/dev_ids.tsv"), from.resolve("mrpc_dev_ids.tsv"));
        new DataFetcher(Checksums.load(), data, from, QUIET).fetch("mrpc");
        assertEquals("9e8f284788040f7c9ecde2e1b3c07237c756f926bd9ef8548ef5d34b56f69f17", Checksums.sha256(data.resolve("mrpc/dev.tsv")));
        assertEquals("69abcedee3cf738c6ce58d772e43e1b7cdf5b4edee4aceda459c0d9f4e5599f3", Checksums.sha256(data.resolve("mrpc/train.tsv")));
        assertEquals(3668, mrpc.read(data, "train").size());
        assertEquals(408, mrpc.read(data, "dev").size());
    }

    /** A file whose sha256 is not recorded is checked by its row count through the task's reader. */
    @Test
    void unrecordedShaIsCheckedByRows() throws IOException {
        Path table = Files.writeString(tmp.resolve("t.tsv"), "task\tfile\tsha256\trows\tsource\n"
                + "qqp\tqqp/train.tsv\t-\t2\thttps://example.org/QQP-clean.zip#QQP/train.tsv\n");
        String head = "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n";
        Path from = Files.createDirectories(tmp.resolve("from")), data = tmp.resolve("data");
        zip(from.resolve("QQP-clean.zip"), Map.of("QQP/train.tsv", (head + "0\t1\t2\tA?\tB?\t0\n1\t3\t4\tC?\tD?\t1\n").getBytes()));
        DataFetcher f = new DataFetcher(Checksums.load(table), data, from, QUIET);
        assertEquals(DataFetcher.Status.ROWS_OK, f.fetch("qqp").get(0).status());
        zip(from.resolve("QQP-clean.zip"), Map.of("QQP/train.tsv", (head + "0\t1\t2\tA?\tB?\t0\n").getBytes()));
        // --from reads the archive in place (no cache), so the rewritten archive is what is checked now
        DataFetcher.FetchException e = assertThrows(DataFetcher.FetchException.class, () -> f.fetch("qqp"));
        assertTrue(e.getMessage().contains("1 rows, the table records 2"), e.getMessage());
    }

    @Test
    void verifyFindsCorruptedCopy() throws IOException {
        Path real = RealData.require(Tasks.get("wnli"), "dev");
        Path data = tmp.resolve("data");
        Files.createDirectories(data.resolve("wnli"));
        Files.copy(real.resolve("wnli/train.tsv"), data.resolve("wnli/train.tsv"));
        Files.writeString(data.resolve("wnli/dev.tsv"), Files.readString(real.resolve("wnli/dev.tsv")).replace("hair", "hare"));
        Files.writeString(data.resolve("wnli/extra.tsv"), "x\n");
        DataFetcher f = new DataFetcher(Checksums.load(), data, null, QUIET);
        Map<String, DataFetcher.Status> s = new java.util.HashMap<>();
        for (DataFetcher.Check c : f.verify(List.of("wnli"))) s.put(c.file(), c.status());
        assertEquals(Map.of("wnli/train.tsv", DataFetcher.Status.OK, "wnli/dev.tsv", DataFetcher.Status.MISMATCH), s);
        assertEquals(List.of("wnli/extra.tsv"), f.unlisted());
    }

    /** `fetch-data --verify` on the staged data: every present file matches the table. */
    @Test
    void verifyCommandOnRealData() throws Exception {
        Path real = RealData.require(Tasks.get("rte"), "dev");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true));
            rc = dev.memtune.cli.Dispatch.run(java.util.Map.of("fetch-data", FetchDataCommand::new), new String[] {"fetch-data", "--verify", "--dir", real.toString()});
        } finally {
            System.setOut(old);
        }
        String out = buf.toString();
        assertEquals(0, rc, out);
        assertTrue(out.contains("0 MISMATCHED"), out);
        assertTrue(out.contains("OK       rte/dev.tsv"), out);
    }

    static void zip(Path file, Map<String, byte[]> members) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            for (var e : new java.util.TreeMap<>(members).entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
    }
}
