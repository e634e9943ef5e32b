package dev.memtune.data;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled samples (data/samples): every file parses with the task's own reader into the number
 * of rows the file holds (counted here independently, by lines or JSON items), equals the staged
 * file's first rows where the staged data is present, travels in the jar unchanged, and stands in
 * for a missing task only when the caller allows it (smoke scale).
 */
class SamplesTest {
    /** The project's data/samples; surefire runs in toolkit/. */
    static final Path PROJECT_SAMPLES = Path.of("..", "data", "samples").toAbsolutePath().normalize();

    @AfterEach
    void clear() {
        System.clearProperty("memtune.data");
        System.clearProperty("memtune.samples");
    }

    /** Data rows of a sample file, counted without the toolkit's readers. */
    static int rowsOf(Path f, boolean header) throws IOException {
        if (f.toString().endsWith(".json")) return com.google.gson.JsonParser.parseString(Files.readString(f)).getAsJsonArray().size();
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        return lines.size() - (header ? 1 : 0);
    }

    @Test
    void everySampleParsesWithTheTaskReader() throws IOException {
        int files = 0;
        List<String> tasks = new ArrayList<>();
        for (Task t : Tasks.all())
            for (String split : t.splits()) {
                Path first = PROJECT_SAMPLES.resolve(t.files(split).get(0));
                if (!Files.isRegularFile(first)) continue;
                if (!tasks.contains(t.name())) tasks.add(t.name());
                List<Example> ex = t.read(PROJECT_SAMPLES, split);
                boolean header = first.toString().endsWith(".tsv") && !t.name().equals("cola");
                assertEquals(rowsOf(first, header), ex.size(), t.name() + "/" + split);
                assertEquals(40, ex.size(), t.name() + "/" + split + ": the first 40 rows");
                for (Example e : ex) assertFalse(e.textA().isBlank(), t.name() + "/" + split + " " + e.id() + ": empty text");
                files++;
            }
        // every staged task (data/samples/README.md); MNLI/QQP are not staged, mnli-mm shares mnli's files
        assertEquals(List.of("cola", "sst2", "mrpc", "stsb", "qnli", "rte", "wnli", "openbookqa", "arc-easy", "arc-challenge", "piqa", "sciq", "boolq", "copa"), tasks);
        assertEquals(28, files);
    }

    @Test
    void samplesAreTheFirstRowsOfTheStagedFiles() {
        String env = System.getenv("MEMTUNE_DATA");
        assumeTrue(env != null && !env.isBlank(), "MEMTUNE_DATA is not set: the comparison with the staged files is skipped");
        Path staged = Path.of(env);
        int compared = 0;
        for (Task t : Tasks.all())
            for (String split : t.splits()) {
                if (!Files.isRegularFile(PROJECT_SAMPLES.resolve(t.files(split).get(0))) || !t.missing(staged).stream().noneMatch(t.files(split)::contains)) continue;
                List<Example> sample = t.read(PROJECT_SAMPLES, split), full = t.read(staged, split);
                assertEquals(full.subList(0, sample.size()), sample, t.name() + "/" + split);
                compared++;
            }
        assertTrue(compared >= 28, "compared " + compared + " splits");
    }

    @Test
    void theJarCopyIsByteIdentical(@TempDir Path dir) throws IOException {
        Path out = Samples.extract(dir);
        int n = 0;
        for (Task t : Tasks.all())
            for (String split : t.splits())
                for (String f : t.files(split)) {
                    Path src = PROJECT_SAMPLES.resolve(f);
                    if (!Files.isRegularFile(src)) { assertFalse(Files.exists(out.resolve(f)), f); continue; }
                    assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(out.resolve(f)), f);
                    n++;
                }
        assertTrue(n >= 28, n + " files");
        Files.writeString(out.resolve("rte/dev.tsv"), "stale");
        Samples.extract(dir);
        assertArrayEquals(Files.readAllBytes(PROJECT_SAMPLES.resolve("rte/dev.tsv")), Files.readAllBytes(out.resolve("rte/dev.tsv")), "a stale copy is rewritten");
    }

    @Test
    void aSampleStandsInOnlyWhenAllowed(@TempDir Path empty) throws IOException {
        System.setProperty("memtune.data", empty.toString());
        System.setProperty("memtune.samples", PROJECT_SAMPLES.toString());
        Task rte = Tasks.get("rte");
        DataSource s = rte.locate(Protocol.LST, true);
        assertEquals(DataSource.Kind.SAMPLE, s.kind());
        assertEquals("bundled sample", s.label());
        TaskData d = rte.load(s.dir(), Protocol.LST, 42);
        assertEquals(40, d.train().size());
        assertEquals(20, d.validation().size());                         // LST halves of the 40 dev rows
        assertEquals(20, d.test().size());

        MissingDataException e = assertThrows(MissingDataException.class, () -> rte.locate(Protocol.LST, false));
        assertTrue(e.getMessage().contains(empty.resolve("rte/train.tsv").toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("only smoke scale uses samples"), e.getMessage());

        // a task with no training sample (QNLI: train not staged) is missing even when samples are allowed
        assertThrows(MissingDataException.class, () -> Tasks.get("qnli").locate(Protocol.LST, true));

        // staged files win over the sample
        Files.createDirectories(empty.resolve("rte"));
        for (String f : List.of("train.tsv", "dev.tsv")) Files.copy(PROJECT_SAMPLES.resolve("rte").resolve(f), empty.resolve("rte").resolve(f));
        DataSource staged = rte.locate(Protocol.LST, true);
        assertEquals(DataSource.Kind.STAGED, staged.kind());
        assertEquals(empty, staged.dir());
        assertEquals(DataSource.Kind.STAGED, rte.locate(Protocol.LST, false).kind());
    }
}
