package dev.memtune.data;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.Gson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.*;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every reader on the real files: row counts as in /work/shared/data/MANIFEST.md, the first and
 * last example against the raw text read a second way (BufferedReader lines + regex split for TSV,
 * Gson's Map binding for JSON), and label distributions.
 */
class TaskReadersRealDataTest {
    /** TSV check: (header?, column of textA, of textB or -1, of the label, from the end if negative). */
    record Tsv(boolean header, int a, int b, int label) {}

    static Stream<Arguments> tsv() {
        Tsv nli = new Tsv(true, 1, 2, -1);
        return Stream.of(
                Arguments.of("rte", "train", 2490, nli), Arguments.of("rte", "dev", 277, nli),
                Arguments.of("mrpc", "train", 3668, new Tsv(true, 3, 4, 0)), Arguments.of("mrpc", "dev", 408, new Tsv(true, 3, 4, 0)),
                Arguments.of("cola", "train", 8551, new Tsv(false, 3, -1, 1)), Arguments.of("cola", "dev", 1043, new Tsv(false, 3, -1, 1)),
                Arguments.of("stsb", "train", 5749, new Tsv(true, 7, 8, -1)), Arguments.of("stsb", "dev", 1500, new Tsv(true, 7, 8, -1)),
                Arguments.of("sst2", "train", 67349, new Tsv(true, 0, -1, 1)), Arguments.of("sst2", "dev", 872, new Tsv(true, 0, -1, 1)),
                Arguments.of("qnli", "dev", 5463, nli),
                Arguments.of("wnli", "train", 635, nli), Arguments.of("wnli", "dev", 71, nli));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("tsv")
    void glueTsv(String name, String split, int rows, Tsv c) throws Exception {
        Task task = Tasks.get(name);
        Path dir = RealData.require(task, split);
        List<Example> ex = task.read(dir, split);
        assertEquals(rows, ex.size(), "rows as in MANIFEST.md");

        List<String> raw = new ArrayList<>(Files.readAllLines(dir.resolve(task.files(split).get(0)), StandardCharsets.UTF_8));
        if (c.header) raw.remove(0);
        assertEquals(rows, raw.size());
        for (int i : new int[] {0, rows - 1}) {
            String[] f = Pattern.compile("\t").split(raw.get(i), -1);
            Example e = ex.get(i);
            assertEquals(f[c.a], e.textA());
            assertEquals(c.b < 0 ? null : f[c.b], e.textB());
            String label = f[c.label < 0 ? f.length + c.label : c.label];
            if (task.type() == TaskType.REGRESSION) assertEquals(Double.parseDouble(label), e.label());
            else assertEquals(label, task.labelNames().get(e.labelIndex()));
        }
        // label distribution: the count of each label string among the raw rows
        if (task.type() == TaskType.CLASSIFICATION) {
            int[] counts = new int[task.numLabels()];
            for (Example e : ex) counts[e.labelIndex()]++;
            for (int k = 0; k < counts.length; k++) {
                String l = task.labelNames().get(k);
                long raws = raw.stream().filter(s -> {
                    String[] f = s.split("\t", -1);
                    return f[c.label < 0 ? f.length + c.label : c.label].equals(l);
                }).count();
                assertEquals(raws, counts[k], "count of label " + l);
            }
        }
    }

    @Test
    void sst2TrainLabelDistributionIsTheOfficialOne() {
        Task t = Tasks.get("sst2");
        Path dir = RealData.require(t, "train");
        assertArrayEquals(new int[] {29780, 37569}, counts(t.read(dir, "train"), 2), "MANIFEST.md: 29780/37569");
    }

    static Stream<Arguments> json() {
        return Stream.of(
                Arguments.of("openbookqa", "train", 4957), Arguments.of("openbookqa", "dev", 500), Arguments.of("openbookqa", "test", 500),
                Arguments.of("arc-easy", "train", 2251), Arguments.of("arc-easy", "dev", 570), Arguments.of("arc-easy", "test", 2376),
                Arguments.of("arc-challenge", "train", 1119), Arguments.of("arc-challenge", "dev", 299), Arguments.of("arc-challenge", "test", 1172),
                Arguments.of("piqa", "dev", 1838), Arguments.of("boolq", "dev", 3270),
                Arguments.of("copa", "train", 400), Arguments.of("copa", "dev", 100),
                Arguments.of("sciq", "dev", 1000), Arguments.of("sciq", "test", 1000));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("json")
    @SuppressWarnings("unchecked")
    void qaJson(String name, String split, int rows) throws Exception {
        Task task = Tasks.get(name);
        Path dir = RealData.require(task, split);
        List<Example> ex = task.read(dir, split);
        assertEquals(rows, ex.size(), "rows as in MANIFEST.md");
        Path file = dir.resolve(task.files(split).get(0));
        Gson gson = new Gson();
        List<Map<String, Object>> raw = new ArrayList<>();
        if (name.equals("sciq")) raw.addAll(gson.fromJson(Files.readString(file), List.class));
        else for (String l : Files.readAllLines(file)) raw.add(gson.fromJson(l, Map.class));
        assertEquals(rows, raw.size());
        List<String> piqaLabels = name.equals("piqa") ? Files.readAllLines(dir.resolve(task.files(split).get(1))) : null;
        for (int i : new int[] {0, rows - 1}) {
            Map<String, Object> m = raw.get(i);
            Example e = ex.get(i);
            switch (name) {
                case "piqa" -> {
                    assertEquals(m.get("goal"), e.textA());
                    assertEquals(List.of(m.get("sol1"), m.get("sol2")), e.choices());
                    assertEquals(Integer.parseInt(piqaLabels.get(i)), e.labelIndex());
                }
                case "boolq" -> {
                    assertEquals(m.get("question"), e.textA());
                    assertEquals(m.get("passage"), e.textB());
                    assertEquals(Boolean.TRUE.equals(m.get("label")) ? 1 : 0, e.labelIndex());
                }
                case "copa" -> {
                    assertEquals(m.get("premise"), e.textA());
                    assertEquals(m.get("question"), e.textB());
                    assertEquals(List.of(m.get("choice1"), m.get("choice2")), e.choices());
                    assertEquals(((Number) m.get("label")).intValue(), e.labelIndex());
                }
                case "sciq" -> {
                    assertEquals(m.get("question"), e.textA());
                    assertEquals(m.get("correct_answer"), e.choices().get(e.labelIndex()));
                    assertEquals(Set.of(m.get("distractor1"), m.get("distractor2"), m.get("distractor3"), m.get("correct_answer")), Set.copyOf(e.choices()));
                }
                default -> { // ARC / OpenBookQA
                    Map<String, Object> q = (Map<String, Object>) m.get("question");
                    List<Map<String, Object>> choices = (List<Map<String, Object>>) q.get("choices");
                    assertEquals(m.get("id"), e.id());
                    assertEquals(q.get("stem"), e.textA());
                    assertEquals(choices.stream().map(c -> c.get("text")).toList(), e.choices());
                    assertEquals(m.get("answerKey"), choices.get(e.labelIndex()).get("label"));
                }
            }
        }
    }

    /** Published figures from MANIFEST.md and the official readmes. */
    @Test
    void publishedDistributions() {
        Task piqa = Tasks.get("piqa"), copa = Tasks.get("copa"), obqa = Tasks.get("openbookqa"), arc = Tasks.get("arc-challenge"), sciq = Tasks.get("sciq");
        Path dir = RealData.require(piqa, "dev");
        assertArrayEquals(new int[] {910, 928}, counts(piqa.read(dir, "dev"), 2), "PIQA valid: 910 zeros, 928 ones");
        assertArrayEquals(new int[] {195, 205}, counts(copa.read(RealData.require(copa, "train"), "train"), 2), "COPA train 195/205");
        assertArrayEquals(new int[] {1378, 1212, 1146, 1221}, counts(obqa.read(RealData.require(obqa, "train"), "train"), 4), "OBQA train A/B/C/D");
        Map<Integer, Long> sizes = new TreeMap<>();
        for (Example e : arc.read(RealData.require(arc, "test"), "test")) sizes.merge(e.choices().size(), 1L, Long::sum);
        assertEquals(Map.of(3, 4L, 4, 1165L, 5, 3L), sizes, "ARC-Challenge test: 1165x4, 4x3, 3x5 choices");
        // official SciQ readme: 887 (valid) and 884 (test) questions have a support paragraph
        assertEquals(887, sciq.read(RealData.require(sciq, "dev"), "dev").stream().filter(e -> e.textB() != null).count());
        assertEquals(884, sciq.read(RealData.require(sciq, "test"), "test").stream().filter(e -> e.textB() != null).count());
        assertArrayEquals(new int[] {250, 250, 250, 250}, counts(sciq.read(dir, "dev"), 4), "answer positions balanced by the i mod 4 rule");
    }

    @Test
    void absentQnliTrainIsReportedNotReplaced() {
        Task qnli = Tasks.get("qnli");
        Path dir = RealData.require(qnli, "dev");
        assumeAbsent(dir.resolve("qnli/train.tsv"));
        MissingDataException e = assertThrows(MissingDataException.class, () -> qnli.load(dir, Protocol.LST, 42));
        assertTrue(e.getMessage().contains(dir.resolve("qnli/train.tsv").toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("fetch-data --task qnli"), e.getMessage());
        assertTrue(e.getMessage().contains("QNLI train"), e.getMessage());
        assertEquals(List.of("qnli/train.tsv"), qnli.missing(dir));
    }

    static void assumeAbsent(Path p) {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(p), p + " exists here; this test checks its absence is reported");
    }

    static int[] counts(List<Example> ex, int n) {
        int[] c = new int[n];
        for (Example e : ex) c[e.labelIndex()]++;
        return c;
    }
}
