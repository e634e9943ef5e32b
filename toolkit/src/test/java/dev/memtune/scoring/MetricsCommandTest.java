package dev.memtune.scoring;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.memtune.cli.Dispatch;
import java.util.Map;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code memtune metrics} on the real dev files, with expected values counted from the raw files. */
class MetricsCommandTest {
    @TempDir Path tmp;

    static Path data(String file) {
        String env = System.getenv("MEMTUNE_DATA");
        assumeTrue(env != null && Files.isRegularFile(Path.of(env, file)), "MEMTUNE_DATA unset or " + file + " absent: run `reproduce/memtune fetch-data`");
        return Path.of(env);
    }

    record Run(int rc, String out, String err) {
        JsonObject json() { return JsonParser.parseString(out).getAsJsonObject(); }
    }

    static Run run(String... args) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true));
            return new Run(Dispatch.run(Map.of("metrics", MetricsCommand::new), args), out.toString(), err.toString());
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    /** All-"entailment" predictions as label strings: accuracy = share of entailment rows in the raw file. */
    @Test
    void rteMajorityByLabelString() throws Exception {
        Path d = data("rte/dev.tsv");
        List<String> raw = Files.readAllLines(d.resolve("rte/dev.tsv"));
        long ent = raw.stream().skip(1).filter(l -> l.endsWith("\tentailment")).count();
        Path p = Files.writeString(tmp.resolve("p.txt"), "entailment\n".repeat(raw.size() - 1));
        Run r = run("metrics", "--task", "rte", "--predictions", p.toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals((double) ent / (raw.size() - 1), r.json().get("score").getAsDouble(), 1e-12);
        assertEquals(277, r.json().get("examples").getAsInt());
    }

    /** MRPC predictions as indices (gold with the first 10 flipped): F1 and accuracy from the confusion counts. */
    @Test
    void mrpcF1AccuracyFromIndices() throws Exception {
        Path d = data("mrpc/dev.tsv");
        List<String> raw = Files.readAllLines(d.resolve("mrpc/dev.tsv"));
        List<String> pred = new ArrayList<>();
        int tp = 0, fp = 0, fn = 0, ok = 0;
        for (int i = 1; i < raw.size(); i++) {
            int g = Integer.parseInt(raw.get(i).substring(0, 1));
            int p = i <= 10 ? 1 - g : g;
            pred.add(Integer.toString(p));
            if (p == g) ok++;
            if (p == 1 && g == 1) tp++; else if (p == 1) fp++; else if (g == 1) fn++;
        }
        Path p = Files.write(tmp.resolve("p.txt"), pred);
        JsonObject j = run("metrics", "--task", "mrpc", "--predictions", p.toString()).json();
        double acc = ok / 408.0, f1 = 2.0 * tp / (2 * tp + fp + fn);
        assertEquals(acc, j.getAsJsonObject("metrics").get("accuracy").getAsDouble(), 1e-12);
        assertEquals(f1, j.getAsJsonObject("metrics").get("f1").getAsDouble(), 1e-12);
        assertEquals((acc + f1) / 2, j.get("score").getAsDouble(), 1e-12);
    }

    @Test
    void wrongLineCountAndBadLineNameTheFile() throws Exception {
        data("rte/dev.tsv");
        Path shortFile = Files.writeString(tmp.resolve("short.txt"), "0\n1\n");
        Run r = run("metrics", "--task", "rte", "--predictions", shortFile.toString());
        assertEquals(2, r.rc());
        assertTrue(r.err().contains(shortFile + ": 2 predictions, but the rte split has 277 examples"), r.err());
        Path bad = Files.writeString(tmp.resolve("bad.txt"), "0\n".repeat(4) + "maybe\n" + "1\n".repeat(272));
        r = run("metrics", "--task", "rte", "--predictions", bad.toString());
        assertEquals(2, r.rc());
        assertTrue(r.err().contains(bad + " line 5: 'maybe' is not a label of rte"), r.err());
    }

    @Test
    void stsbConstantPredictionGivesNullScore() throws Exception {
        data("stsb/dev.tsv");
        Path p = Files.writeString(tmp.resolve("p.txt"), "2.5\n".repeat(1500));
        JsonObject j = run("metrics", "--task", "stsb", "--predictions", p.toString()).json();
        assertTrue(j.get("score").isJsonNull(), j.toString());
    }
}
